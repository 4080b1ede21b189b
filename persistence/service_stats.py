"""Service statistics in one statement: counts, median times and the SLA-met rate.

Figures count the cases the caller reads, under its record rule like any other read, and
are for roles that read the fields they count and group by (READS and each grouping's reads).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from domain.access import Access
from domain.cases import DONE
from persistence.cases import CASE
from persistence.db import Reader
from persistence.spec import read_sql
from persistence.sql import Builder, read_rows


class Grouping(NamedTuple):
    """What cases are grouped by: the SQL of the key, of its display name, and the policy
    fields a caller must read to see cases grouped so."""

    key: str
    name: str
    reads: tuple[str, ...]


GROUPS = {
    "TYPE": Grouping("c.type", "c.type", ("Case.type",)),
    "QUEUE": Grouping("c.queue_id", "q.name", ("Case.queue", "CaseQueue.name")),
    "PRIORITY": Grouping("c.priority", "c.priority", ("Case.priority",)),
    "CHANNEL": Grouping("c.channel", "c.channel", ("Case.channel",)),
}
# What the figures select cases by and count, whatever they group by.
READS = ("Case.openedAt", "Case.archivedAt", "Case.status", "Case.resolvedAt",
         "Case.firstResponseAt", "Case.firstResponseMinutes", "Case.firstResponseDueAt",
         "Case.resolutionMinutes", "Case.resolutionDueAt", "Case.slaPolicy", "Case.breached")
_DONE = ", ".join(f"'{s.value}'" for s in DONE)
FIGURES = (
    "count(*) AS cases, "
    f"count(*) FILTER (WHERE c.status NOT IN ({_DONE})) AS open_cases, "
    "count(c.resolved_at) AS resolved, "
    "percentile_cont(0.5) WITHIN GROUP (ORDER BY c.first_response_minutes) "
    "  AS median_first_response_minutes, "
    "percentile_cont(0.5) WITHIN GROUP (ORDER BY c.resolution_minutes) "
    "  AS median_resolution_minutes, "
    # Met: resolved in time, and answered (or resolved) within the first-response target.
    # Measured: resolved, or flagged breached while still running.
    "count(*) FILTER (WHERE c.sla_policy_id IS NOT NULL AND c.resolved_at IS NOT NULL "
    "  AND c.resolved_at <= c.resolution_due_at AND coalesce(c.first_response_at, "
    "  c.resolved_at) <= c.first_response_due_at) AS sla_met, "
    "count(*) FILTER (WHERE c.sla_policy_id IS NOT NULL AND (c.resolved_at IS NOT NULL "
    "  OR c.breached)) AS sla_measured"
)


async def service_stats(reader: Reader, access: Access, start: date, end: date, group_by: str
                        ) -> tuple[dict, list[dict]]:
    """Totals and one row per group for the cases opened from `start` to `end` (UTC days,
    both included)."""
    key, name, _ = GROUPS[group_by]
    b = Builder()
    window = (f"c.archived_at IS NULL AND c.opened_at >= {b.bind(start)}::date AND "
              f"c.opened_at < {b.bind(end + timedelta(days=1))}::date "
              f"AND {read_sql(CASE.spec, access, 'c', b)}")
    sql = (f"SELECT {key} AS group_key, {name} AS group_name, {FIGURES}, "
           f"GROUPING({key}, {name}) AS total FROM service_case c "
           f"LEFT JOIN case_queue q ON q.id = c.queue_id WHERE {window} "
           f"GROUP BY GROUPING SETS (({key}, {name}), ()) ORDER BY total, group_name NULLS LAST")
    rows = await read_rows(reader, sql, b)
    totals = next((r for r in rows if r["total"]), None) or _empty()
    return totals, [r for r in rows if not r["total"]]


def _empty() -> dict:
    return {"group_key": None, "group_name": None, "cases": 0, "open_cases": 0, "resolved": 0,
            "median_first_response_minutes": None, "median_resolution_minutes": None,
            "sla_met": 0, "sla_measured": 0}
