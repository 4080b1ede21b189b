"""The BG/NBD model: its likelihood by hand, its fit on simulated customers, its predictions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import hyp2f1

from domain.errors import DomainError
from domain.lifetime import (
    MIN_REPEAT_CUSTOMERS,
    BgNbdFit,
    BgNbdParameters,
    UnusableModel,
    bgnbd_log_likelihood,
    expected_purchases,
    fit_bgnbd,
    group_purchase_histories,
    probability_alive,
)
from domain.lifetime.simulate import simulate_purchases

# Fader, Hardie & Lee (2005)'s estimates on the CDNOW sample, in weeks.
CDNOW = BgNbdParameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
DAY = 1 / 7
# Dropout (a, b) is learnt from repeat customers only: with 100,000 customers over 26-52
# weeks b's standard error is 4% of b, so 5% is not a safe bound. 500,000 customers watched
# for one to three years bring it to 1.1% (a: 0.8%), which puts 5% beyond four of them.
SIMULATED_CUSTOMERS = 500_000
OBSERVED_WEEKS = (52.0, 156.0)


@pytest.fixture(scope="module")
def simulated():
    return simulate_purchases(np.random.default_rng(2005), CDNOW, SIMULATED_CUSTOMERS, OBSERVED_WEEKS,
                              time_step=DAY)


@pytest.fixture(scope="module")
def fitted(simulated) -> BgNbdFit:
    return fit_bgnbd(group_purchase_histories(simulated.frequency, simulated.recency, simulated.age))


def by_hand(params: BgNbdParameters, x: int, t_x: float, T: float) -> float:
    """Equation (6) as printed, in plain floats: the two terms added, then the logarithm."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b

    def beta(p, q):
        return math.exp(math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q))

    purchases = math.exp(math.lgamma(r + x) - math.lgamma(r)) * alpha**r
    alive = beta(a, b + x) / beta(a, b) * purchases / (alpha + T) ** (r + x)
    dropped = beta(a + 1, b + x - 1) / beta(a, b) * purchases / (alpha + t_x) ** (r + x) if x > 0 else 0.0
    return math.log(alive + dropped)


def test_log_likelihood_matches_equation_6_by_hand():
    customers = [(0, 0.0, 39.0), (1, 1.0, 10.0), (2, 30.43, 38.86), (7, 35.0, 39.0)]
    x, t_x, T = (np.array(column) for column in zip(*customers, strict=True))
    expected = [by_hand(CDNOW, *customer) for customer in customers]
    assert bgnbd_log_likelihood(CDNOW, x, t_x, T) == pytest.approx(expected, rel=1e-12)


def test_fit_recovers_known_parameters_within_five_percent(fitted):
    assert fitted.converged and not fitted.declined
    found = fitted.parameters
    for name in ("r", "alpha", "a", "b"):
        assert getattr(found, name) == pytest.approx(getattr(CDNOW, name), rel=0.05), name


def test_fit_counts_customers_and_its_log_likelihood_is_the_ungrouped_total(simulated, fitted):
    assert fitted.customers == SIMULATED_CUSTOMERS
    assert fitted.repeat_customers == int((simulated.frequency > 0).sum())
    per_customer = bgnbd_log_likelihood(fitted.parameters, simulated.frequency, simulated.recency,
                                        simulated.age)
    assert fitted.log_likelihood == pytest.approx(per_customer.sum(), rel=1e-9)


def test_group_purchase_histories_counts_each_distinct_history():
    histories = group_purchase_histories([0, 2, 0, 2, 2], [0, 5, 0, 5, 6], [10, 10, 10, 10, 10])
    rows = sorted(zip(histories.frequency, histories.recency, histories.age, histories.counts,
                      strict=True))
    assert rows == [(0, 0, 10, 2), (2, 5, 10, 2), (2, 6, 10, 1)]
    assert (histories.customers, histories.repeat_customers) == (5, 3)


def test_simulated_purchases_average_equation_7():
    # E[X(t)] for a new customer, equation (7), independent of the fit.
    r, alpha, a, b = CDNOW.r, CDNOW.alpha, CDNOW.a, CDNOW.b
    t = 39.0
    hypergeometric = hyp2f1(r, b, a + b - 1, t / (alpha + t))
    expected = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hypergeometric)
    sample = simulate_purchases(np.random.default_rng(7), CDNOW, 200_000, t)
    standard_error = sample.frequency.std() / math.sqrt(sample.frequency.size)
    assert abs(sample.frequency.mean() - expected) < 4 * standard_error
    assert np.all((sample.recency <= sample.age) & ((sample.frequency > 0) | (sample.recency == 0)))


def test_expected_purchases_match_the_paper_s_example():
    # FHL (2005): a customer with 2 repeat purchases, the last at 30.43 of 38.86 weeks, is
    # expected to make 1.226 purchases in the next 39 weeks.
    assert expected_purchases(CDNOW, 39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=5e-4)


