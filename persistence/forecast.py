"""The sales forecast, added up in SQL from the opportunities the caller may see."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from domain.access import Access
from domain.opportunities import COMMITTED_PROBABILITY, ForecastGroup, ForecastPeriod, Registration
from persistence.db import Reader
from persistence.opportunities import OPPORTUNITY
from persistence.spec import read_sql
from persistence.sql import Builder, read_rows


class Grouping(NamedTuple):
    """What deals are added up by: the opportunity's column, the table its name comes from,
    and the policy fields a caller must read to see deals grouped so."""

    column: str
    names: str
    reads: tuple[str, ...]


GROUPS = {
    ForecastGroup.OWNER: Grouping("owner_id", "app_user", ("Opportunity.owner", "User.name")),
    ForecastGroup.TERRITORY: Grouping("territory_id", "territory",
                                      ("Opportunity.territory", "Territory.name")),
    ForecastGroup.PIPELINE: Grouping("pipeline_id", "pipeline",
                                     ("Opportunity.pipeline", "Pipeline.name")),
}
# What every forecast selects deals by and adds up, whatever it groups by.
READS = ("Opportunity.amount", "Opportunity.currency", "Opportunity.closeDate",
         "Opportunity.probability", "Opportunity.stage", "Opportunity.registration",
         "Opportunity.archivedAt")
# Deals fall in the month or quarter of their expected close date.
PERIOD_READS = ("Opportunity.closeDate",)


async def forecast(reader: Reader, access: Access, period: ForecastPeriod, start: date,
                   end: date, group: ForecastGroup) -> list[dict]:
    """Per group, period and currency: open, weighted, committed and won amounts, and deals.

    Deals fall in the period of their expected close date. Pending and rejected partner
    registrations are not part of the forecast until sales approves them.
    """
    column, names, _ = GROUPS[group]
    b = Builder()
    unit = b.bind(period.value.lower())
    committed = b.bind(COMMITTED_PROBABILITY)
    sql = (
        f"SELECT d.group_id, g.name AS group_name, d.period, d.currency, d.open_amount, "
        f"d.weighted_amount, d.committed_amount, d.won_amount, d.deals, d.won_deals FROM ("
        f"SELECT o.{column} AS group_id, date_trunc({unit}, o.close_date)::date AS period, "
        f"o.currency, "
        f"COALESCE(sum(o.amount) FILTER (WHERE s.kind = 'OPEN'), 0.00) AS open_amount, "
        f"round(COALESCE(sum(o.amount * o.probability / 100.0) FILTER (WHERE s.kind = 'OPEN'), "
        f"0.00), 2) AS weighted_amount, "
        f"COALESCE(sum(o.amount) FILTER (WHERE s.kind = 'OPEN' AND o.probability >= "
        f"{committed}), 0.00) AS committed_amount, "
        f"COALESCE(sum(o.amount) FILTER (WHERE s.kind = 'WON'), 0.00) AS won_amount, "
        f"count(*) AS deals, count(*) FILTER (WHERE s.kind = 'WON') AS won_deals "
        f"FROM opportunity o JOIN pipeline_stage s ON s.id = o.stage_id "
        f"WHERE o.archived_at IS NULL AND o.close_date BETWEEN {b.bind(start)} AND {b.bind(end)} "
        f"AND (o.registration IS NULL OR o.registration = "
        f"{b.bind(Registration.APPROVED.value)}) "
        f"AND {read_sql(OPPORTUNITY.spec, access, 'o', b)} GROUP BY 1, 2, 3) d "
        f"LEFT JOIN {names} g ON g.id = d.group_id "
        f"ORDER BY d.period, g.name NULLS LAST, d.group_id, d.currency")
    return await read_rows(reader, sql, b)
