"""Leads, their capture events, capture forms, assignment rules and round-robin turns."""

from __future__ import annotations

import uuid
from datetime import datetime

import orjson
from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field

from domain.access import Access, RecordRule
from domain.accounts import AccountSize
from domain.leads import DUPLICATE_WINDOW_HOURS, AssignmentRule, LeadSource, LeadStatus
from persistence.base import Stamped, jsonb, one_of, utc_column
from persistence.comments import comments
from persistence.custom_fields import custom, values_column, values_index
from persistence.db import Transaction
from persistence.declaration import PROVENANCE, Children, RecordType, col, meta, ref, rel
from persistence.spec import KeysOf, through_parent
from persistence.sql import Builder
from persistence.tags import tags
from persistence.territories import owned_or_in_territory


class LeadRow(Stamped, table=True):
    __tablename__ = "lead"
    __table_args__ = (
        Index("ix_lead_created_at_id", "created_at", "id"),
        Index("ix_lead_last_name_id", "last_name", "id"),
        Index("ix_lead_email_last_captured_at", "email", "last_captured_at"),
        one_of("source", LeadSource),
        one_of("status", LeadStatus),
        CheckConstraint("score BETWEEN 0 AND 100", name="score"),
        values_index("lead"),
        # Served when contacts or accounts merge: their conversions move to the survivor.
        Index("ix_lead_converted_contact_id", "converted_contact_id",
              postgresql_where=text("converted_contact_id IS NOT NULL")),
        Index("ix_lead_converted_account_id", "converted_account_id",
              postgresql_where=text("converted_account_id IS NOT NULL")),
    )

    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=20)
    title: str | None = Field(default=None, max_length=200)
    company: str | None = Field(default=None, max_length=200)
    industry: str | None = Field(default=None, max_length=200)
    size: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, max_length=2)
    website: str | None = Field(default=None, max_length=300)
    source: str | None = Field(default=None, max_length=20)
    campaign: str | None = Field(default=None, max_length=200)
    status: str = Field(default=LeadStatus.NEW.value, max_length=20,
                        sa_column_kwargs={"server_default": LeadStatus.NEW.value})
    score: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id", index=True)
    territory_id: uuid.UUID | None = Field(default=None, foreign_key="territory.id", index=True)
    last_captured_at: datetime | None = Field(
        default=None, **utc_column(nullable=True, server_default=None))
    converted_at: datetime | None = Field(default=None, **utc_column(nullable=True,
                                                                    server_default=None))
    converted_contact_id: uuid.UUID | None = Field(default=None, foreign_key="contact.id")
    converted_account_id: uuid.UUID | None = Field(default=None, foreign_key="account.id")
    converted_opportunity_id: uuid.UUID | None = Field(default=None, foreign_key="opportunity.id")
    custom_fields: dict = Field(**values_column())


class LeadCaptureRow(Stamped, table=True):
    """One submission of a form: the first made the lead, later ones were folded into it."""

    __tablename__ = "lead_capture"
    __table_args__ = (Index("ix_lead_capture_lead_id_created_at_id", "lead_id", "created_at", "id"),)

    lead_id: uuid.UUID = Field(foreign_key="lead.id")
    form_id: uuid.UUID | None = Field(default=None, foreign_key="capture_form.id")
    payload: dict = Field(default_factory=dict, **jsonb())


class CaptureFormRow(Stamped, table=True):
    """A web form or site allowed to capture leads; its key stops working when inactive."""

    __tablename__ = "capture_form"

    name: str = Field(max_length=200, unique=True)
    source: str = Field(default=LeadSource.WEB_FORM.value, max_length=20)
    active: bool = Field(default=True, sa_column_kwargs={"server_default": "true"})
    # The hash of the form's key, its bearer credential; a new key replaces the old one.
    key_hash: str | None = Field(default=None, max_length=200, unique=True)


class AssignmentRuleRow(Stamped, table=True):
    """Leads matching the conditions go to the territory; the lowest position wins."""

    __tablename__ = "assignment_rule"

    position: int
    country: str | None = Field(default=None, max_length=2)
    industry: str | None = Field(default=None, max_length=200)
    size: str | None = Field(default=None, max_length=20)
    territory_id: uuid.UUID = Field(foreign_key="territory.id")


