"""Customer lifetime value from purchase histories: the "buy till you die" models.

- bgnbd.py: the BG/NBD model (Fader, Hardie & Lee 2005), expected purchases and P(alive);
- gamma_gamma.py: the Gamma-Gamma model of the value of a purchase;
- value.py: the discounted lifetime value that the two give together;
- histories.py: the inputs, their checks, their time unit, and grouping for fast fits;
- fitting.py: maximum likelihood, the fit result, and when a fit declines;
- simulate.py: customers drawn from known parameters.

Pure: numpy arrays in, numpy arrays out, no database. A typical use:

    histories = group_purchase_histories(x, t_x, T)
    purchases = fit_bgnbd(histories)
    spend = fit_gamma_gamma(group_spend(x, m_x))
    value = customer_lifetime_value(
        purchases, x, t_x, T, expected_average_spend(spend, x, m_x),
        months=12, monthly_discount_rate=0.01, periods_per_month=DAYS_PER_MONTH)

Either fit may decline (too few repeat customers) or fail to converge; predictions from
such a fit raise UnusableModel, so check `fit.usable` first where that is expected.
"""

from domain.lifetime.bgnbd import (
    BgNbdFit,
    BgNbdParameters,
    bgnbd_log_likelihood,
    expected_purchases,
    fit_bgnbd,
    probability_alive,
)
from domain.lifetime.fitting import MIN_REPEAT_CUSTOMERS, ModelFit, UnusableModel
from domain.lifetime.gamma_gamma import (
    GammaGammaFit,
    GammaGammaParameters,
    expected_average_spend,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
)
from domain.lifetime.histories import (
    PurchaseHistories,
    SpendHistories,
    group_purchase_histories,
    group_spend,
)
from domain.lifetime.value import DAYS_PER_MONTH, WEEKS_PER_MONTH, customer_lifetime_value

__all__ = [
    "DAYS_PER_MONTH",
    "MIN_REPEAT_CUSTOMERS",
    "WEEKS_PER_MONTH",
    "BgNbdFit",
    "BgNbdParameters",
    "GammaGammaFit",
    "GammaGammaParameters",
    "ModelFit",
    "PurchaseHistories",
    "SpendHistories",
    "UnusableModel",
    "bgnbd_log_likelihood",
    "customer_lifetime_value",
    "expected_average_spend",
    "expected_purchases",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "gamma_gamma_log_likelihood",
    "group_purchase_histories",
    "group_spend",
    "probability_alive",
]
