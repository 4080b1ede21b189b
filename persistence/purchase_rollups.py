"""Purchase roll-ups: customerKpis and cohorts read per-day, per-period and per-cohort sums
instead of every purchase since the first.

Migration 0033 defines what one set of customers contributes (crm_purchase_rollup_of) and
triggers on sales_order that, in the transaction that writes orders, append the difference
the statement made to its customers' contribution. A late order, a cancellation, a change of
customer or currency, an archived order: each is a write to sales_order, so the roll-ups are
right when it commits, and a reader sees them and the orders at the same moment. Appended
differences are summed into one row per key by `compact`, which the analytics refresh runs.

The sums hold every order, so only a caller who reads every order reads them; the others,
and splits by group, count the orders themselves (persistence/customer_kpis.py, cohorts.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from decimal import Decimal

import asyncpg
from sqlalchemy import BigInteger, Column, Date, Identity, Index, Numeric, SmallInteger
from sqlmodel import Field, SQLModel

from persistence.db import Reader
from persistence.declaration import InternalTable
from persistence.rfm import purchased
from persistence.sql import Builder, read_rows


class PurchaseRollupRow(SQLModel, table=True):
    """One contribution to a sum: the sum of a key is that of its rows."""

    __tablename__ = "purchase_rollup"
    __table_args__ = (Index("ix_purchase_rollup_currency_kind_bucket",
                            "currency", "kind", "bucket", "period"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=False),
                                                          primary_key=True))
    kind: str = Field(max_length=20)  # orders, revenue, active, buyers_month, cohort_size...
    currency: str = Field(max_length=3)
    bucket: date = Field(sa_column=Column(Date, nullable=False))  # a day, period or cohort
    period: int = Field(sa_column=Column(SmallInteger, nullable=False))  # months since a cohort
    value: Decimal = Field(sa_type=Numeric(20, 2))


PURCHASE_ROLLUPS = InternalTable(
    PurchaseRollupRow.__table__,
    "sums of purchases kept by triggers on orders; read by customerKpis and cohorts")

# Each interval's date_trunc unit and length.
UNITS = {"MONTH": ("month", "1 month"), "QUARTER": ("quarter", "3 months"),
         "YEAR": ("year", "1 year")}
# The triggers' names: a bulk load disables them and rebuilds the sums once at its end.
TRIGGERS = ("purchase_rollup_insert", "purchase_rollup_update", "purchase_rollup_delete")


@asynccontextmanager
async def triggers_off(db: asyncpg.Connection) -> AsyncIterator[None]:
    """For a bulk load of orders in the caller's transaction: its differences are not
    computed order by order, and the sums are rebuilt once when it is done."""
    for trigger in TRIGGERS:
        await db.execute(f"ALTER TABLE sales_order DISABLE TRIGGER {trigger}")
    yield
    for trigger in TRIGGERS:
        await db.execute(f"ALTER TABLE sales_order ENABLE TRIGGER {trigger}")
    await rebuild(db)


async def rebuild(db: asyncpg.Connection) -> None:
    """Recompute every sum from the orders, as one transaction that orders wait for."""
    async with db.transaction():
        await db.execute("LOCK TABLE sales_order IN SHARE MODE")
        await db.execute("DELETE FROM purchase_rollup")
        await db.execute("INSERT INTO purchase_rollup (kind, currency, bucket, period, value) "
                         "SELECT * FROM crm_purchase_rollup_of(NULL, NULL, NULL)")


async def compact(db: asyncpg.Connection) -> int:
    """Sum the rows of each key into one, and drop the keys that sum to nothing: the rows
    deleted are those summed, so a difference appended meanwhile stays as it is."""
    return await db.fetchval("""