class RoundRobinRow(Stamped, table=True):
    """How many leads a territory has handed out: the next one goes to the next user."""

    __tablename__ = "round_robin"

    territory_id: uuid.UUID = Field(foreign_key="territory.id", unique=True)
    turns: int = 0


LEAD = RecordType(
    name="Lead",
    table=LeadRow.__table__,
    groups={
        "meta": meta(filterable=True, sortable=True),
        "provenance": PROVENANCE,
        "person": (
            col("firstName", filterable=True, doc="Given name."),
            col("lastName", sortable=True, doc="Family name."),
            col("title", doc="Job title."),
        ),
        "channels": (
            col("email", filterable=True, doc="Email address, normalised."),
            col("phone", doc="Phone number in E.164."),
        ),
        "company": (
            col("company", sortable=True, doc="Company name."),
            col("industry", filterable=True, doc="Industry."),
            col("size", enum=AccountSize, doc="Headcount band of the company."),
            col("country", filterable=True, doc="ISO 3166-1 alpha-2 country code."),
            col("website", doc="Company website."),
        ),
        "qualification": (
            col("source", filterable=True, enum=LeadSource, doc="Where it came from."),
            col("campaign", filterable=True, doc="The campaign it came from."),
            col(
                "status", filterable=True, enum=LeadStatus,
                doc="NEW, WORKING, QUALIFIED, DISQUALIFIED or CONVERTED.",
            ),
            col("score", sortable=True, doc="Lead score, 0 to 100."),
            col("lastCapturedAt", derived=True, filterable=True, doc="When a form last submitted it."),
            rel("captures", Children("LeadCapture", "lead_id", ("created_at", "id"))),
        ),
        "sales": (
            ref("owner", filterable=True, target="User", doc="The member of staff working it."),
            ref("territory", filterable=True, target="Territory", doc="Its territory."),
        ),
        "conversion": (
            col("convertedAt", derived=True, doc="When it was converted."),
            ref("convertedContact", derived=True, target="Contact", doc="The contact it became."),
            ref("convertedAccount", derived=True, target="Account", doc="The account it became part of."),
            ref(
                "convertedOpportunity", derived=True, target="Opportunity",
                doc="The deal opened when it was converted.",
            ),
        ),
        "tags": tags(),
        "custom": custom("Lead"),
        "comments": comments(),
    },
    rules={RecordRule.OWNED_OR_TERRITORY: owned_or_in_territory},
)
LEAD_CAPTURE = RecordType(
    name="LeadCapture",
    table=LeadCaptureRow.__table__,
    groups={
        "all": (
            col("id"),
            col("at", "created_at", doc="When it arrived."),
            ref("form", target="CaptureForm", doc="The form it came from."),
            col("payload", keys_of=KeysOf("Lead")),
        ),
    },
    node=False,
    visibility=through_parent,
)
CAPTURE_FORM = RecordType(
    name="CaptureForm",
    table=CaptureFormRow.__table__,
    groups={
        "all": (
            *meta(),
            col("name", filterable=True, doc="Name, unique, e.g. `Website — contact us`."),
            col("source", enum=LeadSource, doc="The source its leads get."),
            col("active", doc="false: its key (and any token for it) is refused."),
            *PROVENANCE,
        ),
    },
    unique={"uq_capture_form_name": "name"},
)
ASSIGNMENT_RULE = RecordType(
    name="AssignmentRule",
    table=AssignmentRuleRow.__table__,
    groups={
        "all": (
            *meta(),
            col("position", filterable=True, doc="Order of evaluation, lowest first."),
            col("country", doc="ISO country code the lead must have."),
            col("industry", doc="Industry the lead must have (case-insensitive)."),
            col("size", enum=AccountSize, doc="Company size the lead must have."),
            ref("territory", target="Territory", doc="Where matching leads go."),
            *PROVENANCE,
        ),
    },
)


