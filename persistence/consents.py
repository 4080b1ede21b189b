"""Consents: per contact, channel and purpose, the latest grant or withdrawal."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field

from domain.access import Access
from domain.consents import ConsentChannel, ConsentStatus
from persistence.base import Stamped, utc_column
from persistence.db import Transaction
from persistence.declaration import RecordType, col
from persistence.spec import read_sql
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

    def __init__(self, tx: Transaction, access: Access) -> None:
        self.tx = tx
        self.actor = str(access.actor)

    async def get(self, contact_id: uuid.UUID, channel: str, purpose: str) -> dict | None:
        b = Builder()
        rows = await self.tx.rows(
            f"SELECT status, source FROM consent WHERE contact_id = {b.bind(contact_id)} "
            f"AND channel = {b.bind(channel)} AND purpose = {b.bind(purpose)}", b.params)
        return rows[0] if rows else None

    async def upsert(self, contact_id: uuid.UUID, channel: str, purpose: str,
                     values: dict) -> uuid.UUID:
        b = Builder()
        status, source, actor = (b.bind(values["status"]), b.bind(values["source"]),
                                 b.bind(self.actor))
        return await self.tx.value(
            f"INSERT INTO consent (id, contact_id, channel, purpose, status, source, recorded_at, "
            f"created_by, updated_by) VALUES ({b.bind(uuid.uuid4())}, {b.bind(contact_id)}, "
            f"{b.bind(channel)}, {b.bind(purpose)}, {status}, {source}, now(), {actor}, {actor}) "
            f"ON CONFLICT (contact_id, channel, purpose) DO UPDATE SET status = {status}, "
            f"source = {source}, recorded_at = now(), version = consent.version + 1, "
            f"updated_at = now(), updated_by = {actor} RETURNING id", b.params)


def _visible_consent(t: str, access: Access, b: Builder) -> str:
    """A consent is visible with its contact, to callers who may read consents."""
    from persistence.contacts import CONTACT

    if not access.can_read("Contact", "consents"):
        return "FALSE"
    alias = b.alias("owner")
    return (f"EXISTS (SELECT 1 FROM contact {alias} WHERE {alias}.id = {t}.contact_id "
            f"AND {read_sql(CONTACT.spec, access, alias, b)})")
CONSENT = RecordType(
    name="Consent",
    table=CONSENTS,
    groups={
        "all": (
            col("id"),
            col("channel", enum=ConsentChannel, doc="The channel."),
            col("purpose", doc="The purpose, a slug such as `newsletter`."),
            col("status", enum=ConsentStatus, doc="The latest decision."),
            col("recordedAt", doc="When the decision was recorded."),
            col("source", doc="Where the decision was made, e.g. `portal` or `web-form:signup`."),
            col("version", doc="Increases with every decision."),
        ),
    },
    visibility=_visible_consent,
)
