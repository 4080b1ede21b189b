"""Partners, what is registered to them, and their OAuth2 clients."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ARRAY, String, UniqueConstraint
from sqlmodel import Field

from domain.access import Access, RecordRule
from persistence.base import Stamped, utc_column
from persistence.declaration import UNSHOWN_STAMPS, RecordType, col, input_only
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
    # A revoked client gets no token, and the tokens it got stop working.
    revoked_at: datetime | None = Field(default=None, **utc_column(nullable=True,
                                                                    server_default=None))
    # After a rotation, the secret before it keeps working until this time.
    previous_secret_hash: str | None = Field(default=None, max_length=200)
    previous_secret_expires_at: datetime | None = Field(
        default=None, **utc_column(nullable=True, server_default=None))
PARTNER = RecordType(
    name="Partner",
    table=PartnerRow.__table__,
    groups={
        "all": (
            col("id"),
            col("name", filterable=True, doc="Name, unique across partners."),
            col("version", doc="Optimistic-concurrency version; send it back to change it."),
        ),
        "registrations": (
            input_only(
                "registrations", "which accounts and contacts the partner's portal reaches: "
                "written by partnerRegister, read through those records' rules"),
        ),
    },
    stored=UNSHOWN_STAMPS,
    rules={RecordRule.PARTNER: lambda t, a, b: f"{t}.id = {b.bind(a.partner_id)}"},
    unique={"uq_partner_name": "name"},
)


def registered_to_partner(link_table: str, link_column: str, column: str = "id"):
    """The rule: a registration to the caller's partner exists of this row, or of the row its
    `column` points at (a case's account)."""
    def rule(t: str, access: Access, b: Builder) -> str:
        return (f"EXISTS (SELECT 1 FROM {link_table} reg WHERE reg.{link_column} = {t}.{column} "
                f"AND reg.partner_id = {b.bind(access.partner_id)} AND reg.archived_at IS NULL)")
    return rule