def test_expected_purchases_agree_with_the_untransformed_equation_10():
    r, alpha, a, b = CDNOW.r, CDNOW.alpha, CDNOW.a, CDNOW.b
    x = np.array([0, 1, 2, 5, 20, 60])
    t_x = np.array([0, 3.0, 30.43, 20, 38, 38.5])
    T, t = 38.86, np.array([[13.0], [52.0], [260.0]])
    z = t / (alpha + T + t)
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    denominator = 1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    untransformed = (a + b + x - 1) / (a - 1) * bracket / denominator
    assert expected_purchases(CDNOW, t, x, t_x, T) == pytest.approx(untransformed, rel=1e-9)


def test_expected_purchases_stay_finite_for_heavy_buyers():
    # The untransformed form gives 0 * inf here; the model says such a customer, silent for
    # a week after buying 50 times a week, has almost surely left.
    heavy = expected_purchases(CDNOW, 52, [2000, 2000], [38.0, 39.0], 39.0)
    assert np.all(np.isfinite(heavy)) and heavy[0] < 1e-10 < 100 < heavy[1]


def test_expected_purchases_grow_with_the_horizon():
    horizons = np.array([[0.0], [1], [4], [13], [52], [104], [520]])
    purchases = expected_purchases(CDNOW, horizons, [0, 1, 4, 12], [0, 5, 30, 36], 39.0)
    assert np.all(purchases[0] == 0)
    assert np.all(np.diff(purchases, axis=0) > 0)


def test_expected_purchases_at_a_equal_to_one_are_the_limit():
    def at(a):
        return expected_purchases(BgNbdParameters(0.5, 5.0, a, 2.0), 26, [0, 3], [0, 20], 39)

    assert at(1.0) == pytest.approx((at(1 - 1e-4) + at(1 + 1e-4)) / 2, rel=1e-6)


def test_probability_alive_is_one_without_repeat_purchases():
    assert np.all(probability_alive(CDNOW, [0, 0], [0, 0], [1.0, 500.0]) == 1.0)


def test_probability_alive_lies_between_zero_and_one():
    rng = np.random.default_rng(3)
    T = rng.uniform(1, 200, 10_000)
    x = rng.integers(0, 300, 10_000)
    t_x = np.where(x > 0, rng.uniform(0, 1, 10_000) * T, 0.0)
    alive = probability_alive(CDNOW, x, t_x, T)
    assert np.all((alive >= 0) & (alive <= 1)) and alive.min() < 0.01 < 0.99 < alive.max()


def test_probability_alive_rises_with_recency():
    alive = probability_alive(CDNOW, 4, [1.0, 10, 20, 30, 38, 39], 39.0)
    assert np.all(np.diff(alive) > 0)


def test_fit_declines_with_too_few_repeat_customers():
    one_short = MIN_REPEAT_CUSTOMERS - 1
    x = np.r_[np.ones(one_short), np.zeros(5_000)]
    t_x = np.r_[np.linspace(1, 30, one_short), np.zeros(5_000)]
    fit = fit_bgnbd(group_purchase_histories(x, t_x, np.full(x.size, 39.0)))
    assert fit.declined and not fit.usable and fit.parameters is None
    assert (fit.customers, fit.repeat_customers) == (5_000 + one_short, one_short)
    assert f"{one_short} repeat customers" in fit.message and str(MIN_REPEAT_CUSTOMERS) in fit.message
    with pytest.raises(UnusableModel, match="declined"):
        probability_alive(fit, 1, 20.0, 39.0)


def test_fit_with_exactly_enough_repeat_customers_goes_ahead():
    sample = simulate_purchases(np.random.default_rng(11), CDNOW, 3_000, 39.0)
    repeat = np.flatnonzero(sample.frequency > 0)[:MIN_REPEAT_CUSTOMERS]
    keep = np.r_[repeat, np.flatnonzero(sample.frequency == 0)]
    fit = fit_bgnbd(group_purchase_histories(sample.frequency[keep], sample.recency[keep], sample.age[keep]))
    assert not fit.declined and fit.repeat_customers == MIN_REPEAT_CUSTOMERS


def test_predictions_from_an_unconverged_fit_are_refused():
    stuck = BgNbdFit(parameters=CDNOW, log_likelihood=-1.0, customers=1_000, repeat_customers=400,
                     converged=False, iterations=500, message="ABNORMAL")
    with pytest.raises(UnusableModel, match="did not converge: ABNORMAL"):
        expected_purchases(stuck, 10, 1, 5.0, 39.0)


@pytest.mark.parametrize("frequency, recency, age, field", [
    (-1, 0.0, 10.0, "frequency"),
    (1.5, 1.0, 10.0, "frequency"),
    (2, 11.0, 10.0, "recency"),
    (0, 3.0, 10.0, "recency"),
    (2, float("nan"), 10.0, "recency"),
    (2, 1.0, 0.0, "age"),
])
def test_histories_out_of_range_are_refused(frequency, recency, age, field):
    with pytest.raises(DomainError) as caught:
        probability_alive(CDNOW, [frequency], [recency], [age])
    assert field in [problem.field for problem in caught.value.problems]
