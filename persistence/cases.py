"""Service cases with their SLA clock, queues, time entries and escalation events."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field

from domain.access import Access, RecordRule
from domain.cases import CaseChannel, CasePriority, CaseStatus, CaseType
from domain.sla import Level, Metric
from persistence.base import Stamped, one_of, utc_column, within_range
from persistence.comments import comments
from persistence.custom_fields import custom, values_column, values_index
from persistence.declaration import PROVENANCE, Children, RecordType, col, meta, ref, rel
from persistence.partners import registered_to_partner
from persistence.spec import through_parent
from persistence.sql import Builder
from persistence.tags import tags


def _moment() -> dict:
    return {"default": None, **utc_column(nullable=True, server_default=None)}


class CaseQueueRow(Stamped, table=True):
    """A team that works cases, e.g. Billing or Second level."""

    __tablename__ = "case_queue"

    name: str = Field(max_length=100, unique=True)
    description: str | None = None
    active: bool = Field(default=True, sa_column_kwargs={"server_default": "true"})


class CaseRow(Stamped, table=True):
    __tablename__ = "service_case"
    __table_args__ = (
        Index("ix_service_case_contact_id_opened_at_id", "contact_id", "opened_at", "id"),
        Index("ix_service_case_account_id_opened_at_id", "account_id", "opened_at", "id"),
        Index("ix_service_case_opened_at_id", "opened_at", "id"),
        # The escalation job looks only at running cases.
        Index("ix_service_case_running", "first_response_risk_at", "resolution_risk_at",
              postgresql_where=text("status NOT IN ('RESOLVED', 'CLOSED') "
                                    "AND sla_paused_since IS NULL")),
        one_of("type", CaseType), one_of("priority", CasePriority),
        one_of("status", CaseStatus), one_of("channel", CaseChannel),
        CheckConstraint("num_nonnulls(contact_id, account_id) > 0", name="customer"),
        CheckConstraint("time_spent_minutes >= 0", name="time_spent"),
        within_range("opened_at"),
        values_index("service_case"),
    )

    # Human-readable and sequential: CS-000123, from the case_number sequence.
    number: str = Field(max_length=20, unique=True, sa_column_kwargs={"server_default": text(
        "crm_numbered('CS-', 'case_number')")})
    contact_id: uuid.UUID | None = Field(default=None, foreign_key="contact.id")
    account_id: uuid.UUID | None = Field(default=None, foreign_key="account.id")
    subject: str = Field(max_length=300)
    description: str | None = None
    type: str = Field(max_length=20)
    priority: str = Field(max_length=10)
    status: str = Field(max_length=20)
    channel: str = Field(max_length=10)
    assignee_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id", index=True)
    queue_id: uuid.UUID | None = Field(default=None, foreign_key="case_queue.id", index=True)
    product_id: uuid.UUID | None = Field(default=None, foreign_key="product.id")
    previous_case_id: uuid.UUID | None = Field(default=None, foreign_key="service_case.id")
    sla_policy_id: uuid.UUID | None = Field(default=None, foreign_key="sla_policy.id")
    opened_at: datetime = Field(**utc_column())
    first_response_at: datetime | None = Field(**_moment())
    first_response_minutes: int | None = None
    resolved_at: datetime | None = Field(**_moment())
    resolution_minutes: int | None = None
    closed_at: datetime | None = Field(**_moment())
    # The SLA clock: business minutes spent pending the customer push every moment back.
    sla_paused_since: datetime | None = Field(**_moment())
    sla_paused_minutes: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    first_response_risk_at: datetime | None = Field(**_moment())
    first_response_due_at: datetime | None = Field(**_moment())
    resolution_risk_at: datetime | None = Field(**_moment())
    resolution_due_at: datetime | None = Field(**_moment())
    # Flags escalation sets; the moments themselves are its CaseEscalation entries.
    at_risk: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
    breached: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
    time_spent_minutes: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    custom_fields: dict = Field(**values_column())


class TimeEntryRow(Stamped, table=True):
    """Time someone spent on a case."""

    __tablename__ = "case_time_entry"
    __table_args__ = (Index("ix_case_time_entry_case_id_at", "case_id", "at"),
                      CheckConstraint("minutes > 0", name="minutes"))

    case_id: uuid.UUID = Field(foreign_key="service_case.id")
    at: datetime = Field(**utc_column())
    minutes: int
    user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    note: str | None = Field(default=None, max_length=2000)


class EscalationRow(Stamped, table=True):
    """A moment of a case's SLA that escalation acted on; each is recorded once."""

    __tablename__ = "case_escalation"
    __table_args__ = (UniqueConstraint("case_id", "metric", "level"),
                      one_of("metric", Metric), one_of("level", Level))

    case_id: uuid.UUID = Field(foreign_key="service_case.id")
    at: datetime = Field(**utc_column())
    metric: str = Field(max_length=20)
    level: str = Field(max_length=10)
    action: str | None = Field(default=None, max_length=300)


class CaseArticleRow(Stamped, table=True):
    """A knowledge article used to solve a case."""

    __tablename__ = "case_article"
    __table_args__ = (UniqueConstraint("case_id", "article_id"),)

    case_id: uuid.UUID = Field(foreign_key="service_case.id")
    article_id: uuid.UUID = Field(foreign_key="article.id", index=True)


def _own_cases(t: str, access: Access, b: Builder) -> str:
    return f"{t}.contact_id = {b.bind(access.contact_id)}"


