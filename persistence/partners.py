"""Partners, what is registered to them, and their OAuth2 clients."""

from __future__ import annotations

import uuid

from sqlalchemy import ARRAY, String, UniqueConstraint, func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import Field

from domain.access import Access, RecordRule
from persistence.base import STAMP_FIELDS, Stamped
from persistence.spec import Spec
from persistence.sql import Builder


class PartnerRow(Stamped, table=True):
    __tablename__ = "partner"

    name: str = Field(max_length=200, unique=True)


class PartnerAccountRow(Stamped, table=True):
    """An account registered to a partner: its portal may reach it."""

    __tablename__ = "partner_account"
    __table_args__ = (UniqueConstraint("partner_id", "account_id"),)

    partner_id: uuid.UUID = Field(foreign_key="partner.id")
    account_id: uuid.UUID = Field(foreign_key="account.id", index=True)


class PartnerContactRow(Stamped, table=True):
    """A contact registered to a partner: its portal may reach it."""

    __tablename__ = "partner_contact"
    __table_args__ = (UniqueConstraint("partner_id", "contact_id"),)

    partner_id: uuid.UUID = Field(foreign_key="partner.id")
    contact_id: uuid.UUID = Field(foreign_key="contact.id", index=True)


class PartnerClientRow(Stamped, table=True):
    """OAuth2 client-credentials for one partner; only a hash of the secret is kept."""

    __tablename__ = "partner_client"

    partner_id: uuid.UUID = Field(foreign_key="partner.id", index=True)
    client_id: str = Field(max_length=64, unique=True)
    secret_hash: str = Field(max_length=200)
    scopes: list[str] = Field(default_factory=list, sa_type=ARRAY(String))


PARTNER = Spec(
    type_name="Partner",
    table=PartnerRow.__table__,
    columns={**STAMP_FIELDS, "name": "name"},
    rules={RecordRule.PARTNER: lambda t, a, b: f"{t}.id = {b.bind(a.partner_id)}"},
    searchable={"name": ("name", "name")},
    unique={"uq_partner_name": "name"},
)


def registered_to_partner(link_table: str, link_column: str):
    """The rule: a registration of this row to the caller's partner exists."""
    def rule(t: str, access: Access, b: Builder) -> str:
        return (f"EXISTS (SELECT 1 FROM {link_table} reg WHERE reg.{link_column} = {t}.id "
                f"AND reg.partner_id = {b.bind(access.partner_id)} AND reg.archived_at IS NULL)")
    return rule


REGISTRATIONS = {"Account": (PartnerAccountRow.__table__, "account_id"),
                 "Contact": (PartnerContactRow.__table__, "contact_id")}


class RegistrationStore:
    """Implements domain.ports.RegistrationStore: a registration is archived, not deleted."""

    def __init__(self, conn: AsyncConnection, access: Access) -> None:
        self.conn = conn
        self.actor = str(access.actor)

    async def set(self, partner_id: uuid.UUID, record_type: str, record_id: uuid.UUID,
                  registered: bool) -> bool:
        """Register or unregister; False when the record was already in that state."""
        table, column = REGISTRATIONS[record_type]
        if registered:
            stmt = pg_insert(table).values(
                id=uuid.uuid4(), partner_id=partner_id, created_by=self.actor,
                updated_by=self.actor, **{column: record_id},
            ).on_conflict_do_update(
                index_elements=[table.c.partner_id, table.c[column]],
                set_={"archived_at": None, "version": table.c.version + 1,
                      "updated_at": func.now(), "updated_by": self.actor},
                where=table.c.archived_at.is_not(None),
            ).returning(table.c.id)
        else:
            stmt = (update(table)
                    .where(table.c.partner_id == partner_id, table.c[column] == record_id,
                           table.c.archived_at.is_(None))
                    .values(archived_at=func.now(), version=table.c.version + 1,
                            updated_at=func.now(), updated_by=self.actor)
                    .returning(table.c.id))
        return (await self.conn.execute(stmt)).first() is not None
