"""The lead funnel, counted in SQL over the leads the caller may read: of the leads created in a
window, how many reached each step, and how long each step took, in the median.

The steps and when a lead reached them:
- LEAD: created;
- QUALIFIED: its status first became QUALIFIED (the audit trail keeps when), or, converted
  without that, when it was converted;
- CONVERTED: converted_at;
- OPPORTUNITY: the deal its conversion opened was created (a live deal);
- WON: that deal was closed in a WON stage (closed_at).
A lead counts at a step once it reached it, whatever happened later (a qualified lead that
was disqualified still counts as qualified).
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from domain.access import Access
from persistence.db import Reader
from persistence.leads import LEAD
from persistence.spec import read_sql
from persistence.sql import Builder, read_rows


class FunnelGroup(StrEnum):
    SOURCE = "SOURCE"
    CAMPAIGN = "CAMPAIGN"
    OWNER = "OWNER"
    TERRITORY = "TERRITORY"


GROUP_COLUMNS = {FunnelGroup.SOURCE: "source", FunnelGroup.CAMPAIGN: "campaign",
                 FunnelGroup.OWNER: "owner_id", FunnelGroup.TERRITORY: "territory_id"}
STEPS = ("lead", "qualified", "converted", "opportunity", "won")
# What the funnel reads: when leads were made, qualified and converted, and the deals they
# opened; and, per grouping, the lead field it groups by.
READS = ("Lead.createdAt", "Lead.status", "Lead.convertedAt", "Lead.convertedOpportunity",
         "Lead.archivedAt", "Opportunity.stage", "Opportunity.createdAt",
         "Opportunity.closedAt", "Opportunity.archivedAt")
GROUP_READS = {FunnelGroup.SOURCE: ("Lead.source",), FunnelGroup.CAMPAIGN: ("Lead.campaign",),
               FunnelGroup.OWNER: ("Lead.owner",), FunnelGroup.TERRITORY: ("Lead.territory",)}


def _median_days(later: str, earlier: str) -> str:
    return (f"percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM {later} - "
            f"{earlier}) / 86400) FILTER (WHERE {later} IS NOT NULL)")


async def funnel(reader: Reader, access: Access, start: date, end: date,
                 group: FunnelGroup | None) -> list[dict]:
    """Per group (one group, keyed null, without `group`): each step's count and the median
    days from the step before, for the leads created from `start` to `end` (whole days)."""
    b = Builder()
    key = f"l.{GROUP_COLUMNS[group]}::text" if group else "NULL::text"
    status = b.bind("QUALIFIED")
    sql = f"""
WITH reached AS MATERIALIZED (  -- each lead's qualification is looked up once, not per use
    SELECT {key} AS key, l.created_at AS lead,
           coalesce((SELECT min(e.created_at) FROM audit_entry e WHERE e.record_id = l.id
                     AND e.changes -> 'status' ->> 'after' = {status}), l.converted_at)
               AS qualified,
           l.converted_at AS converted, o.created_at AS opportunity,
           CASE WHEN s.kind = 'WON' THEN o.closed_at END AS won
    FROM lead l
    LEFT JOIN opportunity o ON o.id = l.converted_opportunity_id AND o.archived_at IS NULL
    LEFT JOIN pipeline_stage s ON s.id = o.stage_id
    WHERE l.archived_at IS NULL AND l.created_at >= {b.bind(start)}::date
      AND l.created_at < {b.bind(end + timedelta(days=1))}::date
      AND {read_sql(LEAD.spec, access, 'l', b)}
)
SELECT key, count(*) AS lead, count(qualified) AS qualified, count(converted) AS converted,
       count(opportunity) AS opportunity, count(won) AS won,
       {_median_days('qualified', 'lead')} AS qualified_days,
       {_median_days('converted', 'qualified')} AS converted_days,
       {_median_days('opportunity', 'converted')} AS opportunity_days,
       {_median_days('won', 'opportunity')} AS won_days
FROM reached GROUP BY key ORDER BY key NULLS LAST
"""
    return await read_rows(reader, sql, b)
