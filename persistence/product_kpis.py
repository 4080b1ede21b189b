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
from persistence.customer_kpis import KpiInterval, order_figures_sql, response_figures_sql
from persistence.db import Reader
from persistence.orders import ORDER, ORDER_LINE, PRODUCT
from persistence.rfm import purchased
from persistence.spec import read_sql
from persistence.sql import Builder, read_rows


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
    # One row per purchase and family: a purchase without lines brings its whole total.
    bought = f"""
    SELECT coalesce(o.contact_id, o.account_id) AS customer,
           (o.ordered_at AT TIME ZONE 'UTC') AS at, p.family AS key,
           coalesce(sum(l.total), o.total) AS revenue
    FROM sales_order o {_families_of_lines('o', access, b)}
    WHERE {purchased('o', b.bind(currency))}
      AND o.ordered_at < {b.bind(end + timedelta(days=1))}::date
      AND {read_sql(ORDER.spec, access, 'o', b)}
    GROUP BY o.id, p.family"""
    return await read_rows(reader, order_figures_sql(b, start, end, interval, bought, {}), b)


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
    sql = response_figures_sql(b, access, start, end, interval, "f.key",
                               _families_answered_about("x", access, b))
    return await read_rows(reader, sql, b)
