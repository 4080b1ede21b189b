"""The Gamma-Gamma model: how much a customer spends per purchase.

Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base
Analysis", Journal of Marketing Research 42(4), and Fader & Hardie (2013), "The Gamma-Gamma
Model of Monetary Value" (the note that writes the model out in this notation).

Each of a customer's purchases is worth z ~ Gamma(shape p, rate nu); across customers
nu ~ Gamma(shape q, rate gamma). Only repeat purchases are read: the customer's x repeat
purchases average m_x, and m_x | p, nu, x ~ Gamma(shape p*x, rate nu*x). The model assumes
that how much a customer spends does not depend on how often they buy, which is why it can
be fitted on its own and multiplied with the BG/NBD's purchase counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammaln

from domain.errors import DomainError, ErrorCode
from domain.lifetime.fitting import (
    MIN_REPEAT_CUSTOMERS,
    ModelFit,
    UnusableModel,
    declined_fit,
    maximise_log_likelihood,
    parameters_of,
)
from domain.lifetime.histories import SpendHistories, spend_columns


@dataclass(frozen=True, slots=True)
class GammaGammaParameters:
    """p: shape of one purchase's value; q and gamma: shape and rate of the customers' nu."""

    p: float
    q: float
    gamma: float

    def __post_init__(self) -> None:
        if not all(np.isfinite(v) and v > 0 for v in (self.p, self.q, self.gamma)):
            raise DomainError.one("parameters", ErrorCode.INVALID, "Gamma-Gamma parameters are positive.")

    @property
    def mean_spend(self) -> float:
        """E[Z] = p * gamma / (q - 1): the average purchase value across all customers.

        Infinite for q <= 1, where the customers' nu come too close to 0 too often.
        """
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else math.inf


@dataclass(frozen=True, slots=True)
class GammaGammaFit(ModelFit[GammaGammaParameters]):
    """A Gamma-Gamma fit: see ModelFit. Its customers are the repeat customers it was given."""


GammaGammaModel = GammaGammaFit | GammaGammaParameters


def _log_likelihood(
    p: float, q: float, gamma: float, x_values: NDArray[np.float64], x_index: NDArray[np.intp],
    m_x: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The logarithm of f(m_x | p, q, gamma, x), per repeat customer; the inputs are trusted.

    x comes as its distinct values and each customer's index into them, as in bgnbd.py: the
    gamma functions, which depend on x alone, are computed once per value.
    """
    px_values = p * x_values
    by_x = gammaln(px_values + q) - gammaln(px_values) - gammaln(q) + px_values * np.log(x_values)
    px = px_values[x_index]
    return (by_x[x_index] + q * np.log(gamma)
            + (px - 1) * np.log(m_x) - (px + q) * np.log(gamma + m_x * x_values[x_index]))


def gamma_gamma_log_likelihood(
    model: GammaGammaModel, frequency: ArrayLike, mean_spend: ArrayLike
) -> NDArray[np.float64]:
    """Each repeat customer's log-likelihood: the density of m_x once nu is integrated out,

        f(m_x | p, q, gamma, x) = G(px+q) / (G(px) G(q)) * gamma^q m_x^(px-1) x^(px)
                                  / (gamma + m_x x)^(px+q)

    (Fader & Hardie's note, the marginal distribution of m_x). Only customers with x > 0
    have an m_x: a DomainError refuses frequency 0 here.
    """
    params = parameters_of(model, GammaGammaParameters)
    x, m_x = spend_columns(frequency, mean_spend)
    if np.any(x == 0):
        raise DomainError.one("frequency", ErrorCode.INVALID,
                              "Only customers with repeat purchases have a mean spend to weigh.")
    x_values, x_index = np.unique(x, return_inverse=True)
    return _log_likelihood(params.p, params.q, params.gamma, x_values, x_index.reshape(x.shape), m_x)


def fit_gamma_gamma(histories: SpendHistories) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma parameters for grouped spend (group_spend).

    Starts from p = 1, q = 2 and gamma = the customers' average mean spend, where the
    population's average purchase value p*gamma/(q-1) equals the data's, in its currency.
    """
    customers = histories.customers
    if customers < MIN_REPEAT_CUSTOMERS:
        return declined_fit(GammaGammaFit, customers, customers)
    x, m_x, counts = histories.frequency, histories.mean_spend, histories.counts
    average_spend = float((counts * m_x).sum()) / customers
    x_values, x_index = np.unique(x, return_inverse=True)
    maximum = maximise_log_likelihood(
        lambda v: _log_likelihood(v[0], v[1], v[2], x_values, x_index, m_x),
        counts, start=(1.0, 2.0, average_spend),
    )
    p, q, gamma = (float(v) for v in maximum.parameters)
    return GammaGammaFit(
        parameters=GammaGammaParameters(p, q, gamma), log_likelihood=maximum.log_likelihood,
        customers=customers, repeat_customers=customers,
        converged=maximum.converged, iterations=maximum.iterations, message=maximum.message,
    )


def expected_average_spend(
    model: GammaGammaModel, frequency: ArrayLike, mean_spend: ArrayLike
) -> NDArray[np.float64]:
    """E[M | p, q, gamma, m_x, x]: the expected value of the customer's future purchases,

        E[M] = (q-1)/(px+q-1) * p*gamma/(q-1) + px/(px+q-1) * m_x  =  p (gamma + x m_x) / (px+q-1)

    a weighted average of the population's mean, p*gamma/(q-1), and the customer's own m_x,
    whose weight grows with their number of purchases (the posterior mean of p/nu). A
    customer with x = 0 gets the population's mean; their mean_spend is not read (pass 0 or
    NaN). It needs q > 1, for otherwise the population's mean is infinite: UnusableModel.
    """
    params = parameters_of(model, GammaGammaParameters)
    if params.q <= 1:
        raise UnusableModel.one(None, ErrorCode.INVALID,
                                "q <= 1: purchase values without a finite mean cannot be predicted.")
    x, m_x = spend_columns(frequency, mean_spend)
    own_total = x * np.where(x > 0, m_x, 0.0)
    return params.p * (params.gamma + own_total) / (params.p * x + params.q - 1)
