"""Contacts: people, with their emails, phones and address, and their account links."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, Computed, Index, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from domain.access import RecordRule
from domain.contacts import LifecycleStage
from persistence.base import Stamped, jsonb
from persistence.comments import comments
from persistence.custom_fields import custom, values_column, values_index
from persistence.declaration import (
    PROVENANCE,
    Children,
    Filterable,
    RecordType,
    col,
    meta,
    ref,
    rel,
)
from persistence.lifetime import lifetime_field
from persistence.partners import registered_to_partner
from persistence.rfm import analytics, segment_filter
from persistence.tags import tags
from persistence.territories import owned_or_in_territory

LIFECYCLE_STAGES = ("SUBSCRIBER", "LEAD", "PROSPECT", "CUSTOMER", "CHURNED")


class ContactRow(Stamped, table=True):
    __tablename__ = "contact"
    __table_args__ = (
        Index("ix_contact_last_name_id", "last_name", "id"),
        Index("ix_contact_territory_last_name_id", "territory_id", "last_name", "id"),
        # An aggregate of one territory's live contacts by stage, owner, score or creation
        # reads this index alone, not the rows (persistence/aggregates.py).
        Index("ix_contact_territory_aggregates", "territory_id", "lifecycle_stage",
              postgresql_include=["owner_id", "lead_score", "created_at"],
              postgresql_where=text("archived_at IS NULL")),
        Index("ix_contact_created_at_id", "created_at", "id"),
        Index("ix_contact_primary_email", "primary_email"),
        # Few rows are merged: the index serves the merge's move of references to them.
        Index("ix_contact_merged_into_id", "merged_into_id",
              postgresql_where=text("merged_into_id IS NOT NULL")),
        CheckConstraint(f"lifecycle_stage IN {LIFECYCLE_STAGES}", name="lifecycle_stage"),
        CheckConstraint("lead_score BETWEEN 0 AND 100", name="lead_score"),
        values_index("contact"),
        # Unique among live contacts: an archived card frees its source system's id.
        Index("uq_contact_external_id", "external_id", unique=True,
              postgresql_where=text("archived_at IS NULL")),
        Index("ix_contact_email_keys", "email_keys", postgresql_using="gin"),
        Index("ix_contact_phone_keys", "phone_keys", postgresql_using="gin"),
        Index("ix_contact_name_key", "name_key"),
    )

    first_name: str | None = Field(default=None, max_length=200)
    last_name: str = Field(max_length=200)
    # Lists of {address|number, primary, label}; the primary entry is kept first.
    emails: list = Field(default_factory=list, **jsonb(sa_column_kwargs={"server_default": "[]"}))
    phones: list = Field(default_factory=list, **jsonb(sa_column_kwargs={"server_default": "[]"}))
    address: dict | None = Field(default=None, **jsonb(nullable=True))
    lifecycle_stage: str = Field(default="LEAD", max_length=20,
                                 sa_column_kwargs={"server_default": "LEAD"})
    lead_score: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id", index=True)
    territory_id: uuid.UUID | None = Field(default=None, foreign_key="territory.id")
    # Derived, so that lookups by email use an index without unpacking the list.
    primary_email: str | None = Field(
        default=None,
        sa_type=Text,
        sa_column_args=[Computed("lower(emails -> 0 ->> 'address')", persisted=True)],
    )
    custom_fields: dict = Field(**values_column())
    # The contact this one was merged into; it is then archived, and tokens acting as it act
    # as that contact (persistence/identities.py).
    merged_into_id: uuid.UUID | None = Field(default=None, foreign_key="contact.id")
    # The contact's id in the system it was imported from.
    external_id: str | None = Field(default=None, max_length=200)
    # Duplicate detection's blocking keys (domain/match_keys.py), internal: no field, no group.
    # Generated from the lists, so that every write path keeps them without Python.
    email_keys: list[str] | None = Field(
        default=None,
        sa_type=ARRAY(Text),
        sa_column_args=[Computed("crm_email_keys(emails)", persisted=True)],
    )
    phone_keys: list[str] | None = Field(
        default=None,
        sa_type=ARRAY(Text),
        sa_column_args=[Computed("crm_phone_keys(phones)", persisted=True)],
    )
    # Metaphone has no SQL form here (no fuzzystrmatch), so the stores write it from Python.
    name_key: str | None = Field(default=None, sa_type=Text)


class AccountContactRow(Stamped, table=True):
    """A contact's place in an account; a B2C contact has none."""

    __tablename__ = "account_contact"
    __table_args__ = (UniqueConstraint("account_id", "contact_id"),)

    account_id: uuid.UUID = Field(foreign_key="account.id")
    contact_id: uuid.UUID = Field(foreign_key="contact.id", index=True)
    job_title: str | None = Field(default=None, max_length=200)
    is_decision_maker: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
CONTACT = RecordType(
    name="Contact",
    table=ContactRow.__table__,
    groups={
        "meta": (
            *meta(filterable=True, sortable=True),
            ref("mergedInto", target="Contact", derived=True,
                doc="The contact this one was merged into; null unless it was merged."),
        ),
        "provenance": PROVENANCE,
        "names": (
            col("firstName", sortable=True, doc="Given name."),
            col("lastName", sortable=True, doc="Family name."),
        ),
        "identity": (
            rel("accounts"),
            col("externalId", filterable=True,
                doc="Its id in the system it was imported from; unique among live contacts."),
            ref(
                "territory", filterable=True, target="Territory",
                doc="The territory this person belongs to.",
            ),
        ),
        "channels": (
            col("emails"),
            col("phones"),
            col("address"),
        ),
        "sales": (
            ref(
                "owner", filterable=True, target="User",
                doc="The member of staff responsible for this person.",
            ),
            col(
                "lifecycleStage", sortable=True, enum=LifecycleStage,
                doc="Subscriber, lead, prospect, customer or churned.",
            ),
            col("leadScore", sortable=True, doc="0-100: how likely the person is to buy."),
        ),
        "consents": (
            rel("consents", Children("Consent", "contact_id", ("channel", "purpose"))),
        ),
        "notes": (
            rel("notes"),
        ),
        "tags": tags(),
        "custom": custom("Contact"),
        "comments": comments(),
        "analytics": (*analytics(), lifetime_field()),
    },
    also_filterable=(Filterable("email", "primary_email", guard="emails",
                                description="Primary email address, lower case.",
                                sortable=True),
                     segment_filter("Contact")),
    unique={"uq_contact_external_id": "externalId"},
    rules={
        RecordRule.SELF: lambda t, a, b: f"{t}.id = {b.bind(a.contact_id)}",
        RecordRule.PARTNER: registered_to_partner("partner_contact", "contact_id"),
        RecordRule.OWNED_OR_TERRITORY: owned_or_in_territory,
    },
)
ACCOUNT_CONTACT = RecordType(
    name="AccountContact",
    table=AccountContactRow.__table__,
    groups={"identity": (col("jobTitle"), col("isDecisionMaker"))},
    node=False,
    on_edges=True,
)
