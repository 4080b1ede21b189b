"""Customer lifetime value from purchase histories: the "buy till you die" models.

- bgnbd.py: the BG/NBD model (Fader, Hardie & Lee 2005), expected purchases and P(alive);
- gamma_gamma.py: the Gamma-Gamma model of the value of a purchase;
- histories.py: the inputs, their checks, their time unit, and grouping for fast fits;
- fitting.py: maximum likelihood, the fit result, and when a fit declines;
- simulate.py: customers drawn from known parameters.

Pure: numpy arrays in, numpy arrays out, no database. A typical use:

    histories = group_purchase_histories(x, t_x, T)
    purchases = fit_bgnbd(histories)
    spend = fit_gamma_gamma(group_spend(x, m_x))
    alive = probability_alive(purchases, x, t_x, T)

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

__all__ = [
    "MIN_REPEAT_CUSTOMERS",
    "BgNbdFit",
    "BgNbdParameters",
    "GammaGammaFit",
    "GammaGammaParameters",
    "ModelFit",
    "PurchaseHistories",
    "SpendHistories",
    "UnusableModel",
    "bgnbd_log_likelihood",
    "expected_average_spend",
    "expected_purchases",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "gamma_gamma_log_likelihood",
    "group_purchase_histories",
    "group_spend",
    "probability_alive",
]
