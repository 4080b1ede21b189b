"""Lifetime value as contacts show it (`lifetime`), and the model behind it (`lifetimeModel`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import orjson
import strawberry
from strawberry.scalars import JSON

from api.schema import forms
from api.schema.fields import column
from api.schema.reads import Reads
from persistence.lifetime import latest_model

# The model explains the figures every contact's `lifetime` shows: the same readers.
LIFETIME_READS = ("Contact.lifetime",)


@strawberry.type(description="A contact's purchase history and what the lifetime models "
                             "predict from it, as of the last refresh. Purchases are counted "
                             "by day, as the BG/NBD model does. The predictions are null when "
                             "the model declined or did not converge (see lifetimeModel).")
class Lifetime:
    frequency: int = strawberry.field(description="Days with a purchase after the first.")
    recency: int = strawberry.field(description="Days from the first purchase to the last.")
    age: int = strawberry.field(description="Days from the first purchase to the refresh.")
    historic_value: Decimal = strawberry.field(
        description="Historic CLV: the margin of every purchase to date (revenue times the "
                    "configured margin).")
    expected_purchases: float | None = strawberry.field(
        description="Purchases expected in the next 12 months (BG/NBD).")
    probability_alive: float | None = strawberry.field(
        description="P(alive): the probability that the customer still buys (BG/NBD).")
    churn_probability: float | None = strawberry.field(description="1 − probabilityAlive.")
    expected_spend: Decimal | None = strawberry.field(
        description="Expected value of a purchase (Gamma-Gamma).")
    predicted_value: Decimal | None = strawberry.field(
        description="Predicted 12-month CLV: expected purchases month by month, times the "
                    "expected spend and the margin, discounted at the configured monthly rate.")
    computed_at: datetime = strawberry.field(description="When it was computed.")


def _money(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _lifetime(value: dict) -> Lifetime:
    return Lifetime(
        frequency=value["frequency"], recency=value["recency"], age=value["age"],
        historic_value=Decimal(value["historicValue"]),
        expected_purchases=value["expectedPurchases"],
        probability_alive=value["probabilityAlive"],
        churn_probability=value["churnProbability"],
        expected_spend=_money(value["expectedSpend"]),
        predicted_value=_money(value["predictedValue"]),
        computed_at=datetime.fromisoformat(value["computedAt"]))


def lifetime_field():
    """The `lifetime` field of a contact (its `analytics` policy group)."""
    return column("Lifetime value and churn as of the last refresh; null when the contact has "
                  "bought nothing.", _lifetime, form=forms.Json(many=False))


@strawberry.type(description="One fit of one model: its parameters, and whether they are used.")
class ModelFit:
    parameters: JSON | None = strawberry.field(
        description="The fitted parameters by name (BG/NBD: r, alpha in days, a, b; "
                    "Gamma-Gamma: p, q, gamma); null when the fit declined.")
    log_likelihood: float | None = strawberry.field(description="Total log-likelihood.")
    converged: bool = strawberry.field(description="Whether the optimiser converged within "
                                                   "bounds.")
    declined: bool = strawberry.field(description="Whether it declined: too few repeat "
                                                  "customers to fit.")
    iterations: int = strawberry.field(description="Optimiser iterations.")
    message: str = strawberry.field(description="Why it declined or how it ended.")


@strawberry.type(description="The lifetime models as the last refresh fitted them.")
class LifetimeModel:
    fitted_at: datetime = strawberry.field(description="When they were fitted.")
    currency: str = strawberry.field(description="The currency of the purchases counted.")
    customers: int = strawberry.field(description="Contacts with at least one purchase.")
    repeat_customers: int = strawberry.field(description="Of them, those who bought on more "
                                                         "than one day; at least 200 are needed.")
    purchases: ModelFit = strawberry.field(description="BG/NBD: how many purchases, and P(alive).")
    spend: ModelFit = strawberry.field(description="Gamma-Gamma: the value of a purchase.")
    predicting: bool = strawberry.field(description="Whether contacts carry predictions: both "
                                                    "fits usable.")
    horizon_months: int = strawberry.field(description="The months predicted CLV covers.")
    monthly_discount_rate: float = strawberry.field(description="The monthly discount rate.")
    margin: float = strawberry.field(description="The share of revenue counted as margin.")
    scored: int = strawberry.field(description="Contacts scored.")


def _fit(value) -> ModelFit:
    value = orjson.loads(value) if isinstance(value, str) else value
    return ModelFit(parameters=value["parameters"], log_likelihood=value["logLikelihood"],
                    converged=value["converged"], declined=value["declined"],
                    iterations=value["iterations"], message=value["message"])


@strawberry.type
class LifetimeQueries:
    @strawberry.field(description="The lifetime models behind every contact's `lifetime`: "
                                  "parameters, when and over whom they were fitted, and "
                                  "whether they predict. Null before the first refresh.",
                      extensions=[Reads(always=LIFETIME_READS)])
    async def lifetime_model(self, info: strawberry.Info) -> LifetimeModel | None:
        row = await latest_model(info.context.reader)
        if row is None:
            return None
        purchases, spend = _fit(row["purchases"]), _fit(row["spend"])
        return LifetimeModel(
            fitted_at=row["fitted_at"], currency=row["currency"], customers=row["customers"],
            repeat_customers=row["repeat_customers"], purchases=purchases, spend=spend,
            predicting=all(f.converged and not f.declined for f in (purchases, spend)),
            horizon_months=row["horizon_months"],
            monthly_discount_rate=row["monthly_discount_rate"], margin=row["margin"],
            scored=row["scored"])
