"""Customers' purchase histories as the models read them, checked and grouped.

The BG/NBD model reads three numbers per customer, named as in Fader, Hardie & Lee (2005):
- frequency, x: the number of repeat purchases (all purchases but the first);
- recency, t_x: the time from the first purchase to the last one (0 when x = 0);
- age, T: the time from the first purchase to the end of the observation.
The Gamma-Gamma model reads frequency and the mean value of the repeat purchases, m_x.

Time has no fixed unit here: days and weeks both work, as long as recency, age and every
horizon handed to a prediction are in the same one. The fitted scale parameter alpha is then
in that unit too (CDNOW's alpha = 4.414 is in weeks; the same customers in days give 7 times
that), and domain/lifetime/value.py asks how many periods make a month.

Fits run on grouped histories: customers with the same (x, t_x, T) share one row and a
count, which becomes the row's weight in the likelihood. Recency and age are whole days in
real data, so a million customers collapse into tens of thousands of rows at most.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from domain.errors import DomainError, ErrorCode, Problems


@dataclass(frozen=True, slots=True)
class PurchaseHistories:
    """Unique (frequency, recency, age) rows and how many customers share each."""

    frequency: NDArray[np.float64]
    recency: NDArray[np.float64]
    age: NDArray[np.float64]
    counts: NDArray[np.int64]

    @property
    def customers(self) -> int:
        return int(self.counts.sum())

    @property
    def repeat_customers(self) -> int:
        return int(self.counts[self.frequency > 0].sum())


@dataclass(frozen=True, slots=True)
class SpendHistories:
    """Unique (frequency, mean spend) rows of repeat customers and how many share each."""

    frequency: NDArray[np.float64]
    mean_spend: NDArray[np.float64]
    counts: NDArray[np.int64]

    @property
    def customers(self) -> int:
        return int(self.counts.sum())


def purchase_columns(
    frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The three BG/NBD inputs as float arrays of one shape, or a DomainError saying what is wrong."""
    x, t_x, T = (np.asarray(column, dtype=np.float64) for column in (frequency, recency, age))
    x, t_x, T = np.broadcast_arrays(x, t_x, T)
    problems = Problems()
    if not np.all(np.isfinite(x) & (x >= 0) & (x == np.floor(x))):
        problems.add("frequency", ErrorCode.INVALID, "Frequency is a whole number of repeat purchases.")
    if not np.all(np.isfinite(T) & (T > 0)):
        problems.add("age", ErrorCode.INVALID, "Age is a positive time since the first purchase.")
    # NaN fails every comparison, so it is caught here as well.
    if not np.all((t_x >= 0) & (t_x <= T)):
        problems.add("recency", ErrorCode.INVALID, "Recency lies between 0 and the customer's age.")
    elif np.any((x == 0) & (t_x != 0)):
        problems.add("recency", ErrorCode.INVALID, "A customer without repeat purchases has recency 0.")
    problems.raise_if_any()
    return x, t_x, T


def spend_columns(
    frequency: ArrayLike, mean_spend: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Frequency and mean spend as float arrays; a repeat customer's mean spend must be positive."""
    x, m_x = np.broadcast_arrays(np.asarray(frequency, dtype=np.float64),
                                 np.asarray(mean_spend, dtype=np.float64))
    problems = Problems()
    if not np.all(np.isfinite(x) & (x >= 0) & (x == np.floor(x))):
        problems.add("frequency", ErrorCode.INVALID, "Frequency is a whole number of repeat purchases.")
    # Customers without repeat purchases have no mean spend of their own: theirs is not read.
    repeat = x > 0
    if not np.all(np.isfinite(m_x[repeat]) & (m_x[repeat] > 0)):
        problems.add("mean_spend", ErrorCode.INVALID, "A repeat customer's mean spend is positive.")
    problems.raise_if_any()
    return x, m_x


def group_purchase_histories(
    frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> PurchaseHistories:
    """One row per distinct (x, t_x, T), with the number of customers that have it."""
    x, t_x, T = purchase_columns(frequency, recency, age)
    if x.size == 0:
        empty = np.empty(0)
        return PurchaseHistories(empty, empty, empty, np.empty(0, dtype=np.int64))
    rows, counts = np.unique(np.column_stack([x.ravel(), t_x.ravel(), T.ravel()]),
                             axis=0, return_counts=True)
    return PurchaseHistories(rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].copy(),
                             counts.astype(np.int64))


def group_spend(frequency: ArrayLike, mean_spend: ArrayLike) -> SpendHistories:
    """One row per distinct (x, m_x) among repeat customers; the others carry no spend to fit.

    Mean spend is continuous, so rounding it to the currency's smallest unit first (cents)
    is what makes rows repeat.
    """
    x, m_x = spend_columns(frequency, mean_spend)
    repeat = x > 0
    if not np.any(repeat):
        empty = np.empty(0)
        return SpendHistories(empty, empty, np.empty(0, dtype=np.int64))
    rows, counts = np.unique(np.column_stack([x[repeat], m_x[repeat]]), axis=0, return_counts=True)
    return SpendHistories(rows[:, 0].copy(), rows[:, 1].copy(), counts.astype(np.int64))


def require_non_negative(value: float, field: str, what: str) -> None:
    """A DomainError on `field` unless `value` is a finite number of zero or more."""
    if not (np.isfinite(value) and value >= 0):
        raise DomainError.one(field, ErrorCode.INVALID, f"{what} is a number of zero or more.")
