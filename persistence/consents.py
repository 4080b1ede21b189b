"""Consents: per contact, channel and purpose, the latest grant or withdrawal."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import Field

from domain.access import Access
from persistence.base import Stamped, utc_column
from persistence.spec import Spec, read_sql
from persistence.sql import Builder

CONSENT_CHANNELS = ("EMAIL", "SMS", "PHONE", "POST", "PUSH")


class ConsentRow(Stamped, table=True):
    __tablename__ = "consent"
    __table_args__ = (
        UniqueConstraint("contact_id", "channel", "purpose"),
        CheckConstraint(f"channel IN {CONSENT_CHANNELS}", name="channel"),
        CheckConstraint("status IN ('GRANTED', 'WITHDRAWN')", name="status"),
    )

    contact_id: uuid.UUID = Field(foreign_key="contact.id")
    channel: str = Field(max_length=20)
    purpose: str = Field(max_length=64)
    status: str = Field(max_length=20)
    recorded_at: datetime = Field(**utc_column())
    source: str = Field(max_length=200)


CONSENTS = ConsentRow.__table__


class ConsentStore:
    """Implements domain.ports.ConsentStore."""

    def __init__(self, conn: AsyncConnection, access: Access) -> None:
        self.conn = conn
        self.actor = str(access.actor)

    async def get(self, contact_id: uuid.UUID, channel: str, purpose: str) -> dict | None:
        stmt = select(CONSENTS.c.status, CONSENTS.c.source).where(
            CONSENTS.c.contact_id == contact_id, CONSENTS.c.channel == channel,
            CONSENTS.c.purpose == purpose)
        row = (await self.conn.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def upsert(self, contact_id: uuid.UUID, channel: str, purpose: str,
                     values: dict) -> uuid.UUID:
        columns = {"status": values["status"], "source": values["source"],
                   "recorded_at": func.now()}
        stmt = insert(CONSENTS).values(id=uuid.uuid4(), contact_id=contact_id, channel=channel,
                                       purpose=purpose, created_by=self.actor,
                                       updated_by=self.actor, **columns)
        stmt = stmt.on_conflict_do_update(
            index_elements=[CONSENTS.c.contact_id, CONSENTS.c.channel, CONSENTS.c.purpose],
            set_={**columns, "version": CONSENTS.c.version + 1, "updated_at": func.now(),
                  "updated_by": self.actor},
        ).returning(CONSENTS.c.id)
        return (await self.conn.execute(stmt)).scalar_one()


def _visible_consent(t: str, access: Access, b: Builder) -> str:
    """A consent is visible with its contact, to callers who may read consents."""
    from persistence.contacts import CONTACT

    if not access.can_read("Contact", "consents"):
        return "FALSE"
    alias = b.alias("owner")
    return (f"EXISTS (SELECT 1 FROM contact {alias} WHERE {alias}.id = {t}.contact_id "
            f"AND {read_sql(CONTACT, access, alias, b)})")


CONSENT = Spec(
    type_name="Consent",
    table=CONSENTS,
    columns={"id": "id", "version": "version", "channel": "channel", "purpose": "purpose",
             "status": "status", "recordedAt": "recorded_at", "source": "source"},
    visibility=_visible_consent,
)
