"""Customer KPIs per period and group, counted in SQL over the orders and survey responses the
caller may read. The formulas, and why each is null rather than 0 without data, are the
README's "Customer KPIs".

A customer is the contact an order names, or its account when it names none (as in cohorts).
It is active at a moment when it bought in the ACTIVE_DAYS before; the customers of a period
are those active at its start (S) and at its end (E), and those whose first purchase falls in
it (N). A group is the customer's (its territory, its account's tier, its RFM segment), so
that S, E and N are counted within one group (a customer's source is that of the lead it was
converted from); a response's customer is its contact.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from domain.access import Access
from persistence import purchase_rollups
from persistence.db import Reader
from persistence.orders import ORDER
from persistence.rfm import purchased
from persistence.spec import read_sql, reads_all
from persistence.sql import Builder, read_rows
from persistence.surveys import SURVEY_RESPONSE

ACTIVE_DAYS = 365


class KpiInterval(StrEnum):
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"


class KpiGroup(StrEnum):
    TERRITORY = "TERRITORY"
    ACCOUNT_TIER = "ACCOUNT_TIER"
    SEGMENT = "SEGMENT"
    SOURCE = "SOURCE"
    PRODUCT = "PRODUCT"


# A customer's group: `k` is the customer's id; contact c, account a and scores r join on it.
# A contact's tier is that of the account it joined first.
KEYS = {
    None: "NULL::text",
    KpiGroup.TERRITORY: "coalesce(c.territory_id, a.territory_id)::text",
    KpiGroup.ACCOUNT_TIER: ("coalesce(a.tier, (SELECT t.tier FROM account_contact l JOIN account t "
                            "ON t.id = l.account_id WHERE l.contact_id = c.id "
                            "AND l.archived_at IS NULL ORDER BY l.created_at, l.id LIMIT 1))"),
    KpiGroup.SEGMENT: "r.segment",
    # The source of the lead the customer was converted from, the first if several were.
    KpiGroup.SOURCE: ("coalesce((SELECT l.source FROM lead l WHERE l.converted_contact_id = c.id "
                      "AND l.archived_at IS NULL ORDER BY l.converted_at, l.id LIMIT 1), "
                      "(SELECT l.source FROM lead l WHERE l.converted_account_id = a.id "
                      "AND l.archived_at IS NULL ORDER BY l.converted_at, l.id LIMIT 1))"),
}
ORDER_READS = ("Order.contact", "Order.account", "Order.orderedAt", "Order.status",
               "Order.currency", "Order.total", "Order.archivedAt")
RESPONSE_READS = ("SurveyResponse.survey", "SurveyResponse.contact", "SurveyResponse.answers",
                  "SurveyResponse.score", "SurveyResponse.respondedAt", "Survey.kind")
GROUP_READS = {KpiGroup.TERRITORY: ("Contact.territory", "Account.territory"),
               KpiGroup.ACCOUNT_TIER: ("Account.tier",),
               KpiGroup.SEGMENT: ("Contact.rfm", "Account.rfm"),
               KpiGroup.SOURCE: ("Lead.source", "Lead.convertedContact", "Lead.convertedAccount"),
               # The key is the family of each line bought and of what a response is about,
               # and a family's revenue is its lines' (persistence/product_kpis.py).
               KpiGroup.PRODUCT: ("Order.lines", "OrderLine.product", "OrderLine.total",
                                  "Product.family", "SurveyResponse.order",
                                  "SurveyResponse.product")}


def _periods(b: Builder, start: date, end: date, interval: KpiInterval) -> str:
    unit, length = purchase_rollups.UNITS[interval.value]
    return (f"SELECT p AS start, p + interval '{length}' AS stop FROM generate_series("
            f"date_trunc('{unit}', {b.bind(start)}::timestamp), "
            f"{b.bind(end)}::timestamp, interval '{length}') p")


def _keyed(customer: str, group: KpiGroup | None) -> str:
    return (f"LEFT JOIN contact c ON c.id = {customer} LEFT JOIN account a ON a.id = {customer} "
            f"LEFT JOIN rfm_score r ON r.record_id = {customer}") if group else ""


async def order_kpis(reader: Reader, access: Access, start: date, end: date,
                     interval: KpiInterval, group: KpiGroup | None, currency: str) -> list[dict]:
    """Per period and group: S, E, N, buyers, repeat buyers, orders and revenue; from the
    roll-ups when they hold what the caller would count."""
    if group is None and reads_all(ORDER.spec, access):
        return await purchase_rollups.order_kpis(reader, start, end, interval.value, currency)
    return await counted_order_kpis(reader, access, start, end, interval, group, currency)


async def counted_order_kpis(reader: Reader, access: Access, start: date, end: date,
                             interval: KpiInterval, group: KpiGroup | None,
                             currency: str) -> list[dict]:
    """order_kpis counted from the orders the caller may read."""
    b = Builder()
    until = b.bind(end + timedelta(days=1))
    purchases = f"""
    SELECT coalesce(o.contact_id, o.account_id) AS customer,
           (o.ordered_at AT TIME ZONE 'UTC') AS at, o.total
    FROM sales_order o
    WHERE {purchased('o', b.bind(currency))} AND o.ordered_at < {until}::date
      AND {read_sql(ORDER.spec, access, 'o', b)}"""
    # Each customer's group is looked up once, not once per purchase.
    keyed = (f"JOIN (SELECT y.customer, {KEYS[group]} AS key FROM (SELECT DISTINCT customer "
             f"FROM purchases) y {_keyed('y.customer', group)}) g USING (customer)"
             if group else "")
    bought = (f"SELECT x.customer, {'g.key' if group else 'NULL::text'} AS key, x.at, "
              f"x.total AS revenue FROM purchases x {keyed}")
    return await read_rows(reader, order_figures_sql(b, start, end, interval, bought,
                                                     {"purchases": purchases}), b)


def order_figures_sql(b: Builder, start: date, end: date, interval: KpiInterval, bought: str,
                      before: dict[str, str]) -> str:
    """S, E, N, buyers, repeat buyers, orders and revenue per period and key, from `bought`:
    the body of a query of the purchases the caller may read up to `end`, as (customer, key,
    at, revenue); `before` names the queries it reads.

    Activity is counted as the roll-ups count it (persistence/purchase_rollups.py): a purchase
    on day d makes its customer active from d + 1 to d + ACTIVE_DAYS, each customer's spells of
    activity become a +1 and a -1, and the customers active at a moment are the running sum up
    to it: one pass over the purchases, whatever the number of periods."""
    until = b.bind(end + timedelta(days=1))
    unit, _ = purchase_rollups.UNITS[interval.value]
    named = "".join(f"{name} AS ({body}\n),\n" for name, body in before.items())
    return f"""
