"""Pipelines with ordered stages, opportunities moving through them, and their history."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Index, Numeric, UniqueConstraint, text
from sqlmodel import Field

from domain.access import Access, RecordRule
from domain.opportunities import (
    ContactRole,
    OpportunitySource,
    PipelineKind,
    Registration,
    StageKind,
)
from persistence.base import Stamped, one_of, utc_column, within_range
from persistence.comments import comments
from persistence.custom_fields import custom, values_column, values_index
from persistence.declaration import PROVENANCE, Children, RecordType, col, meta, ref, rel
from persistence.spec import through_parent
from persistence.sql import Builder
from persistence.tags import tags
from persistence.territories import owned_or_in_territory


class PipelineRow(Stamped, table=True):
    __tablename__ = "pipeline"
    __table_args__ = (
        # An archived pipeline's name may be taken again.
        Index("uq_pipeline_name", "name", unique=True, postgresql_where=text("archived_at IS NULL")),
        one_of("kind", PipelineKind),
    )

    name: str = Field(max_length=100)
    kind: str = Field(max_length=20)
    position: int = 0


class StageRow(Stamped, table=True):
    __tablename__ = "pipeline_stage"
    __table_args__ = (
        # An archived stage's name may be taken again in its pipeline.
        Index("uq_pipeline_stage_pipeline_id_name", "pipeline_id", "name", unique=True,
              postgresql_where=text("archived_at IS NULL")),
        Index("ix_pipeline_stage_pipeline_id_position", "pipeline_id", "position"),
        one_of("kind", StageKind),
        CheckConstraint("probability BETWEEN 0 AND 100", name="probability"),
    )

    pipeline_id: uuid.UUID = Field(foreign_key="pipeline.id")
    name: str = Field(max_length=100)
    position: int
    probability: int
    kind: str = Field(max_length=10)


class OpportunityRow(Stamped, table=True):
    __tablename__ = "opportunity"
    __table_args__ = (
        Index("ix_opportunity_created_at_id", "created_at", "id"),
        Index("ix_opportunity_name_id", "name", "id"),
        Index("ix_opportunity_close_date_id", "close_date", "id"),
        Index("ix_opportunity_account_id_created_at_id", "account_id", "created_at", "id"),
        one_of("source", OpportunitySource),
        one_of("registration", Registration),
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint("probability BETWEEN 0 AND 100", name="probability"),
        within_range("close_date", day=True),
        values_index("opportunity"),
    )

    account_id: uuid.UUID = Field(foreign_key="account.id")
    name: str = Field(max_length=200)
    amount: Decimal | None = Field(default=None, sa_type=Numeric(14, 2))
    currency: str = Field(max_length=3)
    close_date: date | None = None
    pipeline_id: uuid.UUID = Field(foreign_key="pipeline.id")
    stage_id: uuid.UUID = Field(foreign_key="pipeline_stage.id", index=True)
    probability: int
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id", index=True)
    territory_id: uuid.UUID | None = Field(default=None, foreign_key="territory.id", index=True)
    source: str | None = Field(default=None, max_length=20)
    campaign: str | None = Field(default=None, max_length=200)
    # A deal a partner registered, and sales' decision on it.
    partner_id: uuid.UUID | None = Field(default=None, foreign_key="partner.id", index=True)
    registration: str | None = Field(default=None, max_length=10)
    close_reason: str | None = Field(default=None, max_length=500)
    closed_at: datetime | None = Field(default=None, **utc_column(nullable=True, server_default=None))
    stage_entered_at: datetime = Field(**utc_column())
    custom_fields: dict = Field(**values_column())


class StageChangeRow(Stamped, table=True):
    """One move of an opportunity between stages: created_by moved it, at created_at."""

    __tablename__ = "opportunity_stage_change"
    __table_args__ = (
        Index("ix_opportunity_stage_change_opportunity_id_created_at_id",
              "opportunity_id", "created_at", "id"),
    )

    opportunity_id: uuid.UUID = Field(foreign_key="opportunity.id")
    from_stage_id: uuid.UUID | None = Field(default=None, foreign_key="pipeline_stage.id")
    to_stage_id: uuid.UUID = Field(foreign_key="pipeline_stage.id")


class OpportunityContactRow(Stamped, table=True):
    """A contact's role in a deal."""

    __tablename__ = "opportunity_contact"
    __table_args__ = (UniqueConstraint("opportunity_id", "contact_id"), one_of("role", ContactRole))

    opportunity_id: uuid.UUID = Field(foreign_key="opportunity.id")
    contact_id: uuid.UUID = Field(foreign_key="contact.id", index=True)
    role: str = Field(max_length=20)


def _registered_to_caller(t: str, access: Access, b: Builder) -> str:
    return f"{t}.partner_id = {b.bind(access.partner_id)}"


