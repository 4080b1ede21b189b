"""RFM scores of contacts and accounts, computed from their orders by one set-based statement
per kind and stored, one row per customer who bought, until the next refresh.

A purchase is an order CONFIRMED or FULFILLED, live, in the reporting currency: the orders
carry no exchange rates, so sums over several currencies would mean nothing. A contact's
orders are those that name it; an account's, those that name it, whoever the contact.
Recency is counted in whole days from the last purchase to the refresh. Each score is
`ntile(5)` over the customers of that kind, ties broken by id so that a refresh of the same
orders gives the same scores; the segment is domain/rfm.py's grid.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import asyncpg
from sqlalchemy import Column, Index, Numeric, SmallInteger
from sqlmodel import Field, SQLModel

from domain.access import Access
from domain.orders import OrderStatus
from domain.rfm import RfmSegment, grid_cells
from persistence.base import utc_column
from persistence.declaration import Field as DeclaredField
from persistence.declaration import Filterable, InternalTable
from persistence.spec import Beside
from persistence.summaries import summarise

PURCHASES = (OrderStatus.CONFIRMED.value, OrderStatus.FULFILLED.value)
# The customer column of an order, and the table of live customers, by record type.
CUSTOMERS = {"Contact": ("contact_id", "contact"), "Account": ("account_id", "account")}


class RfmScoreRow(SQLModel, table=True):
    """One customer's scores as of the last refresh."""

    __tablename__ = "rfm_score"
    __table_args__ = (Index("ix_rfm_score_record_type_segment", "record_type", "segment"),)

    record_id: uuid.UUID = Field(primary_key=True)  # a contact's or an account's id
    record_type: str = Field(max_length=10)
    last_order_at: datetime = Field(**utc_column(server_default=None))
    recency_days: int
    frequency: int
    monetary: Decimal = Field(sa_type=Numeric(16, 2))
    currency: str = Field(max_length=3)
    r: int = Field(sa_column=Column(SmallInteger, nullable=False))
    f: int = Field(sa_column=Column(SmallInteger, nullable=False))
    m: int = Field(sa_column=Column(SmallInteger, nullable=False))
    segment: str = Field(max_length=20)
    computed_at: datetime = Field(**utc_column(server_default=None))


RFM_SCORES = InternalTable(
    RfmScoreRow.__table__,
    "computed scores, read as the `rfm` of contacts and accounts; only the refresh writes them")

# A filter on the segment: a customer matches when its stored scores put it there.
BESIDE = Beside(RfmScoreRow.__table__, "record_id", "segment")


def segment_filter(record_type: str) -> Filterable:
    return Filterable("rfmSegment", "segment", guard="rfm", beside=BESIDE, kind=RfmSegment,
                      description=f"The RFM segment of the {record_type.lower()} as of the "
                                  f"last refresh; one with no purchase has none (isNull).")


def analytics() -> tuple[DeclaredField, ...]:
    """The `analytics` group of a customer type: its scores, which only the refresh writes.
    Computed from the row's id, so the compiled read path selects the id to render it."""
    return (DeclaredField("rfm", "id", derived=True, computed=rfm_sql),)


def rfm_sql(t: str, _access: Access) -> str:
    """The stored scores of the record at alias `t`, as the JSON object Contact.rfm reads;
    its time in the DateTime scalar's form, as both read paths give it out."""
    return ("(SELECT jsonb_build_object('recency', s.recency_days, 'frequency', s.frequency, "
            "'monetary', s.monetary::text, 'currency', s.currency, 'r', s.r, 'f', s.f, "
            "'m', s.m, 'segment', s.segment, 'lastOrderAt', s.last_order_at, "
            f"'computedAt', crm_time(s.computed_at)) FROM rfm_score s WHERE s.record_id = {t}.id)")


def purchased(o: str, currency: str) -> str:
    """Whether the order at alias `o` is a purchase: live, confirmed or fulfilled, and in the
    currency the placeholder `currency` binds. Every analytical count of purchases uses it."""
    statuses = ", ".join(f"'{status}'" for status in PURCHASES)
    return f"{o}.archived_at IS NULL AND {o}.status IN ({statuses}) AND {o}.currency = {currency}"


# Each customer's purchases: what summaries.summarise puts into rfm_bought.
BOUGHT_COLUMNS = ("record_type text, record_id uuid, last_order_at timestamptz, "
                  "frequency bigint, monetary numeric")


def _bought_sql() -> str:
    return "\nUNION ALL\n".join(f"""
    SELECT '{record_type}'::text AS record_type, o.{customer} AS record_id,
           max(o.ordered_at) AS last_order_at, count(*) AS frequency, sum(o.total) AS monetary
    FROM sales_order o JOIN {table} c ON c.id = o.{customer} AND c.archived_at IS NULL
    WHERE {purchased('o', '$1')}
    GROUP BY o.{customer}""" for record_type, (customer, table) in CUSTOMERS.items())


def _score_sql(bought: str) -> str:
    cells = ", ".join(f"'{segment.value}'" for segment in grid_cells())
    return f"""
WITH scored AS (
    SELECT b.*, ntile(5) OVER (PARTITION BY record_type ORDER BY last_order_at, record_id) AS r,
           ntile(5) OVER (PARTITION BY record_type ORDER BY frequency, record_id) AS f,
           ntile(5) OVER (PARTITION BY record_type ORDER BY monetary, record_id) AS m
    FROM {bought} b
),
written AS (
    INSERT INTO rfm_score (record_id, record_type, last_order_at, recency_days, frequency,
                           monetary, currency, r, f, m, segment, computed_at)
    SELECT record_id, record_type, last_order_at,
           greatest(0, ($2::timestamptz AT TIME ZONE 'UTC')::date
                       - (last_order_at AT TIME ZONE 'UTC')::date), frequency,
           monetary, $1, r, f, m, (ARRAY[{cells}])[(5 - r) * 5 + (f + m + 1) / 2], $2::timestamptz
    FROM scored
    ON CONFLICT (record_id) DO UPDATE SET last_order_at = EXCLUDED.last_order_at,
        recency_days = EXCLUDED.recency_days, frequency = EXCLUDED.frequency,
        monetary = EXCLUDED.monetary, currency = EXCLUDED.currency, r = EXCLUDED.r,
        f = EXCLUDED.f, m = EXCLUDED.m, segment = EXCLUDED.segment,
        computed_at = EXCLUDED.computed_at
    RETURNING record_type
)
SELECT record_type, count(*) AS n FROM written GROUP BY record_type
"""


async def refresh(db: asyncpg.Connection, currency: str, now: datetime,
                  source: asyncpg.Connection | None = None) -> dict[str, int]:
    """Score every contact and account that bought, and forget the scores of those that no
    longer have a purchase; their orders are read on `source` (a replica) when given. Run it
    in a transaction, so that readers see the old scores or the new, never a mix. The number
    scored, by record type."""
    if source is None:  # one statement reads and scores: nothing is written twice
        bought = f"({_bought_sql()})"
    else:
        await summarise(db, source, "rfm_bought", BOUGHT_COLUMNS, _bought_sql(), currency)
        bought = "rfm_bought"
    scored = dict.fromkeys(CUSTOMERS, 0)
    scored.update({r["record_type"]: r["n"]
                   for r in await db.fetch(_score_sql(bought), currency, now)})
    await db.execute("DELETE FROM rfm_score WHERE computed_at < $1", now)
    return scored