WITH periods AS ({_periods(b, start, end, interval)}),
{named}bought AS ({bought}),
days AS (SELECT DISTINCT customer, key, at::date AS day FROM bought),
spells AS (
    SELECT key, day, lag(day) OVER w AS previous, lead(day) OVER w AS next
    FROM days WINDOW w AS (PARTITION BY customer, key ORDER BY day)
),
changes AS (
    SELECT key, day, sum(delta) AS delta FROM (
        SELECT key, day + 1 AS day, 1 AS delta FROM spells
        WHERE previous IS NULL OR day - previous > {ACTIVE_DAYS}
        UNION ALL
        SELECT key, day + {ACTIVE_DAYS + 1}, -1 FROM spells
        WHERE next IS NULL OR next - day > {ACTIVE_DAYS}
    ) e GROUP BY key, day
),
active AS (
    SELECT p.start, c.key,
           coalesce(sum(c.delta) FILTER (WHERE c.day <= p.start), 0) AS at_start,
           coalesce(sum(c.delta) FILTER (WHERE c.day <= least(p.stop, {until}::date)), 0)
               AS at_end
    FROM periods p CROSS JOIN changes c GROUP BY 1, 2
),
acquired AS (
    SELECT p.start, f.key, count(*) AS acquired FROM periods p
    JOIN spells f ON f.previous IS NULL AND f.day >= p.start AND f.day < p.stop GROUP BY 1, 2
),
sold AS (
    SELECT date_trunc('{unit}', x.at) AS start, x.key, x.customer, count(*) AS orders,
           sum(x.revenue) AS revenue
    FROM bought x WHERE x.at >= (SELECT min(start) FROM periods) GROUP BY 1, 2, 3
),
totals AS (
    SELECT start, key, count(*) AS buyers, count(*) FILTER (WHERE orders > 1) AS repeat_buyers,
           sum(orders) AS orders, sum(revenue) AS revenue
    FROM sold GROUP BY 1, 2
)
SELECT a.start::date AS start, a.key, a.at_start, a.at_end, coalesce(n.acquired, 0) AS acquired,
       coalesce(t.buyers, 0) AS buyers, coalesce(t.repeat_buyers, 0) AS repeat_buyers,
       coalesce(t.orders, 0) AS orders, coalesce(t.revenue, 0) AS revenue
