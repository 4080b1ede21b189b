"""The lifetime refresh: fit BG/NBD and Gamma-Gamma to every customer's purchase history, then
score each distinct history once.

Customers with the same (frequency, recency, age) in days share every BG/NBD prediction, and
those with the same (frequency, mean spend to the cent) share the expected spend: a million
customers come to a few hundred thousand distinct histories, which the store reads grouped
and joins the scores back to, in SQL. A fit that declines (too few repeat customers) or does
not converge scores nothing: the store then keeps each customer's history and historic value,
with no prediction, and the model's record says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from domain.lifetime import (
    DAYS_PER_MONTH,
    BgNbdFit,
    GammaGammaFit,
    PurchaseHistories,
    SpendHistories,
    customer_lifetime_value,
    expected_average_spend,
    expected_purchases,
    fit_bgnbd,
    fit_gamma_gamma,
    probability_alive,
)
from domain.lifetime_valuation import HORIZON_MONTHS, LifetimeSettings


@dataclass(frozen=True, slots=True)
class HistoryScores:
    """Per distinct (frequency, recency, age): purchases expected in the horizon, P(alive),
    and the purchases discounted month by month (CLV = that x expected spend x margin)."""

    histories: PurchaseHistories
    expected: NDArray[np.float64]
    alive: NDArray[np.float64]
    discounted: NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SpendScores:
    """Per distinct (frequency, mean spend) of repeat customers: the expected spend; and the
    population's mean, for customers who bought once."""

    histories: SpendHistories
    expected: NDArray[np.float64]
    population_mean: float


@dataclass(frozen=True, slots=True)
class LifetimeResult:
    purchases: BgNbdFit
    spend: GammaGammaFit
    history_scores: HistoryScores | None  # None: no usable fit, no predictions
    spend_scores: SpendScores | None


class LifetimeStore(Protocol):
    async def purchase_histories(self) -> PurchaseHistories: ...

    async def spend_histories(self) -> SpendHistories: ...

    async def write(self, result: LifetimeResult, settings: LifetimeSettings) -> int: ...


def score(purchases: BgNbdFit, spend: GammaGammaFit, histories: PurchaseHistories,
          spend_histories: SpendHistories, settings: LifetimeSettings) -> LifetimeResult:
    """Predictions from both fits, or none when either cannot be used."""
    if not (purchases.usable and spend.usable) or spend.parameters.q <= 1:
        return LifetimeResult(purchases, spend, None, None)
    x, t_x, age = histories.frequency, histories.recency, histories.age
    horizon = HORIZON_MONTHS * DAYS_PER_MONTH
    discounted = customer_lifetime_value(
        purchases, x, t_x, age, 1.0, months=HORIZON_MONTHS,
        monthly_discount_rate=settings.monthly_discount_rate, periods_per_month=DAYS_PER_MONTH)
    history_scores = HistoryScores(histories, expected_purchases(purchases, horizon, x, t_x, age),
                                   probability_alive(purchases, x, t_x, age), discounted)
    one_purchase = float(expected_average_spend(spend, [0.0], [0.0])[0])
    spend_scores = SpendScores(
        spend_histories,
        expected_average_spend(spend, spend_histories.frequency, spend_histories.mean_spend),
        one_purchase)
    return LifetimeResult(purchases, spend, history_scores, spend_scores)


async def refresh_lifetime(store: LifetimeStore, settings: LifetimeSettings) -> LifetimeResult:
    """Fit both models to the store's histories, score them, and have the store write it all;
    the fits are kept even when they decline, so that readers learn why nothing is predicted."""
    histories = await store.purchase_histories()
    spend_histories = await store.spend_histories()
    result = score(fit_bgnbd(histories), fit_gamma_gamma(spend_histories), histories,
                   spend_histories, settings)
    await store.write(result, settings)
    return result
