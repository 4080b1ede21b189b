"""The cohort matrix: customers by the month of their first purchase, and what each cohort did
in the months after."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry

from api.resolvers.common import arguments_checked
from api.schema.reads import Reads
from api.schema.relay import arg
from domain.values import check_date_window
from persistence.cohorts import READS, REVENUE_READS
from persistence.cohorts import cohorts as cohort_rows


@strawberry.enum(description="How customers are put into cohorts.")
class CohortBy(Enum):
    FIRST_ORDER_MONTH = strawberry.enum_value(
        "FIRST_ORDER_MONTH", description="By the month of their first purchase.")


@strawberry.enum(description="What each cell of the matrix holds.")
class CohortMetric(Enum):
    RETENTION = strawberry.enum_value(
        "RETENTION", description="The share of the cohort that bought in that month.")
    REVENUE = strawberry.enum_value(
        "REVENUE", description="What the cohort spent in that month, in the reporting "
                               "currency.")


@strawberry.type(description="One cell: a cohort in one month after its first.")
class CohortPeriod:
    period: int = strawberry.field(description="Months since the cohort's month: 0 is that "
                                               "month, in which every member bought.")
    customers: int = strawberry.field(description="Members who bought in that month.")
    value: Decimal = strawberry.field(
        description="RETENTION: customers / the cohort's size, to 4 places; REVENUE: their "
                    "purchases' total.")


@strawberry.type(description="One row of the matrix: the customers whose first purchase fell "
                             "in one month.")
class Cohort:
    month: date = strawberry.field(description="The first day of the cohort's month.")
    size: int = strawberry.field(description="Customers in it.")
    periods: list[CohortPeriod] = strawberry.field(
        description="The months after, up to `to`'s month; a month in which none of them "
                    "bought is listed with 0.")


def _cohorts(rows: list[dict], metric: CohortMetric, last: date) -> list[Cohort]:
    by_month: dict[date, tuple[int, dict[int, dict]]] = {}
    for r in rows:
        by_month.setdefault(r["cohort"], (r["size"], {}))[1][r["period"]] = r
    found = []
    for month, (size, periods) in sorted(by_month.items()):
        span = (last.year - month.year) * 12 + last.month - month.month
        cells = []
        for period in range(span + 1):
            row = periods.get(period)
            bought = row["customers"] if row else 0
            value = (Decimal(bought / size).quantize(Decimal("0.0001"))
                     if metric is CohortMetric.RETENTION
                     else (row["revenue"] if row else Decimal("0.00")))
            cells.append(CohortPeriod(period=period, customers=bought, value=value))
        found.append(Cohort(month=month, size=size, periods=cells))
    return found


@strawberry.type
class CohortQueries:
    @strawberry.field(description="The cohort matrix of the customers whose first purchase "
                                  "fell from `from` to `to`, over the orders you may read. A "
                                  "customer is the contact an order names, or its account when "
                                  "it names none; purchases are confirmed or fulfilled orders "
                                  "in the reporting currency.",
                      extensions=[Reads(always=READS, values={
                          "metric": {"RETENTION": (), "REVENUE": REVENUE_READS},
                          "by": {"FIRST_ORDER_MONTH": ()}})])
    async def cohorts(
        self, info: strawberry.Info,
        metric: Annotated[CohortMetric, arg("What each cell holds.")],
        from_: Annotated[date, strawberry.argument(name="from", description="First day: "
                                                   "its month is the first cohort.")],
        to: Annotated[date, arg("Last day: its month is the last cohort and the last period.")],
        by: Annotated[CohortBy, arg("How customers are put into cohorts.")]
        = CohortBy.FIRST_ORDER_MONTH,
    ) -> list[Cohort]:
        ctx = info.context
        with arguments_checked():
            check_date_window(from_, to)
        rows = await cohort_rows(ctx.analytics_reader, ctx.access, from_, to, ctx.reporting_currency)
        return _cohorts(rows, metric, to.replace(day=1))
