"""Maximum-likelihood fits shared by both models, and what a fit reports.

Both models are fitted the same way: scipy.optimize.minimize (L-BFGS-B) over the logarithms
of the parameters, so that every parameter stays positive without constraints, minimising
the negative log-likelihood per customer (the weighted mean keeps its scale the same for a
thousand customers or a million, and so the optimiser's tolerances).

A fit declines when fewer than MIN_REPEAT_CUSTOMERS customers bought again: dropout and the
spread of spend are learnt from repeat customers only, and with fewer of them the estimates
are too loose to put a value on anyone. A declined fit has no parameters.

Predictions take a fit or known parameters. From a fit that declined or did not converge
they raise UnusableModel, a DomainError; they never answer None.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from domain.errors import DomainError, ErrorCode

MIN_REPEAT_CUSTOMERS = 200
# log-parameter bounds: 1e-6 .. 1e6 covers any time unit from seconds to years; an estimate
# that runs into one means the data cannot place that parameter, so the fit did not converge.
LOG_PARAMETER_BOUND = np.log(1e6)
# How close (in log units) to a bound an estimate may come before it counts as stuck there.
AT_BOUND = 1e-3
MAX_ITERATIONS = 500


# A model's parameters: BgNbdParameters or GammaGammaParameters.
P = TypeVar("P")


class UnusableModel(DomainError):
    """A prediction asked of a fit that declined or did not converge."""


@dataclass(frozen=True, slots=True)
class ModelFit(Generic[P]):
    """What one fit found, or why it declined.

    log_likelihood is the total over all customers (not the mean), as papers report it;
    parameters and log_likelihood are None when the fit declined, and are kept for a fit
    that did not converge, for a reader to judge, though no prediction is made from them.
    """

    parameters: P | None
    log_likelihood: float | None
    customers: int
    repeat_customers: int
    converged: bool
    iterations: int
    message: str
    declined: bool = False

    @property
    def usable(self) -> bool:
        return self.parameters is not None and self.converged and not self.declined

    def usable_parameters(self) -> P:
        """The fitted parameters, or UnusableModel saying why there are none to use."""
        if self.declined:
            raise UnusableModel.one(None, ErrorCode.INVALID, f"The fit declined: {self.message}")
        if self.parameters is None or not self.converged:
            raise UnusableModel.one(None, ErrorCode.INVALID, f"The fit did not converge: {self.message}")
        return self.parameters


def parameters_of(model: ModelFit[P] | P, kind: type[P]) -> P:
    """Known parameters as they are, a fit's only if it is usable; either must be of `kind`."""
    parameters = model.usable_parameters() if isinstance(model, ModelFit) else model
    if not isinstance(parameters, kind):
        # A programming error (one model's fit handed to the other's functions), not data.
        raise TypeError(f"Expected {kind.__name__} or a fit of it, got {type(parameters).__name__}.")
    return parameters


def declined_fit(fit_type: type[ModelFit], customers: int, repeat_customers: int) -> ModelFit:
    """The fit that declines for want of repeat customers."""
    return fit_type(
        parameters=None, log_likelihood=None, customers=customers,
        repeat_customers=repeat_customers, converged=False, iterations=0,
        message=(f"{repeat_customers} repeat customers; at least {MIN_REPEAT_CUSTOMERS} are "
                 "needed to estimate the model."),
        declined=True,
    )


@dataclass(frozen=True, slots=True)
class Maximum:
    """The optimiser's answer: positive parameters, total log-likelihood, and its verdict."""

    parameters: NDArray[np.float64]
    log_likelihood: float
    converged: bool
    iterations: int
    message: str


def maximise_log_likelihood(
    log_likelihood: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    weights: NDArray[np.int64],
    start: Sequence[float],
) -> Maximum:
    """Maximise sum(weights * log_likelihood(parameters)) over positive parameters.

    log_likelihood maps a parameter vector to per-row log-likelihoods. A non-finite value
    (parameters far outside where the formulas are defined) is answered with a large
    penalty, so that the line search steps back instead of stopping.
    """
    weights = weights.astype(np.float64)
    total_weight = float(weights.sum())

    def negative_mean(log_parameters: NDArray[np.float64]) -> float:
        # A product and a sum rather than np.dot: a BLAS call on one vector costs more in
        # thread start-up than the whole likelihood, and sum() adds pairwise, as precisely.
        value = -float((weights * log_likelihood(np.exp(log_parameters))).sum()) / total_weight
        return value if np.isfinite(value) else 1e10

    bounds = [(-LOG_PARAMETER_BOUND, LOG_PARAMETER_BOUND)] * len(start)
    with np.errstate(all="ignore"):
        result = minimize(negative_mean, np.log(np.asarray(start, dtype=np.float64)),
                          method="L-BFGS-B", bounds=bounds,
                          options={"maxiter": MAX_ITERATIONS, "ftol": 1e-12, "gtol": 1e-8})
    parameters = np.exp(result.x)
    total = -float(result.fun) * total_weight
    at_bound = bool(np.any(np.abs(result.x) > LOG_PARAMETER_BOUND - AT_BOUND))
    finite = bool(np.all(np.isfinite(parameters)) and np.isfinite(total) and result.fun < 1e10)
    message = str(result.message)
    if at_bound:
        message = f"A parameter ran into the edge of its range (1e-6 .. 1e6); {message}"
    return Maximum(parameters, total, bool(result.success) and finite and not at_bound,
                   int(result.nit), message)