CASE_QUEUE = RecordType(
    name="CaseQueue",
    table=CaseQueueRow.__table__,
    groups={
        "all": (
            *meta(),
            col("name", filterable=True, doc="Name, unique."),
            col("description", doc="What the team handles."),
            col("active", filterable=True, doc="Inactive queues take no new cases."),
            *PROVENANCE,
        ),
    },
    unique={"uq_case_queue_name": "name"},
)
CASE = RecordType(
    name="Case",
    table=CaseRow.__table__,
    groups={
        "meta": meta(filterable=True, sortable=("createdAt",)),
        "provenance": PROVENANCE,
        "request": (
            col("subject", filterable=True, doc="Subject."),
            col("description", doc="What the customer wrote."),
            col(
                "type", filterable=True, enum=CaseType,
                doc="QUESTION, PROBLEM, FEATURE_REQUEST or COMPLAINT.",
            ),
            ref("product", filterable=True, target="Product", doc="The product it concerns."),
            col(
                "channel", filterable=True, enum=CaseChannel,
                doc="EMAIL, PHONE, WEB, CHAT, PORTAL or SOCIAL.",
            ),
        ),
        "state": (
            col("number", sortable=True, doc="Human-readable and sequential, e.g. CS-000123."),
            ref("contact", filterable=True, target="Contact", doc="Who asked."),
            ref("account", filterable=True, target="Account", doc="For which organisation."),
            col(
                "priority", sortable=True, enum=CasePriority,
                doc="LOW, NORMAL, HIGH or URGENT; sets the SLA targets.",
            ),
            col(
                "status", filterable=True, enum=CaseStatus,
                doc="NEW, OPEN, PENDING_CUSTOMER, ON_HOLD, RESOLVED or CLOSED.",
            ),
            col("openedAt", derived=True, sortable=True, doc="When it came in; the SLA clock starts here."),
            col("resolvedAt", derived=True, filterable=True, doc="When it was resolved."),
            col("closedAt", derived=True, doc="When it was closed."),
            ref(
                "previousCase", target="Case",
                doc="The case this one follows up (reopened after the 7-day window).",
            ),
        ),
        "conversation": (
            *comments(),
            rel("articles", Children("CaseArticle", "case_id", ("created_at", "id"))),
        ),
        "handling": (
            ref("assignee", filterable=True, target="User", doc="The agent working it."),
            ref("queue", filterable=True, target="CaseQueue", doc="The team working it."),
            rel("timeEntries", Children("TimeEntry", "case_id", ("at", "id"))),
            col("timeSpentMinutes", derived=True, doc="All time spent, in minutes."),
        ),
        "sla": (
            ref("slaPolicy", derived=True, target="SlaPolicy", doc="The SLA policy it falls under."),
            col("firstResponseAt", derived=True, doc="When staff first replied, customer-visibly."),
            col(
                "firstResponseMinutes", derived=True,
                doc="First response time, in business minutes, without time pending the customer.",
            ),
            col("firstResponseDueAt", derived=True, doc="When the first response is due."),
            col("firstResponseRiskAt", derived=True, doc="When the first response becomes at risk."),
            col(
                "resolutionMinutes", derived=True,
                doc="Resolution time, in business minutes, without time pending the customer.",
            ),
            col("resolutionDueAt", derived=True, sortable=True, doc="When the resolution is due."),
            col("resolutionRiskAt", derived=True, doc="When the resolution becomes at risk."),
            col(
                "slaPausedSince", derived=True,
                doc="Set while the case is pending the customer: the SLA clock stands still.",
            ),
            col("slaPausedMinutes", derived=True, doc="Business minutes the clock stood still so far."),
            col("atRisk", derived=True, doc="Escalation found a target at risk."),
            col("breached", derived=True, doc="Escalation found a target breached."),
            rel("escalations", Children("CaseEscalation", "case_id", ("at", "id"))),
        ),
        "tags": tags(),
        "custom": custom("Case"),
    },
    rules={RecordRule.SELF: _own_cases,
           RecordRule.PARTNER: registered_to_partner("partner_account", "account_id",
                                                     column="account_id")},
    unique={"uq_service_case_number": "number"},
)
TIME_ENTRY = RecordType(
    name="TimeEntry",
    table=TimeEntryRow.__table__,
    groups={
        "all": (
            col("id"),
            col("version"),
            col("at", doc="When it was logged."),
            col("minutes", doc="Minutes spent."),
            ref("user", target="User", doc="Who spent them."),
            col("note", doc="What was done."),
        ),
    },
    node=False,
    visibility=through_parent,
)
CASE_ARTICLE = RecordType(
    name="CaseArticle",
    table=CaseArticleRow.__table__,
    groups={
        "all": (
            col("id"),
            ref("article", target="Article", doc="The article; null when you may not read it."),
            col("linkedAt", "created_at", doc="When it was linked."),
        ),
    },
    node=False,
    visibility=through_parent,
    pairs=("case_id", "article_id"),
)
ESCALATION = RecordType(
    name="CaseEscalation",
    table=EscalationRow.__table__,
    groups={
        "all": (
            col("id"),
            col("at", doc="When the moment passed: the at-risk moment or the due time."),
            col("metric", enum=Metric, doc="Which target."),
            col("level", enum=Level, doc="AT_RISK or BREACHED."),
            col("action", doc="What the policy did, e.g. priority raised to HIGH."),
        ),
    },
    node=False,
    visibility=through_parent,
)
