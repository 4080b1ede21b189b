"""Cohorts of customers by the month of their first purchase, counted in SQL over the orders the
caller may read.

A customer is the party an order names: its contact, or its account when it names no contact.
Purchases are RFM's (persistence/rfm.py): confirmed or fulfilled live orders in the reporting
currency. A cohort is the customers whose first purchase fell in its month; period k of it is
the k-th month after, in which `customers` of them bought, for `revenue`.
"""

from __future__ import annotations

from datetime import date

from domain.access import Access
from persistence import purchase_rollups
from persistence.db import Reader
from persistence.orders import ORDER
from persistence.rfm import purchased
from persistence.spec import read_sql, reads_all
from persistence.sql import Builder, read_rows

# What a cohort reads of an order: which customer, when, whether it was a purchase; and for
# revenue, its total.
READS = ("Order.contact", "Order.account", "Order.orderedAt", "Order.status", "Order.currency",
         "Order.archivedAt")
REVENUE_READS = ("Order.total",)


async def cohorts(reader: Reader, access: Access, start: date, end: date,
                  currency: str) -> list[dict]:
    """(cohort month, its size, months since, customers who bought then, their revenue) for
    the cohorts whose month lies from `start` to `end`, each period up to `end`'s month; from
    the roll-ups when they hold what the caller would count."""
    if reads_all(ORDER.spec, access):
        return await purchase_rollups.cohorts(reader, start, end, currency)
    return await counted_cohorts(reader, access, start, end, currency)


async def counted_cohorts(reader: Reader, access: Access, start: date, end: date,
                          currency: str) -> list[dict]:
    """cohorts counted from the orders the caller may read."""
    b = Builder()
    first_month, last_month = b.bind(start.replace(day=1)), b.bind(end.replace(day=1))
    sql = f"""
WITH bought AS (
    SELECT coalesce(o.contact_id, o.account_id) AS customer,
           date_trunc('month', o.ordered_at AT TIME ZONE 'UTC')::date AS month,
           sum(o.total) AS revenue
    FROM sales_order o
    WHERE {purchased('o', b.bind(currency))}
      AND o.ordered_at < ({last_month}::date + interval '1 month')
      AND {read_sql(ORDER.spec, access, 'o', b)}
    GROUP BY 1, 2
),
firsts AS (
    SELECT customer, min(month) AS cohort FROM bought GROUP BY customer
    HAVING min(month) >= {first_month}::date
),
sizes AS (SELECT cohort, count(*) AS size FROM firsts GROUP BY cohort)
SELECT f.cohort, s.size,
       ((extract(year FROM b.month) - extract(year FROM f.cohort)) * 12
        + extract(month FROM b.month) - extract(month FROM f.cohort))::int AS period,
       count(*) AS customers, sum(b.revenue) AS revenue
FROM bought b JOIN firsts f USING (customer) JOIN sizes s ON s.cohort = f.cohort
GROUP BY f.cohort, s.size, period
ORDER BY f.cohort, period
"""
    return await read_rows(reader, sql, b)
