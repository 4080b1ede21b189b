"""The sales forecast: pipeline, weighted pipeline, commitments and wins per period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from domain.opportunities import COMMITTED_PROBABILITY, ForecastGroup, ForecastPeriod

Period = strawberry.enum(ForecastPeriod, name="ForecastPeriod",
                         description="The length of one forecast period.")
GroupBy = strawberry.enum(ForecastGroup, name="ForecastGroupBy",
                          description="What the forecast adds deals up by.")


@strawberry.type(description="One group's deals closing in one period, in one currency.")
class ForecastRow:
    group: strawberry.ID | None = strawberry.field(
        description="Global id of the owner, territory or pipeline; null for deals without one.")
    group_name: str | None = strawberry.field(description="Its name.")
    period_start: date = strawberry.field(description="First day of the month or quarter.")
    currency: str = strawberry.field(description="ISO 4217 code: currencies are never mixed.")
    open_amount: Decimal = strawberry.field(description="Amount of the open deals.")
    weighted_amount: Decimal = strawberry.field(
        description="Open deals' amounts times their probabilities.")
    committed_amount: Decimal = strawberry.field(
        description=f"Amount of the open deals at {COMMITTED_PROBABILITY}% or more.")
    won_amount: Decimal = strawberry.field(description="Amount of the deals won.")
    deals: int = strawberry.field(description="Deals closing in the period: open, won and lost.")
    won_deals: int = strawberry.field(description="Deals won.")
