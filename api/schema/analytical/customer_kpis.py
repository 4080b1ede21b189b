"""customerKpis: satisfaction, loyalty and purchase KPIs per period and group."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import orjson
import strawberry

from api.resolvers.common import arguments_checked
from api.schema.analytical import rate
from api.schema.analytical.surveys import Dimension
from api.schema.reads import Reads
from api.schema.relay import arg
from domain.errors import DomainError, ErrorCode
from domain.ids import to_global_id
from domain.values import check_date_window
from persistence.customer_kpis import (
    GROUP_READS,
    ORDER_READS,
    RESPONSE_READS,
    KpiGroup,
    KpiInterval,
    order_kpis,
    response_kpis,
)
from persistence.product_kpis import order_kpis_by_family, response_kpis_by_family

Interval = strawberry.enum(KpiInterval, description="The length of each period.")
Group = strawberry.enum(KpiGroup, description="What the KPIs are split by: the customer's "
                        "territory, its account's tier, its RFM segment, or the source of the "
                        "lead it was converted from; or PRODUCT, the family of what was bought "
                        "or answered about.")
CENT = Decimal("0.01")


@strawberry.type(description="SERVQUAL: perceived minus expected quality in one dimension.")
class ServqualGap:
    dimension: Dimension = strawberry.field(description="The dimension.")
    gap: float = strawberry.field(description="Mean perception − mean expectation; below 0: "
                                              "the service falls short of what was expected.")


@strawberry.type(description="The KPIs of one period and group; each is null when what it "
                             "divides by is zero: no answers is no score, not a score of 0.")
class CustomerKpis:
    period_start: date = strawberry.field(description="The first day of the period.")
    key: str | None = strawberry.field(description="The group: a territory's id, a tier, an "
                                                   "RFM segment, a lead source, a product "
                                                   "family; null for none, and ungrouped.")
    responses: int = strawberry.field(description="Survey responses in the period.")
    nps: float | None = strawberry.field(description="NPS: % promoters − % detractors, −100 "
                                                     "to 100.")
    nps_responses: int = strawberry.field(description="NPS answers.")
    promoters: int = strawberry.field(description="NPS answers of 9 or 10.")
    detractors: int = strawberry.field(description="NPS answers of 0 to 6.")
    csat: float | None = strawberry.field(description="CSAT: % of CSAT answers of 4 or 5.")
    csat_responses: int = strawberry.field(description="CSAT answers.")
    ces: float | None = strawberry.field(description="CES: the mean effort answer, 1 to 7.")
    ces_responses: int = strawberry.field(description="CES answers.")
    servqual_gaps: list[ServqualGap] = strawberry.field(
        description="The SERVQUAL gap per dimension answered.")
    servqual_responses: int = strawberry.field(description="SERVQUAL responses.")
    customers_at_start: int = strawberry.field(description="S: customers active at the start.")
    customers_at_end: int = strawberry.field(description="E: customers active at the end.")
    acquired: int = strawberry.field(description="N: customers whose first purchase fell in it.")
    retention_rate: float | None = strawberry.field(description="CRR = (E − N) / S.")
    churn_rate: float | None = strawberry.field(description="1 − CRR.")
    buyers: int = strawberry.field(description="Customers who bought in the period.")
    repeat_purchase_rate: float | None = strawberry.field(
        description="Buyers who bought more than once in the period / buyers.")
    orders: int = strawberry.field(description="Purchases in the period.")
    revenue: Decimal = strawberry.field(description="Their total, in the reporting currency.")
    average_order_value: Decimal | None = strawberry.field(description="revenue / orders.")
    purchase_frequency: float | None = strawberry.field(description="orders / buyers.")
    revenue_per_customer: Decimal | None = strawberry.field(description="revenue / buyers.")


def _money(part, whole) -> Decimal | None:
    return (Decimal(part) / whole).quantize(CENT) if whole else None


def _kpis(start: date, key, bought: dict, answered: dict) -> CustomerKpis:
    s, e, n = bought.get("at_start", 0), bought.get("at_end", 0), bought.get("acquired", 0)
    crr = rate(e - n, s)
    nps_n = answered.get("nps_responses", 0)
    gaps = orjson.loads(answered["gaps"]) if answered.get("gaps") else {}
    buyers, orders = bought.get("buyers", 0), bought.get("orders", 0)
    revenue = Decimal(bought.get("revenue", 0)).quantize(CENT)
    ces = answered.get("ces")
    return CustomerKpis(
        period_start=start, key=key, responses=answered.get("responses", 0),
        nps=None if not nps_n else round(
            100 * (answered["promoters"] - answered["detractors"]) / nps_n, 2),
        nps_responses=nps_n, promoters=answered.get("promoters", 0),
        detractors=answered.get("detractors", 0),
        csat=None if not answered.get("csat_responses") else round(
            100 * answered["satisfied"] / answered["csat_responses"], 2),
        csat_responses=answered.get("csat_responses", 0),
        ces=None if ces is None else round(float(ces), 4),
        ces_responses=answered.get("ces_responses", 0),
        servqual_gaps=[ServqualGap(dimension=Dimension(d), gap=round(float(g), 4))
                       for d, g in sorted(gaps.items()) if g is not None],
        servqual_responses=answered.get("servqual_responses", 0),
        customers_at_start=s, customers_at_end=e, acquired=n, retention_rate=crr,
        churn_rate=None if crr is None else round(1 - crr, 4), buyers=buyers,
        repeat_purchase_rate=rate(bought.get("repeat_buyers", 0), buyers),
        orders=orders, revenue=revenue, average_order_value=_money(revenue, orders),
        purchase_frequency=rate(orders, buyers), revenue_per_customer=_money(revenue, buyers))


def _shown_key(key: str | None, group: KpiGroup | None) -> str | None:
    return to_global_id("Territory", key) if key and group is KpiGroup.TERRITORY else key


@strawberry.type
class CustomerKpiQueries:
    @strawberry.field(description="Customer KPIs from `from` to `to`, per period (and group), "
                                  "over the orders and survey responses you may read; the "
                                  "README's Customer KPIs gives every formula.",
                      extensions=[Reads(always=(*ORDER_READS, *RESPONSE_READS), values={
                          "groupBy": GROUP_READS,
                          "interval": {interval.value: () for interval in KpiInterval}})])
    async def customer_kpis(
        self, info: strawberry.Info,
        from_: Annotated[date, strawberry.argument(name="from", description="First day.")],
        to: Annotated[date, arg("Last day.")],
        interval: Annotated[Interval, arg("The length of each period.")] = KpiInterval.MONTH,
        group_by: Annotated[list[Group] | None, arg("Split by one of these; not split if not "
                                                    "given.")] = None,
    ) -> list[CustomerKpis]:
        ctx = info.context
        with arguments_checked():
            check_date_window(from_, to)
            if group_by and len(group_by) > 1:
                raise DomainError.one("groupBy", ErrorCode.INVALID,
                                      "Split by one group at a time.")
        group = KpiGroup(group_by[0]) if group_by else None
        interval = KpiInterval(interval)
        reader, access = ctx.analytics_reader, ctx.access
        if group is KpiGroup.PRODUCT:  # keyed by what was bought, not by who bought it
            purchases = order_kpis_by_family(reader, access, from_, to, interval,
                                             ctx.reporting_currency)
            answers = response_kpis_by_family(reader, access, from_, to, interval)
        else:
            purchases = order_kpis(reader, access, from_, to, interval, group,
                                   ctx.reporting_currency)
            answers = response_kpis(reader, access, from_, to, interval, group)
        bought = {(r["start"], r["key"]): r for r in await purchases}
        answered = {(r["start"], r["key"]): r for r in await answers}
        keys = sorted(bought.keys() | answered.keys(),
                      key=lambda k: (k[0], k[1] is None, k[1] or ""))
        return [_kpis(start, _shown_key(key, group), bought.get((start, key), {}),
                      answered.get((start, key), {})) for start, key in keys]
