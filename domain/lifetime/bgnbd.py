"""The BG/NBD model: how many purchases a customer will make, and whether they are still alive.

Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to the
Pareto/NBD Model", Marketing Science 24(2). While alive, a customer buys as a Poisson process
of rate lambda; after each repeat purchase they drop out for good with probability p.
Across customers lambda ~ Gamma(shape r, rate alpha) and p ~ Beta(a, b). A customer's history
is (x, t_x, T): see domain/lifetime/histories.py, which also says how time is measured.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betaln, expit, gammaln, hyp2f1

from domain.errors import DomainError, ErrorCode
from domain.lifetime.fitting import (
    MIN_REPEAT_CUSTOMERS,
    ModelFit,
    declined_fit,
    maximise_log_likelihood,
    parameters_of,
)
from domain.lifetime.histories import PurchaseHistories, purchase_columns

# Equation (10) divides by a - 1; at a = 1 it is 0/0 with a finite limit, reached by moving a
# this far off 1 (the result then carries about 1e-9 relative error, far below any estimate's).
A_NEAR_ONE = 1e-7


@dataclass(frozen=True, slots=True)
class BgNbdParameters:
    """r and alpha shape the purchase rates (Gamma), a and b the dropout chances (Beta)."""

    r: float
    alpha: float
    a: float
    b: float

    def __post_init__(self) -> None:
        if not all(np.isfinite(v) and v > 0 for v in (self.r, self.alpha, self.a, self.b)):
            raise DomainError.one("parameters", ErrorCode.INVALID, "BG/NBD parameters are positive.")


@dataclass(frozen=True, slots=True)
class BgNbdFit(ModelFit[BgNbdParameters]):
    """A BG/NBD fit: see ModelFit."""


BgNbdModel = BgNbdFit | BgNbdParameters


def _log_likelihood(
    r: float, alpha: float, a: float, b: float,
    x_values: NDArray[np.float64], x_index: NDArray[np.intp],
    t_x: NDArray[np.float64], T: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Equation (6) on the log scale, per customer; the inputs are trusted.

    x comes as its distinct values and each customer's index into them (np.unique's
    return_inverse): the gamma and beta functions depend on x alone, which takes few values
    (a customer buys 0, 1, 2 ... times), so they are computed once per value, not per row.
    """
    repeat = (x_values > 0)[x_index]
    exponent = (r + x_values)[x_index]
    shared = (gammaln(r + x_values) - gammaln(r) + r * np.log(alpha) - betaln(a, b))[x_index]
    alive_at_end = betaln(a, b + x_values)[x_index] - exponent * np.log(alpha + T)
    # The second term exists only for x > 0 (the paper's delta); x = 0 rows compute it at
    # x = 1 instead, because betaln(a + 1, b - 1) is undefined when b <= 1.
    dropped = betaln(a + 1, b + np.maximum(x_values, 1) - 1)[x_index] - exponent * np.log(alpha + t_x)
    return shared + np.where(repeat, np.logaddexp(alive_at_end, dropped), alive_at_end)


