"""Accounts: organisations, with a parent, an owner and a territory."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, Index, exists
from sqlmodel import Field

from domain.access import RecordRule
from persistence.base import STAMP_FIELDS, STAMP_SEARCH, Stamped
from persistence.partners import PartnerAccountRow, registered_to_partner
from persistence.spec import Spec
from persistence.territories import owned_or_in_territory

ACCOUNT_SIZES = ("SOLO", "SMALL", "MEDIUM", "LARGE", "ENTERPRISE")


class AccountRow(Stamped, table=True):
    __tablename__ = "account"
    __table_args__ = (
        Index("ix_account_name_id", "name", "id"),
        Index("ix_account_created_at_id", "created_at", "id"),
        CheckConstraint(f"size IN {ACCOUNT_SIZES}", name="size"),
    )

    name: str = Field(max_length=200)
    legal_name: str | None = Field(default=None, max_length=200)
    industry: str | None = Field(default=None, max_length=100)
    size: str | None = Field(default=None, max_length=20)
    website: str | None = Field(default=None, max_length=300)
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="account.id", index=True)
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id", index=True)
    territory_id: uuid.UUID | None = Field(default=None, foreign_key="territory.id", index=True)


def _linked_to_self(table, access):
    from persistence.contacts import AccountContactRow

    # An alias, so that the EXISTS does not correlate with a query that joins the links too.
    links = AccountContactRow.__table__.alias("own_links")
    return exists().where(links.c.account_id == table.c.id,
                          links.c.contact_id == access.contact_id,
                          links.c.archived_at.is_(None))


ACCOUNT = Spec(
    type_name="Account",
    table=AccountRow.__table__,
    columns={**STAMP_FIELDS, "name": "name", "legalName": "legal_name", "industry": "industry",
             "size": "size", "website": "website", "parent": "parent_id", "owner": "owner_id",
             "territory": "territory_id"},
    rules={
        RecordRule.PARTNER: lambda t, a: registered_to_partner(
            PartnerAccountRow.__table__, "account_id", t, a),
        RecordRule.LINKED_TO_SELF: _linked_to_self,
        RecordRule.OWNED_OR_TERRITORY: owned_or_in_territory,
    },
    parent_column="parent_id",
    searchable={
        **STAMP_SEARCH,
        "name": ("name", "name"), "legalName": ("legal_name", "legalName"),
        "industry": ("industry", "industry"), "size": ("size", "size"),
        "website": ("website", "website"), "parent": ("parent_id", "parent"),
        "owner": ("owner_id", "owner"), "territory": ("territory_id", "territory"),
    },
)