class LeadStore:
    """Implements domain.ports.LeadStore."""

    def __init__(self, tx: Transaction, access: Access) -> None:
        self.tx = tx
        self.actor = str(access.actor)

    async def recent_by_email(self, email: str, form_id: uuid.UUID | None
                              ) -> tuple[uuid.UUID, bool] | None:
        """The lead captured with this email within the window, locked, and whether this form
        captured it within the window too; concurrent captures of one email wait for each
        other here, so that only one of them creates the lead."""
        b = Builder()
        address = b.bind(email)
        await self.tx.value(f"SELECT pg_advisory_xact_lock(hashtext('lead:' || {address}::text))",
                            b.params)
        window = f"now() - interval '{DUPLICATE_WINDOW_HOURS} hours'"
        rows = await self.tx.rows(
            f"SELECT l.id, EXISTS (SELECT 1 FROM lead_capture c WHERE c.lead_id = l.id "
            f"AND c.form_id = {b.bind(form_id)} AND c.created_at > {window}) AS same_form "
            f"FROM lead l WHERE l.email = {address} AND l.archived_at IS NULL "
            f"AND l.last_captured_at > {window} "
            f"ORDER BY l.last_captured_at DESC LIMIT 1 FOR UPDATE OF l", b.params)
        return (rows[0]["id"], rows[0]["same_form"]) if rows else None

    async def add_capture(self, lead_id: uuid.UUID, form_id: uuid.UUID | None,
                          payload: dict) -> None:
        b = Builder()
        actor = b.bind(self.actor)
        await self.tx.value(
            f"INSERT INTO lead_capture (id, lead_id, form_id, payload, created_by, updated_by) "
            f"VALUES ({b.bind(uuid.uuid4())}, {b.bind(lead_id)}, {b.bind(form_id)}, "
            f"{b.bind(orjson.dumps(payload).decode())}::jsonb, {actor}, {actor})", b.params)
        await self.tx.value("UPDATE lead SET last_captured_at = now() WHERE id = $1", (lead_id,))

    async def form(self, form_id: uuid.UUID) -> dict | None:
        b = Builder()
        rows = await self.tx.rows(f"SELECT name, source, active FROM capture_form "
                                  f"WHERE id = {b.bind(form_id)} AND archived_at IS NULL",
                                  b.params)
        return dict(rows[0]) if rows else None

    async def rules(self) -> list[AssignmentRule]:
        rows = await self.tx.rows("SELECT territory_id, country, industry, size FROM "
                                  "assignment_rule WHERE archived_at IS NULL "
                                  "ORDER BY position, created_at, id", ())
        return [AssignmentRule(**dict(r)) for r in rows]

    async def sales_users(self, territory_id: uuid.UUID) -> list[uuid.UUID]:
        """Active sales users of the territory and the territories below it, in a fixed order."""
        b = Builder()
        rows = await self.tx.rows(
            f"WITH RECURSIVE below(id) AS (SELECT {b.bind(territory_id)}::uuid UNION ALL "
            f"SELECT t.id FROM territory t JOIN below ON t.parent_id = below.id) "
            f"SELECT u.id FROM app_user u WHERE u.territory_id IN (SELECT id FROM below) "
            f"AND u.role = 'sales' AND u.active AND u.archived_at IS NULL ORDER BY u.id",
            b.params)
        return [r["id"] for r in rows]

    async def next_turn(self, territory_id: uuid.UUID) -> int:
        """Count one more turn for the territory, atomically: each caller gets its own."""
        b = Builder()
        actor = b.bind(self.actor)
        return await self.tx.value(
            f"INSERT INTO round_robin (id, territory_id, turns, created_by, updated_by) VALUES "
            f"({b.bind(uuid.uuid4())}, {b.bind(territory_id)}, 1, {actor}, {actor}) "
            f"ON CONFLICT (territory_id) DO UPDATE SET turns = round_robin.turns + 1, "
            f"updated_at = now() RETURNING turns", b.params)

    async def set_form_key(self, form_id: uuid.UUID, key_hash: str, *, new_form: bool) -> None:
        """Give the form a key (its hash), replacing the one before; a change of the form
        except on the form's creation, whose first version it is part of."""
        b = Builder()
        change = "" if new_form else (f", version = version + 1, updated_at = now(), "
                                      f"updated_by = {b.bind(self.actor)}")
        await self.tx.value(f"UPDATE capture_form SET key_hash = {b.bind(key_hash)}{change} "
                            f"WHERE id = {b.bind(form_id)}", b.params)
