"""Customer lifetime value: the discounted margin of a customer's expected purchases.

Over a horizon of H months, discounted monthly at rate d (Fader, Hardie & Lee 2005, "RFM and
CLV", in its discrete, month-by-month form):

    CLV = sum over k = 1..H of  (E[X(t_k)] - E[X(t_(k-1))]) * E[M] * margin / (1 + d)^k

where E[X(t)] is the BG/NBD's expected purchases in the next t periods (equation (10),
domain/lifetime/bgnbd.py), t_k is the end of month k in the data's time unit, and E[M] the
customer's expected purchase value, from the Gamma-Gamma model or from anywhere else. Month
k's purchases are discounted as if they all fell at its end.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from domain.errors import DomainError, ErrorCode
from domain.lifetime.bgnbd import BgNbdModel, BgNbdParameters, expected_purchases
from domain.lifetime.fitting import parameters_of
from domain.lifetime.histories import purchase_columns, require_non_negative

# The average month of the Gregorian calendar, for histories measured in days or in weeks.
DAYS_PER_MONTH = 365.25 / 12
WEEKS_PER_MONTH = DAYS_PER_MONTH / 7


def customer_lifetime_value(
    purchases: BgNbdModel,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    expected_spend: ArrayLike,
    *,
    months: int,
    monthly_discount_rate: float,
    periods_per_month: float,
    margin: float = 1.0,
) -> NDArray[np.float64]:
    """Each customer's discounted value over the next `months` months.

    frequency, recency and age are the customers' histories in the BG/NBD fit's time unit;
    periods_per_month says how many of those units make a month (DAYS_PER_MONTH,
    WEEKS_PER_MONTH). expected_spend is per customer or one number for all; margin is the
    share of it that is profit (1.0: the value is revenue). A rate of 0 does not discount.
    """
    params = parameters_of(purchases, BgNbdParameters)
    x, t_x, T = purchase_columns(frequency, recency, age)
    spend = np.broadcast_to(np.asarray(expected_spend, dtype=np.float64), x.shape)
    if not np.all(np.isfinite(spend) & (spend >= 0)):
        raise DomainError.one("expected_spend", ErrorCode.INVALID, "Expected spend is zero or more.")
    if isinstance(months, bool) or not isinstance(months, int | np.integer) or months < 1:
        raise DomainError.one("months", ErrorCode.INVALID,
                              "The horizon is a whole number of months, 1 or more.")
    require_non_negative(monthly_discount_rate, "monthly_discount_rate", "The monthly discount rate")
    require_non_negative(margin, "margin", "The margin")
    if not (np.isfinite(periods_per_month) and periods_per_month > 0):
        raise DomainError.one("periods_per_month", ErrorCode.INVALID,
                              "A month is a positive number of the histories' time unit.")
    discounted_purchases = np.zeros(x.shape)
    purchases_so_far = np.zeros(x.shape)
    for month in range(1, months + 1):
        purchases_until = expected_purchases(params, month * periods_per_month, x, t_x, T)
        discounted_purchases += (purchases_until - purchases_so_far) / (1 + monthly_discount_rate) ** month
        purchases_so_far = purchases_until
    return discounted_purchases * spend * margin
