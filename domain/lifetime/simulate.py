"""Customers drawn from known parameters, to check that fits find them again.

Both draws follow the models' stories literally, vectorised over customers with a numpy
Generator, so a seed gives the same customers on every machine with the same numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from domain.lifetime.bgnbd import BgNbdParameters
from domain.lifetime.gamma_gamma import GammaGammaParameters

# Beta draws can underflow to 0 for small a; a dropout chance of 0 would mean a customer
# who never leaves, which the geometric draw below cannot take.
SMALLEST_DROPOUT = 1e-12


@dataclass(frozen=True, slots=True)
class SimulatedPurchases:
    """x, t_x and T per customer, as histories.py describes them."""

    frequency: NDArray[np.int64]
    recency: NDArray[np.float64]
    age: NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SimulatedSpend:
    """Repeat customers' frequency x and the mean value m_x of their repeat purchases."""

    frequency: NDArray[np.int64]
    mean_spend: NDArray[np.float64]


def _ages(rng: np.random.Generator, customers: int, age: float | tuple[float, float],
          time_step: float | None) -> NDArray[np.float64]:
    if isinstance(age, tuple):
        ages = rng.uniform(age[0], age[1], customers)
    else:
        ages = np.full(customers, float(age))
    if time_step is not None:
        ages = np.maximum(np.floor(ages / time_step), 1) * time_step
    return ages


def simulate_purchases(
    rng: np.random.Generator,
    parameters: BgNbdParameters,
    customers: int,
    age: float | tuple[float, float],
    time_step: float | None = None,
) -> SimulatedPurchases:
    """Draw customers from the BG/NBD model and observe each over `age` periods.

    age is one observation length for all, or a (low, high) range to draw each uniformly
    from. time_step rounds ages and recencies down to its multiples, as a system that keeps
    purchase dates (not times) does; with weeks as the unit, 1/7 gives whole days.

    Each customer gets lambda ~ Gamma(r, scale 1/alpha) and p ~ Beta(a, b). Rather than
    walking along their purchases, the draw uses two facts: the number of purchases they
    would make in (0, T] if they never left is K ~ Poisson(lambda T), and the repeat purchase
    after which they leave is N ~ Geometric(p) (1, 2, ...), so x = min(K, N). Given K, a
    Poisson process's K arrival times are K uniform points on (0, T], and the x-th earliest
    of them is T times a Beta(x, K - x + 1) draw: that is t_x.
    """
    r, alpha, a, b = parameters.r, parameters.alpha, parameters.a, parameters.b
    T = _ages(rng, customers, age, time_step)
    purchase_rate = rng.gamma(r, 1 / alpha, customers)
    dropout = np.maximum(rng.beta(a, b, customers), SMALLEST_DROPOUT)
    purchases_if_staying = rng.poisson(purchase_rate * T)
    leaves_after = rng.geometric(dropout)
    x = np.minimum(purchases_if_staying, leaves_after)
    t_x = np.zeros(customers)
    repeat = x > 0
    t_x[repeat] = T[repeat] * rng.beta(x[repeat], purchases_if_staying[repeat] - x[repeat] + 1)
    if time_step is not None:
        t_x = np.minimum(np.round(t_x / time_step) * time_step, T)
    return SimulatedPurchases(x.astype(np.int64), t_x, T)


def simulate_spend(
    rng: np.random.Generator, parameters: GammaGammaParameters, frequency: ArrayLike
) -> SimulatedSpend:
    """Draw the mean purchase value m_x of each customer with x > 0 (the others are dropped).

    Each customer gets nu ~ Gamma(q, scale 1/gamma), and each of their x purchases is worth
    Gamma(p, scale 1/nu). The sum of x such values is one Gamma(p x, scale 1/nu) draw, which
    is what is drawn, divided by x.
    """
    x = np.asarray(frequency, dtype=np.int64)
    x = x[x > 0]
    nu = rng.gamma(parameters.q, 1 / parameters.gamma, x.size)
    totals = rng.gamma(parameters.p * x, 1 / nu)
    return SimulatedSpend(x, totals / x)