def bgnbd_log_likelihood(
    model: BgNbdModel, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> NDArray[np.float64]:
    """Each customer's log-likelihood, the logarithm of equation (6):

        L = B(a, b+x)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
            + delta(x>0) * B(a+1, b+x-1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x))

    The first term is "still alive at T", the second "dropped out right after the last
    purchase". Both are summed on the log scale (gammaln, betaln, logaddexp), so a customer
    with hundreds of purchases neither overflows nor underflows.
    """
    params = parameters_of(model, BgNbdParameters)
    x, t_x, T = purchase_columns(frequency, recency, age)
    x_values, x_index = np.unique(x, return_inverse=True)
    return _log_likelihood(params.r, params.alpha, params.a, params.b,
                           x_values, x_index.reshape(x.shape), t_x, T)


def fit_bgnbd(histories: PurchaseHistories) -> BgNbdFit:
    """Maximum-likelihood BG/NBD parameters for grouped histories (group_purchase_histories).

    Starts from r = 1, a = b = 1 and alpha = 1 / (repeat purchases per unit of time), which
    puts alpha in the data's time unit whatever it is.
    """
    repeat_customers = histories.repeat_customers
    if repeat_customers < MIN_REPEAT_CUSTOMERS:
        return declined_fit(BgNbdFit, histories.customers, repeat_customers)
    x, t_x, T, counts = histories.frequency, histories.recency, histories.age, histories.counts
    purchase_rate = float((counts * x).sum()) / float((counts * T).sum())
    x_values, x_index = np.unique(x, return_inverse=True)
    maximum = maximise_log_likelihood(
        lambda p: _log_likelihood(p[0], p[1], p[2], p[3], x_values, x_index, t_x, T),
        counts, start=(1.0, 1.0 / purchase_rate, 1.0, 1.0),
    )
    r, alpha, a, b = (float(v) for v in maximum.parameters)
    return BgNbdFit(
        parameters=BgNbdParameters(r, alpha, a, b), log_likelihood=maximum.log_likelihood,
        customers=histories.customers, repeat_customers=repeat_customers,
        converged=maximum.converged, iterations=maximum.iterations, message=maximum.message,
    )


def _alive_log_odds_against(
    params: BgNbdParameters, x: NDArray[np.float64], t_x: NDArray[np.float64], T: NDArray[np.float64]
) -> NDArray[np.float64]:
    """log of a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x): the odds of "dropped out" over "alive"."""
    x_repeat = np.where(x > 0, x, 1.0)  # x = 0 rows are masked out by the callers
    return (np.log(params.a) - np.log(params.b + x_repeat - 1)
            + (params.r + x) * (np.log(params.alpha + T) - np.log(params.alpha + t_x)))


def probability_alive(
    model: BgNbdModel, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> NDArray[np.float64]:
    """P(alive at T | x, t_x, T), Fader, Hardie & Lee, "Computing P(alive) using the BG/NBD model"
    (2008), the P(tau > T) step in the derivation of equation (10):

        P(alive) = 1 / (1 + delta(x>0) * a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x))

    A customer with no repeat purchase is alive by the model's definition (dropout happens
    only right after a repeat purchase), so x = 0 gives exactly 1. Computed as expit of the
    log-odds, so that a very long silence after many purchases gives 0 instead of overflow.
    """
    params = parameters_of(model, BgNbdParameters)
    x, t_x, T = purchase_columns(frequency, recency, age)
    return np.where(x > 0, expit(-_alive_log_odds_against(params, x, t_x, T)), 1.0)


def expected_purchases(
    model: BgNbdModel, horizon: ArrayLike, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> NDArray[np.float64]:
    """E[Y(t) | x, t_x, T]: the expected purchases in the next `horizon` periods, equation (10):

        E = (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)]
            / (1 + delta(x>0) * a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x)),
        z = t / (alpha+T+t)

    The denominator is 1 / P(alive), so this is the bracket times probability_alive. The
    bracket is computed after Euler's transformation, 2F1(a', b'; c; z) =
    (1-z)^(c-a'-b') 2F1(c-a', c-b'; c; z), which turns its product into

        (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)

    The plain form multiplies a power that vanishes for large x by a 2F1 that explodes; the
    transformed 2F1 has its x only in c, where it drives the series towards 1.
    """
    params = parameters_of(model, BgNbdParameters)
    x, t_x, T = purchase_columns(frequency, recency, age)
    t = np.asarray(horizon, dtype=np.float64)
    if not np.all(np.isfinite(t) & (t >= 0)):
        raise DomainError.one("horizon", ErrorCode.INVALID, "The horizon is a time of zero or more.")
    r, alpha, b = params.r, params.alpha, params.b
    a = params.a if abs(params.a - 1) >= A_NEAR_ONE else 1 + A_NEAR_ONE
    z = t / (alpha + T + t)
    bracket = 1 - (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
    alive = np.where(x > 0, expit(-_alive_log_odds_against(params, x, t_x, T)), 1.0)
    return (a + b + x - 1) / (a - 1) * bracket * alive