PIPELINE = RecordType(
    name="Pipeline",
    table=PipelineRow.__table__,
    groups={
        "all": (
            *meta(),
            col("name", filterable=True, doc="Name, unique among the live pipelines."),
            col("kind", enum=PipelineKind, doc="New business, renewal or upsell."),
            col(
                "position", filterable=True,
                doc=("Place among the pipelines; the first new-business one is where deals start unless "
                     "told otherwise."),
            ),
            rel("stages", Children("Stage", "pipeline_id", ("position", "id"))),
            *PROVENANCE,
        ),
    },
    unique={"uq_pipeline_name": "name"},
)

STAGE = RecordType(
    name="Stage",
    table=StageRow.__table__,
    groups={
        "all": (
            col("id"),
            col("name", doc="Name, unique among the live stages of its pipeline."),
            col("position", doc="Place among the live stages of its pipeline, from 1."),
            col("probability", doc="Default probability, in percent, of a deal in this stage."),
            col("kind", enum=StageKind, doc="OPEN, or WON / LOST for the stages that close a deal."),
            ref("pipeline", target="Pipeline", doc="The pipeline this stage belongs to."),
            col("version", doc="Optimistic-concurrency version."),
            col("archivedAt", doc=("When it was archived; the deals that closed in it keep "
                                   "pointing at it, and no deal moves into it.")),
        ),
    },
    unique={"uq_pipeline_stage_pipeline_id_name": "name"},
)

OPPORTUNITY = RecordType(
    name="Opportunity",
    table=OpportunityRow.__table__,
    groups={
        "meta": meta(filterable=True, sortable=True),
        "provenance": PROVENANCE,
        "deal": (
            col("name", sortable=True, doc="What is being sold, e.g. `Acme — 200 seats`."),
            ref("account", filterable=True, target="Account", doc="The customer organisation."),
            ref("pipeline", filterable=True, target="Pipeline", doc="The sales process it follows."),
            ref("stage", filterable=True, target="Stage", doc="Where it stands in its pipeline."),
            col("probability", sortable=True, doc="Chance of winning it, in percent."),
            col("closeDate", sortable=True, doc="When the deal is expected to close."),
            col("stageEnteredAt", derived=True, doc="When it entered its current stage."),
            col("closedAt", derived=True, filterable=True, doc="When it was won or lost; null while open."),
            col("closeReason", doc="Why it was won or lost."),
            col("source", filterable=True, enum=OpportunitySource, doc="Where it came from."),
            col("campaign", doc="The campaign it came from, when its source is CAMPAIGN."),
        ),
        "amounts": (
            col("amount", filterable=True, doc="Expected value, in `currency`."),
            col("currency", filterable=True, doc="ISO 4217 code of the amount."),
        ),
        "sales": (
            ref("owner", filterable=True, target="User", doc="The member of staff working it."),
            ref(
                "territory", filterable=True, target="Territory",
                doc="Its territory; by default the account's.",
            ),
        ),
        "registration": (
            ref("partner", filterable=True, target="Partner", doc="The partner that registered it."),
            col(
                "registration", filterable=True, enum=Registration,
                doc="For a partner's deal: pending until sales approves or rejects it.",
            ),
        ),
        "history": (
            rel("stageHistory", Children("StageChange", "opportunity_id",
                                                 ("created_at", "id"))),
        ),
        "contacts": (
            rel("contactRoles", Children("OpportunityContactRole", "opportunity_id",
                                                  ("role", "id"))),
        ),
        "tags": tags(),
        "custom": custom("Opportunity"),
        "comments": comments(),
    },
    rules={RecordRule.PARTNER: _registered_to_caller,
           RecordRule.OWNED_OR_TERRITORY: owned_or_in_territory},
)

STAGE_CHANGE = RecordType(
    name="StageChange",
    table=StageChangeRow.__table__,
    groups={
        "all": (
            col("id"),
            col("at", "created_at", doc="When the deal moved."),
            col("actor", "created_by"),
            ref(
                "fromStage", copy_of="Opportunity.stage", target="Stage",
                doc="The stage it left; null when it was opened.",
            ),
            ref("toStage", copy_of="Opportunity.stage", target="Stage", doc="The stage it entered."),
        ),
    },
    node=False,
    visibility=through_parent,
)

OPPORTUNITY_CONTACT = RecordType(
    name="OpportunityContactRole",
    table=OpportunityContactRow.__table__,
    groups={
        "all": (
            col("id"),
            col("version"),
            ref("contact", target="Contact", doc="The person."),
            col("role", enum=ContactRole, doc="Decision maker, economic buyer, influencer or user."),
        ),
    },
    node=False,
    visibility=through_parent,
)
