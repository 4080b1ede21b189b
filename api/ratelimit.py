"""Rate limits kept in this process's memory.

Counters are per process: with N workers a client may reach N times a limit before every
worker refuses it. That bounds floods from one client without a shared store; a limit that
must hold across processes belongs in front of the server (a proxy) or in PostgreSQL.

Limits are written as the `limits` library reads them ("100/10seconds", "20/second"). Its
in-memory storage is not used: it starts a thread every 10 ms to expire counters, which took
a third of a small query's throughput. A sliding window counter needs two integers per key,
and the sweep of idle keys here runs inline, once a window.
"""

from __future__ import annotations

import math
import time

from limits import parse


class RateLimitExceeded(Exception):
    """Too many hits; `retry_after` is the number of whole seconds to wait."""

    def __init__(self, retry_after: int, message: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimit:
    """One limit, such as "100/10seconds", counted separately for each key.

    The count in force is the hits of the current window plus those of the previous one,
    weighted by how much of it still overlaps the last `window` seconds: no burst of twice the
    limit at a window's edge, and no list of timestamps per key.
    """

    def __init__(self, limit: str, name: str, clock=time.monotonic) -> None:
        item = parse(limit)
        self.amount, self.window = item.amount, float(item.get_expiry())
        self.name, self.clock = name, clock
        self.description = str(item)
        self._counts: dict[tuple, list[int]] = {}  # key -> [window index, hits, previous hits]
        self._swept = 0

    def hit(self, *key: str) -> None:
        """Count one hit for `key`; raise RateLimitExceeded once the limit is reached."""
        now = self.clock()
        counts = self._current(key, now)
        if self._in_force(counts, now) + 1 > self.amount:
            raise RateLimitExceeded(self._wait(counts, now), f"Too many {self.name}: at most "
                                    f"{self.description} are allowed. Retry later.")
        counts[1] += 1

    def exceeded(self, *key: str) -> bool:
        """Whether `key` is at the limit now, without counting a hit."""
        if key not in self._counts:  # the usual case: nothing counted against this key
            return False
        now = self.clock()
        return self._in_force(self._current(key, now), now) + 1 > self.amount

    def retry_after(self, *key: str) -> int:
        """Whole seconds until `key` may hit again (1 when it may now)."""
        now = self.clock()
        return self._wait(self._current(key, now), now)

    def _current(self, key: tuple, now: float) -> list[int]:
        index = int(now // self.window)
        if index > self._swept + 1:
            self._sweep(index)
        counts = self._counts.get(key)
        if counts is None:
            counts = self._counts[key] = [index, 0, 0]
        elif counts[0] != index:
            # the window moved on: this window's hits become the previous ones, or none
            counts[:] = [index, 0, counts[1] if counts[0] == index - 1 else 0]
        return counts

    def _in_force(self, counts: list[int], now: float) -> float:
        elapsed = (now % self.window) / self.window
        return counts[1] + counts[2] * (1 - elapsed)

    def _wait(self, counts: list[int], now: float) -> int:
        """Seconds until the count in force leaves room for one more hit."""
        offset, hits, previous = now % self.window, counts[1], counts[2]
        room = self.amount - 1 - hits
        if room >= 0:
            # later in this window, as the previous window's share shrinks
            seconds = self.window * (1 - room / previous) - offset if previous else 0.0
        else:
            # in the next window, as this window's hits become the shrinking share
            seconds = self.window - offset + self.window * (1 - (self.amount - 1) / hits)
        return max(1, math.ceil(seconds))

    def _sweep(self, index: int) -> None:
        """Forget keys idle for two windows: they count nothing any more."""
        self._counts = {k: c for k, c in self._counts.items() if c[0] >= index - 1}
        self._swept = index
