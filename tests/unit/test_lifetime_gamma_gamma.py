"""The Gamma-Gamma model: its density by hand, its fit on simulated spend, its expectations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from domain.errors import DomainError
from domain.lifetime import (
    MIN_REPEAT_CUSTOMERS,
    GammaGammaFit,
    GammaGammaParameters,
    UnusableModel,
    expected_average_spend,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
    group_spend,
)
from domain.lifetime.simulate import simulate_spend

# Fader, Hardie & Lee (2005)'s estimates on CDNOW's repeat customers, in dollars.
CDNOW = GammaGammaParameters(p=6.25, q=3.74, gamma=15.44)
# p is read from how single purchases vary around a customer's mean, so many customers with
# few purchases teach it best (with ten each, m_x is nearly p/nu and only p*gamma shows).
# With 100,000 customers gamma's standard error is 2.6% of gamma; 500,000 customers with
# 1 + Poisson(0.5) repeat purchases each bring it to 1.2% (p: 0.8%, q: 0.4%).
SIMULATED_CUSTOMERS = 500_000


@pytest.fixture(scope="module")
def simulated():
    rng = np.random.default_rng(2005)
    frequency = 1 + rng.poisson(0.5, SIMULATED_CUSTOMERS)
    spend = simulate_spend(rng, CDNOW, frequency)
    # Rounded to cents, as amounts are kept, so that customers share rows; a mean of a few
    # dollars or more never rounds to 0.
    return spend.frequency, np.round(spend.mean_spend, 2)


def by_hand(params: GammaGammaParameters, x: int, m_x: float) -> float:
    """The marginal density of m_x as printed, in plain floats, then its logarithm."""
    p, q, gamma = params.p, params.q, params.gamma
    coefficient = math.exp(math.lgamma(p * x + q) - math.lgamma(p * x) - math.lgamma(q))
    density = coefficient * gamma**q * m_x ** (p * x - 1) * x ** (p * x) / (gamma + m_x * x) ** (p * x + q)
    return math.log(density)


def test_log_likelihood_matches_the_marginal_density_by_hand():
    customers = [(1, 12.5), (2, 30.0), (5, 8.75), (12, 41.0)]
    x, m_x = (np.array(column) for column in zip(*customers, strict=True))
    expected = [by_hand(CDNOW, *customer) for customer in customers]
    assert gamma_gamma_log_likelihood(CDNOW, x, m_x) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("x", [1, 3, 10])
def test_density_of_the_mean_spend_integrates_to_one(x):
    def density(m):
        return math.exp(gamma_gamma_log_likelihood(CDNOW, x, m)[()])

    total, _ = quad(density, 0, math.inf, limit=200)
    assert total == pytest.approx(1, abs=1e-7)


def test_fit_recovers_known_parameters_within_five_percent(simulated):
    frequency, mean_spend = simulated
    fit = fit_gamma_gamma(group_spend(frequency, mean_spend))
    assert fit.converged and not fit.declined
    assert fit.customers == fit.repeat_customers == SIMULATED_CUSTOMERS
    for name in ("p", "q", "gamma"):
        assert getattr(fit.parameters, name) == pytest.approx(getattr(CDNOW, name), rel=0.05), name
    per_customer = gamma_gamma_log_likelihood(fit, frequency, mean_spend)
    assert fit.log_likelihood == pytest.approx(per_customer.sum(), rel=1e-9)


def test_simulated_single_purchases_average_the_population_mean():
    spend = simulate_spend(np.random.default_rng(5), CDNOW, np.ones(200_000, dtype=int))
    standard_error = spend.mean_spend.std() / math.sqrt(spend.mean_spend.size)
    assert abs(spend.mean_spend.mean() - CDNOW.mean_spend) < 4 * standard_error


def test_group_spend_leaves_out_customers_without_repeat_purchases():
    histories = group_spend([0, 1, 1, 3], [float("nan"), 10.0, 10.0, 7.5])
    rows = sorted(zip(histories.frequency, histories.mean_spend, histories.counts, strict=True))
    assert rows == [(1, 10.0, 2), (3, 7.5, 1)]


def test_expected_average_spend_weighs_the_population_and_the_customer():
    population = CDNOW.p * CDNOW.gamma / (CDNOW.q - 1)
    spend = expected_average_spend(CDNOW, [0, 1, 5, 50, 5000], [float("nan"), 100, 100, 100, 100])
    assert spend[0] == pytest.approx(population)
    # More purchases move the estimate from the population's mean towards the customer's.
    assert population < spend[1] < spend[2] < spend[3] < spend[4] < 100
    assert spend[4] == pytest.approx(100, rel=1e-3)
    # The weighted-average form, term by term, for x = 5.
    px = CDNOW.p * 5
    weight = px / (px + CDNOW.q - 1)
    assert spend[2] == pytest.approx((1 - weight) * population + weight * 100)


def test_expected_average_spend_needs_a_finite_population_mean():
    with pytest.raises(UnusableModel, match="q <= 1"):
        expected_average_spend(GammaGammaParameters(2.0, 0.9, 10.0), [1], [20.0])


def test_fit_declines_with_too_few_repeat_customers():
    one_short = MIN_REPEAT_CUSTOMERS - 1
    frequency = np.r_[np.ones(one_short), np.zeros(1_000)]
    fit = fit_gamma_gamma(group_spend(frequency, np.r_[np.linspace(5, 50, one_short), np.zeros(1_000)]))
    assert fit.declined and fit.parameters is None
    assert fit.repeat_customers == one_short and f"{one_short} repeat customers" in fit.message
    with pytest.raises(UnusableModel, match="declined"):
        expected_average_spend(fit, [1], [20.0])


def test_predictions_from_an_unconverged_fit_are_refused():
    stuck = GammaGammaFit(parameters=CDNOW, log_likelihood=-1.0, customers=500, repeat_customers=500,
                          converged=False, iterations=500, message="ABNORMAL")
    with pytest.raises(UnusableModel, match="did not converge"):
        gamma_gamma_log_likelihood(stuck, [1], [20.0])


@pytest.mark.parametrize("frequency, mean_spend, field", [
    ([1], [0.0], "mean_spend"),
    ([2], [-3.0], "mean_spend"),
    ([2], [float("inf")], "mean_spend"),
    ([0.5], [3.0], "frequency"),
])
def test_spend_out_of_range_is_refused(frequency, mean_spend, field):
    with pytest.raises(DomainError) as caught:
        group_spend(frequency, mean_spend)
    assert [problem.field for problem in caught.value.problems] == [field]
