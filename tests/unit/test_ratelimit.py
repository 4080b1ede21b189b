"""A sliding window counter per key, on a clock the test moves."""

from __future__ import annotations

import pytest

from api.ratelimit import RateLimit, RateLimitExceeded


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_key_is_refused_at_the_limit_and_others_are_not():
    limit = RateLimit("3/10seconds", "requests", clock=Clock())
    for _ in range(3):
        limit.hit("a")
    with pytest.raises(RateLimitExceeded) as refused:
        limit.hit("a")
    assert 1 <= refused.value.retry_after <= 20
    limit.hit("b")
    assert limit.exceeded("a") and not limit.exceeded("b")


def test_the_previous_window_counts_in_proportion_to_its_overlap():
    clock = Clock(1000.0)  # the start of a 10-second window
    limit = RateLimit("10/10seconds", "requests", clock=clock)
    for _ in range(10):
        limit.hit("a")
    # a quarter into the next window, three quarters of the ten still count: 2 more fit
    clock.now = 1012.5
    limit.hit("a")
    limit.hit("a")
    with pytest.raises(RateLimitExceeded) as refused:
        limit.hit("a")
    # and the wait is until the old share has shrunk enough for one more
    clock.now += refused.value.retry_after
    limit.hit("a")


def test_retry_after_is_when_a_hit_is_allowed_again():
    clock = Clock(1000.0)
    limit = RateLimit("5/minute", "requests", clock=clock)
    for _ in range(5):
        limit.hit("a")
    wait = limit.retry_after("a")
    clock.now += wait - 1
    assert limit.exceeded("a")
    clock.now += 1
    assert not limit.exceeded("a")


def test_idle_keys_are_forgotten():
    clock = Clock(1000.0)
    limit = RateLimit("5/second", "requests", clock=clock)
    for key in range(100):
        limit.hit(str(key))
    clock.now += 3
    limit.hit("new")
    assert list(limit._counts) == [("new",)]
