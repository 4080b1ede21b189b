"""The lifetime refresh on a fake store: it fits, scores each distinct history once, and
hands the store no predictions when a fit cannot be used."""

from __future__ import annotations

import numpy as np
import pytest

from domain.lifetime import (
    DAYS_PER_MONTH,
    BgNbdParameters,
    GammaGammaParameters,
    expected_purchases,
    group_purchase_histories,
    group_spend,
)
from domain.lifetime.simulate import simulate_purchases, simulate_spend
from domain.lifetime_valuation import LifetimeSettings
from domain.services.lifetime import refresh_lifetime

SETTINGS = LifetimeSettings(monthly_discount_rate=0.01, margin=1.0)


class FakeStore:
    def __init__(self, histories, spend) -> None:
        self.histories, self.spend, self.written = histories, spend, None

    async def purchase_histories(self):
        return self.histories

    async def spend_histories(self):
        return self.spend

    async def write(self, result, settings) -> int:
        self.written = (result, settings)
        return result.purchases.customers


def _store(customers: int, seed: int = 3) -> FakeStore:
    rng = np.random.default_rng(seed)
    drawn = simulate_purchases(rng, BgNbdParameters(0.3, 25.0, 0.8, 2.5), customers,
                               (100.0, 600.0), time_step=1.0)
    spend = simulate_spend(rng, GammaGammaParameters(6.0, 4.0, 15.0), drawn.frequency)
    return FakeStore(group_purchase_histories(drawn.frequency, drawn.recency, drawn.age),
                     group_spend(spend.frequency, np.round(spend.mean_spend, 2)))


async def test_refresh_scores_every_distinct_history_once():
    store = _store(20_000)
    result = await refresh_lifetime(store, SETTINGS)
    written, settings = store.written
    assert written is result and settings is SETTINGS
    scores = result.history_scores
    assert result.purchases.usable and result.spend.usable
    assert len(scores.expected) == len(store.histories.frequency)
    h = store.histories
    assert np.allclose(scores.expected, expected_purchases(
        result.purchases, 12 * DAYS_PER_MONTH, h.frequency, h.recency, h.age))
    assert np.all((scores.alive > 0) & (scores.alive <= 1))
    # discounting at 1% a month values the year's purchases a little below their count
    assert np.all(scores.discounted <= scores.expected + 1e-12)
    assert np.all(scores.discounted >= scores.expected / 1.01 ** 12 - 1e-12)
    spend = result.spend_scores
    p, q, gamma = (result.spend.parameters.p, result.spend.parameters.q,
                   result.spend.parameters.gamma)
    assert spend.population_mean == pytest.approx(p * gamma / (q - 1))


async def test_refresh_with_too_few_repeat_customers_predicts_nothing():
    store = _store(150)
    result = await refresh_lifetime(store, SETTINGS)
    assert store.written[0] is result
    assert result.purchases.declined and "at least 200" in result.purchases.message
    assert result.history_scores is None and result.spend_scores is None
