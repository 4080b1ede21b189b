"""Rate limits kept in this process's memory, with the `limits` library.

Counters are per process: with N workers a client may reach N times a limit before every
worker refuses it. That bounds floods from one client without a shared store; a limit that
must hold across processes belongs in front of the server (a proxy) or in PostgreSQL.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter


class RateLimitExceeded(Exception):
    """Too many hits; `retry_after` is the number of whole seconds to wait."""

    def __init__(self, retry_after: int, message: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimit:
    """One limit, such as "600/minute", counted separately for each key."""

    def __init__(self, limit: str, name: str) -> None:
        self.item: RateLimitItem = parse(limit)
        self.name = name
        # A sliding window counter: two integers per key, and no burst at window edges.
        self.limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    def hit(self, *key: str) -> None:
        """Count one hit for `key`; raise RateLimitExceeded once the limit is reached."""
        if not self.limiter.hit(self.item, self.name, *key):
            raise RateLimitExceeded(self.retry_after(*key), f"Too many {self.name}: "
                                    f"at most {self.item} are allowed. Retry later.")

    def exceeded(self, *key: str) -> bool:
        """Whether `key` is over the limit now, without counting a hit."""
        return not self.limiter.test(self.item, self.name, *key)

    def retry_after(self, *key: str) -> int:
        stats = self.limiter.get_window_stats(self.item, self.name, *key)
        return max(1, math.ceil(stats.reset_time - time.time()))