WITH spread AS (
    SELECT currency, kind, bucket, period FROM purchase_rollup GROUP BY 1, 2, 3, 4
    HAVING count(*) > 1 OR sum(value) = 0
),
gone AS (
    DELETE FROM purchase_rollup r USING spread s
    WHERE (r.currency, r.kind, r.bucket, r.period) = (s.currency, s.kind, s.bucket, s.period)
    RETURNING r.currency, r.kind, r.bucket, r.period, r.value
),
kept AS (
    INSERT INTO purchase_rollup (currency, kind, bucket, period, value)
    SELECT currency, kind, bucket, period, sum(value) FROM gone GROUP BY 1, 2, 3, 4
    HAVING sum(value) <> 0 RETURNING 1
)
SELECT count(*) FROM gone
""")


def _sum(kind: str, condition: str, cast: str = "::bigint") -> str:
    return f"(SELECT coalesce(sum(value), 0){cast} FROM sums WHERE kind = {kind} AND {condition})"


async def order_kpis(reader: Reader, start: date, end: date, interval: str,
                     currency: str) -> list[dict]:
    """order_kpis' figures of every customer, ungrouped, from the sums. Buyers are summed per
    period, so a last period that `end` cuts short counts its buyers from the orders."""
    b = Builder()
    unit, length = UNITS[interval]
    step = f"interval '{length}'"
    until = b.bind(end + timedelta(days=1))
    sql = f"""
WITH sums AS (
    SELECT kind, bucket, sum(value) AS value FROM purchase_rollup
    WHERE currency = {b.bind(currency)} GROUP BY kind, bucket
),
periods AS (
    SELECT p::date AS start, least(p + {step}, {until}::date)::date AS until,
           p + {step} > {until}::date AS cut
    FROM generate_series(date_trunc('{unit}', {b.bind(start)}::timestamp),
                         {until}::date - 1, {step}) p
),
counted AS (
    SELECT p.start, p.cut, NULL::text AS key,
           {_sum("'active'", "bucket <= p.start")} AS at_start,
           {_sum("'active'", "bucket <= p.until")} AS at_end,
           {_sum("'acquired'", "bucket >= p.start AND bucket < p.until")} AS acquired,
           {_sum(f"'buyers_{unit}'", "bucket = p.start")} AS buyers,
           {_sum(f"'repeat_{unit}'", "bucket = p.start")} AS repeat_buyers,
           {_sum("'orders'", "bucket >= p.start AND bucket < p.until")} AS orders,
           {_sum("'revenue'", "bucket >= p.start AND bucket < p.until", "")} AS revenue
    FROM periods p
)
SELECT * FROM counted WHERE at_start > 0 OR orders > 0 ORDER BY start
"""
    rows = await read_rows(reader, sql, b)
    for row in rows:
        if row.pop("cut"):
            row.update(await _buyers(reader, row["start"], end, currency))
    return rows


async def _buyers(reader: Reader, start: date, end: date, currency: str) -> dict:
    b = Builder()
    rows = await read_rows(reader, f"""
SELECT count(*) AS buyers, count(*) FILTER (WHERE n > 1) AS repeat_buyers FROM (
    SELECT count(*) AS n FROM sales_order o
    WHERE {purchased('o', b.bind(currency))} AND o.ordered_at >= {b.bind(start)}::date
      AND o.ordered_at < {b.bind(end + timedelta(days=1))}::date
    GROUP BY coalesce(o.contact_id, o.account_id)) x
""", b)
    return rows[0]


async def cohorts(reader: Reader, start: date, end: date, currency: str) -> list[dict]:
    """persistence.cohorts' rows of every customer, from the sums."""
    b = Builder()
    first, last = b.bind(start.replace(day=1)), b.bind(end.replace(day=1))
    sql = f"""
WITH sums AS (
    SELECT kind, bucket, period, sum(value) AS value FROM purchase_rollup
    WHERE currency = {b.bind(currency)} AND bucket >= {first}::date AND bucket <= {last}::date
      AND kind IN ('cohort_size', 'cohort_buyers', 'cohort_revenue')
    GROUP BY kind, bucket, period HAVING sum(value) <> 0
)
SELECT s.bucket AS cohort, s.value::bigint AS size, c.period, c.value::bigint AS customers,
       coalesce(v.value, 0) AS revenue
FROM sums s
JOIN sums c ON c.kind = 'cohort_buyers' AND c.bucket = s.bucket
     AND s.bucket + make_interval(months => c.period) <= {last}::date
LEFT JOIN sums v ON v.kind = 'cohort_revenue' AND v.bucket = c.bucket AND v.period = c.period
WHERE s.kind = 'cohort_size'
ORDER BY s.bucket, c.period
"""
    return await read_rows(reader, sql, b)
