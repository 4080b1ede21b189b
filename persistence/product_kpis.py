"""Customer KPIs per period and product family: the rows of persistence/customer_kpis.py, in the
same shape, with the group taken from what was bought rather than from who bought it. The
README's "Customer KPIs" gives the definitions.

A purchase belongs to each family one of its lines is of, and brings it only those lines'
totals, so that a customer buying from two families counts in both while the revenue of all
families, null included, adds up to that of all purchases. A product without a family, a
product the caller may not read, and a purchase without lines fall under the null key: the
family is unknown, and a category (another vocabulary) would be mistaken for one.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.access import Access
from persistence.customer_kpis import ACTIVE_DAYS, KpiInterval, _periods
from persistence.db import Reader
from persistence.orders import ORDER, ORDER_LINE, PRODUCT
from persistence.rfm import purchased
from persistence.spec import read_sql
from persistence.sql import Builder, read_rows
from persistence.surveys import SURVEY_RESPONSE


def _families_of_lines(order: str, access: Access, b: Builder) -> str:
    """Joins the live lines of the order at alias `order` (read under the order's rule) and
    their products, as `l` and `p`; `p.family` is null where the family is unknown."""
    return (f"LEFT JOIN sales_order_line l ON l.order_id = {order}.id AND l.archived_at IS NULL "
            f"AND {read_sql(ORDER_LINE.spec, access, 'l', b, parent_checked=True)} "
            f"LEFT JOIN product p ON p.id = l.product_id "
            f"AND {read_sql(PRODUCT.spec, access, 'p', b)}")


async def order_kpis_by_family(reader: Reader, access: Access, start: date, end: date,
                               interval: KpiInterval, currency: str) -> list[dict]:
    """Per period and product family: S, E, N, buyers, repeat buyers, orders and revenue."""
    b = Builder()
    until = b.bind(end + timedelta(days=1))
    sql = f"""
WITH periods AS ({_periods(b, start, end, interval)}),
bought AS (
    -- One row per purchase and family: a purchase without lines brings its whole total.
    SELECT coalesce(o.contact_id, o.account_id) AS customer,
           (o.ordered_at AT TIME ZONE 'UTC') AS at, p.family AS key,
           coalesce(sum(l.total), o.total) AS revenue
    FROM sales_order o {_families_of_lines('o', access, b)}
    WHERE {purchased('o', b.bind(currency))} AND o.ordered_at < {until}::date
      AND {read_sql(ORDER.spec, access, 'o', b)}
    GROUP BY o.id, p.family
),
customers AS (
    SELECT customer, key, min(at) AS first FROM bought GROUP BY 1, 2
),
sold AS (
    SELECT p.start, x.key, x.customer, count(*) AS orders, sum(x.revenue) AS revenue
    FROM periods p JOIN bought x ON x.at >= p.start AND x.at < p.stop GROUP BY 1, 2, 3
),
active AS (
    SELECT p.start, x.key,
           count(DISTINCT x.customer) FILTER (WHERE x.at < p.start
               AND x.at >= p.start - interval '{ACTIVE_DAYS} days') AS at_start,
           count(DISTINCT x.customer) FILTER (WHERE x.at < least(p.stop, {until}::date)
               AND x.at >= least(p.stop, {until}::date) - interval '{ACTIVE_DAYS} days')
               AS at_end
    FROM periods p JOIN bought x ON x.at >= p.start - interval '{ACTIVE_DAYS} days'
         AND x.at < p.stop
    GROUP BY 1, 2
),
acquired AS (
    SELECT p.start, k.key, count(*) AS acquired FROM periods p
    JOIN customers k ON k.first >= p.start AND k.first < p.stop GROUP BY 1, 2
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
ORDER BY 1, 2 NULLS LAST
"""
    return await read_rows(reader, sql, b)


def _families_answered_about(x: str, access: Access, b: Builder) -> str:
    """The families the response at alias `x` is about: its product's, or those of its order's
    lines whatever the order's status; none (null) when it names neither, or they are unknown."""
    return f"""LEFT JOIN LATERAL (
        SELECT p.family AS key FROM product p
        WHERE p.id = {x}.product_id AND {read_sql(PRODUCT.spec, access, 'p', b)}
        UNION
        SELECT p.family FROM sales_order o {_families_of_lines('o', access, b)}
        WHERE o.id = {x}.order_id AND {read_sql(ORDER.spec, access, 'o', b)}
    ) f ON TRUE"""


async def response_kpis_by_family(reader: Reader, access: Access, start: date, end: date,
                                  interval: KpiInterval) -> list[dict]:
    """Per period and product family: NPS, CSAT and CES answer counts and sums, and per
    SERVQUAL dimension the mean perception and expectation."""
    b = Builder()
    sql = f"""
WITH periods AS ({_periods(b, start, end, interval)}),
answered AS (
    SELECT p.start, f.key, s.kind, x.score, x.answers
    FROM periods p JOIN survey_response x ON x.responded_at >= p.start
         AND x.responded_at < p.stop AND x.responded_at < {b.bind(end + timedelta(days=1))}::date
    JOIN survey s ON s.id = x.survey_id
    {_families_answered_about('x', access, b)}
    WHERE x.archived_at IS NULL AND {read_sql(SURVEY_RESPONSE.spec, access, 'x', b)}
),
servqual AS (
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
    return await read_rows(reader, sql, b)