FROM active a
LEFT JOIN acquired n ON n.start = a.start AND n.key IS NOT DISTINCT FROM a.key
LEFT JOIN totals t ON t.start = a.start AND t.key IS NOT DISTINCT FROM a.key
WHERE a.at_start > 0 OR t.orders > 0
ORDER BY 1, 2 NULLS LAST
"""


async def response_kpis(reader: Reader, access: Access, start: date, end: date,
                        interval: KpiInterval, group: KpiGroup | None) -> list[dict]:
    """Per period and group: NPS, CSAT and CES answer counts and sums, and per SERVQUAL
    dimension the mean perception and expectation."""
    b = Builder()
    sql = response_figures_sql(b, access, start, end, interval, KEYS[group],
                               _keyed("x.contact_id", group))
    return await read_rows(reader, sql, b)


def response_figures_sql(b: Builder, access: Access, start: date, end: date,
                         interval: KpiInterval, key: str, joins: str) -> str:
    """response_kpis of the responses the caller may read, each at alias `x` and its survey
    `s`, keyed by `key` over `joins`."""
    return f"""
WITH periods AS ({_periods(b, start, end, interval)}),
answered AS (
    SELECT p.start, {key} AS key, s.kind, x.score, x.answers
    FROM periods p JOIN survey_response x ON x.responded_at >= p.start
         AND x.responded_at < p.stop AND x.responded_at < {b.bind(end + timedelta(days=1))}::date
    JOIN survey s ON s.id = x.survey_id
    {joins}
    WHERE x.archived_at IS NULL AND {read_sql(SURVEY_RESPONSE.spec, access, 'x', b)}
),
servqual AS MATERIALIZED (
    SELECT start, key, jsonb_object_agg(dimension, gap) AS gaps FROM (
        SELECT start, key, e ->> 'dimension' AS dimension,
               avg((e ->> 'value')::numeric) FILTER (WHERE e ->> 'aspect' = 'PERCEPTION')
               - avg((e ->> 'value')::numeric) FILTER (WHERE e ->> 'aspect' = 'EXPECTATION')
               AS gap
        FROM answered, jsonb_array_elements(answers) e
        WHERE kind = 'SERVQUAL' AND e ->> 'dimension' IS NOT NULL GROUP BY 1, 2, 3) d
    GROUP BY 1, 2
)
SELECT a.start::date AS start, a.key, count(*) AS responses,
       count(*) FILTER (WHERE kind = 'NPS' AND score IS NOT NULL) AS nps_responses,
       count(*) FILTER (WHERE kind = 'NPS' AND score >= 9) AS promoters,
       count(*) FILTER (WHERE kind = 'NPS' AND score <= 6) AS detractors,
       count(*) FILTER (WHERE kind = 'CSAT' AND score IS NOT NULL) AS csat_responses,
       count(*) FILTER (WHERE kind = 'CSAT' AND score >= 4) AS satisfied,
       count(*) FILTER (WHERE kind = 'CES' AND score IS NOT NULL) AS ces_responses,
       avg(score) FILTER (WHERE kind = 'CES') AS ces,
       count(*) FILTER (WHERE kind = 'SERVQUAL') AS servqual_responses,
       (SELECT q.gaps FROM servqual q WHERE q.start = a.start
        AND q.key IS NOT DISTINCT FROM a.key)::text AS gaps
FROM answered a GROUP BY a.start, a.key ORDER BY 1, 2 NULLS LAST
"""
