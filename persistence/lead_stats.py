"""How well each lead source turns into customers, counted in SQL."""

from __future__ import annotations

from datetime import date, timedelta

import orjson

from domain.access import Access
from persistence.db import Reader
from persistence.leads import LEAD
from persistence.spec import read_sql
from persistence.sql import Builder, read_rows

# What the statistics select leads by, group them by and count, and the deals they follow.
READS = ("Lead.source", "Lead.status", "Lead.createdAt", "Lead.archivedAt",
         "Lead.convertedOpportunity", "Opportunity.stage", "Opportunity.archivedAt")
# What the won amounts add up.
AMOUNT_READS = ("Opportunity.amount", "Opportunity.currency")


async def lead_source_stats(reader: Reader, access: Access, start: date, end: date) -> list[dict]:
    """Per source, of the leads created from `start` to `end` (whole days) that the caller may
    see: leads, qualified (qualified or converted), converted, and the deals opened on
    conversion that were won, with their amounts per currency."""
    b = Builder()
    sql = (
        f"WITH chosen AS (SELECT l.source, l.status, o.amount, o.currency, s.kind "
        f"FROM lead l LEFT JOIN opportunity o ON o.id = l.converted_opportunity_id "
        f"AND o.archived_at IS NULL LEFT JOIN pipeline_stage s ON s.id = o.stage_id "
        f"WHERE l.archived_at IS NULL AND l.created_at >= {b.bind(start)}::date "
        f"AND l.created_at < {b.bind(end + timedelta(days=1))}::date "
        f"AND {read_sql(LEAD.spec, access, 'l', b)}), "
        f"won AS (SELECT source, currency, sum(amount) AS amount FROM chosen "
        f"WHERE kind = 'WON' GROUP BY source, currency) "
        f"SELECT c.source, count(*) AS leads, "
        f"count(*) FILTER (WHERE c.status IN ('QUALIFIED', 'CONVERTED')) AS qualified, "
        f"count(*) FILTER (WHERE c.status = 'CONVERTED') AS converted, "
        f"count(*) FILTER (WHERE c.kind = 'WON') AS won_deals, "
        f"(SELECT coalesce(json_agg(json_build_object('currency', w.currency, 'amount', "
        f"w.amount::text) ORDER BY w.currency), '[]') FROM won w "
        f"WHERE w.source IS NOT DISTINCT FROM c.source)::text AS won_amounts "
        f"FROM chosen c GROUP BY c.source ORDER BY c.source NULLS LAST")
    rows = await read_rows(reader, sql, b)
    return [{**r, "won_amounts": orjson.loads(r["won_amounts"])} for r in rows]
