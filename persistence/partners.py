"""Partners, what is registered to them, and their OAuth2 clients."""

from __future__ import annotations

import uuid

from sqlalchemy import ARRAY, String, UniqueConstraint, exists
from sqlmodel import Field

from domain.access import RecordRule
from persistence.base import STAMP_FIELDS, Stamped
from persistence.spec import Spec


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
    rules={RecordRule.PARTNER: lambda t, a: t.c.id == a.partner_id},
    searchable={"name": ("name", "name")},
)


def registered_to_partner(link_table, link_column: str, table, access):
    """EXISTS a registration of this row to the caller's partner."""
    link_table = link_table.alias(f"{link_table.name}_rule")
    return exists().where(link_table.c[link_column] == table.c.id,
                          link_table.c.partner_id == access.partner_id)
