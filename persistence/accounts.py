"""Accounts: organisations, with a parent, an owner and a territory."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, Index, Text, text
from sqlmodel import Field

from domain.access import Access, RecordRule
from domain.accounts import AccountSize
from persistence.base import Stamped
from persistence.comments import comments
from persistence.custom_fields import custom, values_column, values_index
from persistence.declaration import PROVENANCE, RecordType, col, meta, ref, rel
from persistence.partners import registered_to_partner
from persistence.rfm import analytics, segment_filter
from persistence.sql import Builder
from persistence.tags import tags
from persistence.territories import owned_or_in_territory

ACCOUNT_SIZES = ("SOLO", "SMALL", "MEDIUM", "LARGE", "ENTERPRISE")


class AccountRow(Stamped, table=True):
    __tablename__ = "account"
    __table_args__ = (
        Index("ix_account_name_id", "name", "id"),
        Index("ix_account_created_at_id", "created_at", "id"),
        CheckConstraint(f"size IN {ACCOUNT_SIZES}", name="size"),
        values_index("account"),
        # Few rows are merged: the index serves the merge's move of references to them.
        Index("ix_account_merged_into_id", "merged_into_id",
              postgresql_where=text("merged_into_id IS NOT NULL")),
        # Unique among live accounts: an archived one frees its source system's id.
        Index("uq_account_external_id", "external_id", unique=True,
              postgresql_where=text("archived_at IS NULL")),
        Index("ix_account_domain_key", "domain_key"),
        Index("ix_account_name_key", "name_key"),
    )

    name: str = Field(max_length=200)
    legal_name: str | None = Field(default=None, max_length=200)
    industry: str | None = Field(default=None, max_length=100)
    size: str | None = Field(default=None, max_length=20)
    website: str | None = Field(default=None, max_length=300)
    # A service tier such as GOLD; SLA policies may apply by tier.
    tier: str | None = Field(default=None, max_length=40)
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="account.id", index=True)
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id", index=True)
    territory_id: uuid.UUID | None = Field(default=None, foreign_key="territory.id", index=True)
    custom_fields: dict = Field(**values_column())
    # The account this one was merged into; it is then archived.
    merged_into_id: uuid.UUID | None = Field(default=None, foreign_key="account.id")
    # The account's id in the system it was imported from.
    external_id: str | None = Field(default=None, max_length=200)
    # Duplicate detection's blocking keys (domain/match_keys.py), written by the stores; internal.
    domain_key: str | None = Field(default=None, sa_type=Text)
    name_key: str | None = Field(default=None, sa_type=Text)


def _linked_to_self(t: str, access: Access, b: Builder) -> str:
    """The customer's contact belongs to the account."""
    return (f"EXISTS (SELECT 1 FROM account_contact own WHERE own.account_id = {t}.id "
            f"AND own.contact_id = {b.bind(access.contact_id)} AND own.archived_at IS NULL)")
ACCOUNT = RecordType(
    name="Account",
    table=AccountRow.__table__,
    groups={
        "meta": (
            *meta(filterable=True, sortable=True),
            ref("mergedInto", target="Account", derived=True,
                doc="The account this one was merged into; null unless it was merged."),
        ),
        "provenance": PROVENANCE,
        "identity": (
            col("name", sortable=True, doc="Trading name."),
            col("legalName", sortable=True, doc="Registered legal name."),
            col("industry", sortable=True, doc="Industry, e.g. Software or Retail."),
            col("size", sortable=True, enum=AccountSize, doc="Headcount band."),
            col("website", filterable=True, doc="Website address."),
            ref(
                "parent", filterable=True, target="Account",
                doc="The parent organisation, e.g. a holding company.",
            ),
            ref("territory", filterable=True, target="Territory", doc="The account's territory."),
            rel("contacts"),
            col("externalId", filterable=True,
                doc="Its id in the system it was imported from; unique among live accounts."),
        ),
        "sales": (
            ref(
                "owner", filterable=True, target="User",
                doc="The member of staff responsible for the account.",
            ),
            col("tier", filterable=True, doc="Service tier, e.g. GOLD; SLA policies may apply by tier."),
        ),
        "notes": (
            rel("notes"),
        ),
        "opportunities": (
            rel("opportunities"),
        ),
        "tags": tags(),
        "custom": custom("Account"),
        "comments": comments(),
        "analytics": analytics(),
    },
    rules={
        RecordRule.PARTNER: registered_to_partner("partner_account", "account_id"),
        RecordRule.LINKED_TO_SELF: _linked_to_self,
        RecordRule.OWNED_OR_TERRITORY: owned_or_in_territory,
    },
    parent_column="parent_id",
    unique={"uq_account_external_id": "externalId"},
    also_filterable=(segment_filter("Account"),),
)
