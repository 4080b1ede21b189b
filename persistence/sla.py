"""Business calendars and SLA policies, kept as data, and what escalation reads of cases."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field

from domain.access import Access
from domain.business_time import parse_calendar
from domain.sla import MOMENTS, BreachAction, Metric, SlaPolicy, Target
from persistence.base import Stamped, jsonb, one_of
from persistence.cases import CASE
from persistence.db import Transaction
from persistence.declaration import PROVENANCE, RecordType, col, meta, ref
from persistence.sql import Builder


class BusinessCalendarRow(Stamped, table=True):
    """Working hours in a time zone, and holidays."""

    __tablename__ = "business_calendar"

    name: str = Field(max_length=200, unique=True)
    time_zone: str = Field(max_length=64)
    # [{"day": "MONDAY", "start": "09:00", "end": "17:00"}, ...]
    hours: list = Field(default_factory=list, **jsonb())
    # [{"date": "2026-12-25", "name": "Christmas Day"}, ...]
    holidays: list = Field(default_factory=list, **jsonb())


class SlaPolicyRow(Stamped, table=True):
    """Targets per priority, in business minutes, for the cases it applies to."""

    __tablename__ = "sla_policy"
    __table_args__ = (one_of("breach_action", BreachAction),
                      CheckConstraint("at_risk_percent BETWEEN 1 AND 99", name="at_risk"))

    name: str = Field(max_length=200, unique=True)
    calendar_id: uuid.UUID = Field(foreign_key="business_calendar.id")
    # [{"priority": "URGENT", "firstResponseMinutes": 30, "resolutionMinutes": 240}, ...]
    targets: list = Field(default_factory=list, **jsonb())
    at_risk_percent: int = Field(default=80, sa_column_kwargs={"server_default": "80"})
    account_tier: str | None = Field(default=None, max_length=40)
    product_id: uuid.UUID | None = Field(default=None, foreign_key="product.id")
    position: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    breach_action: str = Field(default=BreachAction.NONE.value, max_length=20)
    escalation_queue_id: uuid.UUID | None = Field(default=None, foreign_key="case_queue.id")
    escalation_user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    active: bool = Field(default=True, sa_column_kwargs={"server_default": "true"})
CALENDAR = RecordType(
    name="BusinessCalendar",
    table=BusinessCalendarRow.__table__,
    groups={
        "all": (
            *meta(),
            col("name", filterable=True, doc="Name, unique."),
            col("timeZone", doc="IANA time zone, e.g. Europe/Berlin."),
            col("hours"),
            col("holidays"),
            *PROVENANCE,
        ),
    },
    unique={"uq_business_calendar_name": "name"},
)
SLA_POLICY = RecordType(
    name="SlaPolicy",
    table=SlaPolicyRow.__table__,
    groups={
        "all": (
            *meta(),
            col("name", filterable=True, doc="Name, unique."),
            ref("calendar", target="BusinessCalendar", doc="What business time is."),
            col("targets"),
            col("atRiskPercent", doc="A target is at risk once this share of it is used."),
            col("accountTier", doc="Applies to accounts of this tier."),
            ref("product", target="Product", doc="Applies to cases about this product."),
            col("position", filterable=True, doc="Among equally specific policies, the lowest applies."),
            col("breachAction", enum=BreachAction, doc="RAISE_PRIORITY, REASSIGN or NONE."),
            ref("escalationQueue", target="CaseQueue", doc="REASSIGN: the queue a breached case moves to."),
            ref("escalationUser", target="User", doc="REASSIGN: the agent it goes to."),
            col("active", doc="Inactive policies apply to no new case."),
            *PROVENANCE,
        ),
    },
    unique={"uq_sla_policy_name": "name"},
)
_MOMENT_COLUMNS = {CASE.spec.columns[field]: moment for field, moment in MOMENTS.items()}
_POLICY_SQL = (
    "SELECT p.id, p.product_id, p.account_tier, p.targets, p.at_risk_percent, "
    "p.breach_action, p.escalation_queue_id, p.escalation_user_id, c.time_zone, c.hours, "
    "c.holidays FROM sla_policy p JOIN business_calendar c ON c.id = p.calendar_id "
    "WHERE p.active AND p.archived_at IS NULL")


def _policy(row) -> SlaPolicy:
    """A policy from its row (JSON columns arrive decoded)."""
    targets = {t["priority"]: Target(t["firstResponseMinutes"], t["resolutionMinutes"])
               for t in row["targets"]}
    return SlaPolicy(row["id"], parse_calendar(row["time_zone"], row["hours"], row["holidays"]),
                     targets, row["at_risk_percent"], BreachAction(row["breach_action"]),
                     row["escalation_queue_id"], row["escalation_user_id"])


class SlaStore:
    """Implements domain.ports.SlaStore: policies, and the cases escalation looks at."""

    def __init__(self, tx: Transaction, access: Access) -> None:
        self.tx = tx
        self.actor = str(access.actor)

    async def matching(self, product_id, account_id) -> SlaPolicy | None:
        """The policy for a case's product, else its account's tier, else the default one."""
        b = Builder()
        rows = await self.tx.rows(
            f"{_POLICY_SQL} AND (p.product_id = {b.bind(product_id)} OR (p.product_id IS NULL "
            f"AND (p.account_tier IS NULL OR p.account_tier = (SELECT tier FROM account WHERE "
            f"id = {b.bind(account_id)})))) ORDER BY p.product_id IS NULL, "
            f"p.account_tier IS NULL, p.position, p.name LIMIT 1", b.params)
        return _policy(rows[0]) if rows else None

    async def policy(self, policy_id: uuid.UUID) -> SlaPolicy | None:
        rows = await self.tx.rows(f"{_POLICY_SQL} AND p.id = $1", (policy_id,))
        return _policy(rows[0]) if rows else None

    async def due_cases(self, now: datetime, limit: int,
                        skip: Collection[uuid.UUID] = ()) -> list[uuid.UUID]:
        """Running cases with a moment passed that escalation has not recorded, locked; cases
        another run holds are skipped, so two runs never act on one case at once, and so are
        the cases in `skip` (this run's, done or failed)."""
        passed = " OR ".join(
            f"(c.{column} <= $1 AND NOT EXISTS (SELECT 1 FROM case_escalation e WHERE "
            f"e.case_id = c.id AND e.metric = '{metric}' AND e.level = '{level}')"
            f"{' AND c.first_response_at IS NULL' if metric == Metric.FIRST_RESPONSE else ''})"
            for column, (metric, level) in _MOMENT_COLUMNS.items())
        rows = await self.tx.rows(
            f"SELECT c.id FROM service_case c WHERE c.status NOT IN ('RESOLVED', 'CLOSED') "
            f"AND c.sla_paused_since IS NULL AND c.archived_at IS NULL AND ({passed}) "
            f"AND c.id <> ALL($3::uuid[]) "
            f"ORDER BY c.opened_at, c.id LIMIT $2 FOR UPDATE OF c SKIP LOCKED",
            (now, limit, list(skip)))
        return [r["id"] for r in rows]

    async def recorded(self, case_id: uuid.UUID) -> set[tuple[str, str]]:
        rows = await self.tx.rows("SELECT metric, level FROM case_escalation WHERE case_id = $1",
                                  (case_id,))
        return {(r["metric"], r["level"]) for r in rows}

    async def record(self, case_id: uuid.UUID, at: datetime, metric: str, level: str,
                     action: str | None) -> None:
        """An escalation moment; what it changed is in the case's audit trail."""
        b = Builder()
        actor = b.bind(self.actor)
        await self.tx.value(
            f"INSERT INTO case_escalation (id, case_id, at, metric, level, action, created_by, "
            f"updated_by) VALUES ({b.bind(uuid.uuid4())}, {b.bind(case_id)}, {b.bind(at)}, "
            f"{b.bind(metric)}, {b.bind(level)}, {b.bind(action)}, {actor}, {actor})", b.params)
