"""Customer lifetime value: expected purchases month by month, discounted, times spend and margin."""

from __future__ import annotations

import numpy as np
import pytest

from domain.errors import DomainError
from domain.lifetime import (
    DAYS_PER_MONTH,
    WEEKS_PER_MONTH,
    BgNbdFit,
    BgNbdParameters,
    UnusableModel,
    customer_lifetime_value,
    expected_purchases,
)

CDNOW = BgNbdParameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
# A new customer, an occasional one, a lapsed one, a frequent and recent one; in weeks.
FREQUENCY = np.array([0, 2, 3, 12])
RECENCY = np.array([0.0, 30.43, 5.0, 38.0])
AGE = np.array([38.86, 38.86, 39.0, 39.0])
SPEND = np.array([35.0, 40.0, 20.0, 55.0])


def lifetime_value(months=12, rate=0.0, margin=1.0, model=CDNOW):
    return customer_lifetime_value(model, FREQUENCY, RECENCY, AGE, SPEND, months=months,
                                   monthly_discount_rate=rate, periods_per_month=WEEKS_PER_MONTH,
                                   margin=margin)


def test_value_undiscounted_is_the_expected_purchases_over_the_horizon():
    purchases = expected_purchases(CDNOW, 24 * WEEKS_PER_MONTH, FREQUENCY, RECENCY, AGE)
    assert lifetime_value(months=24, margin=0.3) == pytest.approx(purchases * SPEND * 0.3, rel=1e-10)


def test_value_discounted_sums_each_month_s_purchases_at_its_own_rate():
    ends = np.arange(0, 7)[:, None] * WEEKS_PER_MONTH
    by_month = np.diff(expected_purchases(CDNOW, ends, FREQUENCY, RECENCY, AGE), axis=0)
    undiscounted = by_month.sum(axis=0) * SPEND
    discounted = sum(by_month[k - 1] / 1.02**k for k in range(1, 7)) * SPEND
    assert lifetime_value(months=6) == pytest.approx(undiscounted, rel=1e-10)
    assert lifetime_value(months=6, rate=0.02) == pytest.approx(discounted, rel=1e-10)


def test_value_falls_as_the_discount_rate_rises():
    values = [lifetime_value(months=36, rate=rate) for rate in (0.0, 0.005, 0.01, 0.05)]
    assert all(np.all(later < earlier) for earlier, later in zip(values, values[1:], strict=False))


def test_value_grows_with_the_horizon():
    assert np.all(lifetime_value(months=6, rate=0.01) < lifetime_value(months=12, rate=0.01))


def test_value_is_the_same_in_days_and_in_weeks():
    # alpha scales with the time unit; r, a and b do not.
    in_days = BgNbdParameters(CDNOW.r, CDNOW.alpha * 7, CDNOW.a, CDNOW.b)
    days = customer_lifetime_value(in_days, FREQUENCY, RECENCY * 7, AGE * 7, SPEND, months=12,
                                   monthly_discount_rate=0.01, periods_per_month=DAYS_PER_MONTH)
    assert days == pytest.approx(lifetime_value(rate=0.01), rel=1e-10)


def test_value_from_a_declined_fit_is_refused():
    declined = BgNbdFit(parameters=None, log_likelihood=None, customers=300, repeat_customers=12,
                        converged=False, iterations=0, message="12 repeat customers", declined=True)
    with pytest.raises(UnusableModel, match="declined"):
        lifetime_value(model=declined)


@pytest.mark.parametrize("change, field", [
    ({"months": 0}, "months"),
    ({"months": 1.5}, "months"),
    ({"monthly_discount_rate": -0.01}, "monthly_discount_rate"),
    ({"margin": float("nan")}, "margin"),
    ({"periods_per_month": 0.0}, "periods_per_month"),
    ({"expected_spend": -1.0}, "expected_spend"),
])
def test_value_arguments_out_of_range_are_refused(change, field):
    arguments = {"months": 12, "monthly_discount_rate": 0.01, "periods_per_month": WEEKS_PER_MONTH,
                 "expected_spend": SPEND} | change
    with pytest.raises(DomainError) as caught:
        customer_lifetime_value(CDNOW, FREQUENCY, RECENCY, AGE, **arguments)
    assert [problem.field for problem in caught.value.problems] == [field]
