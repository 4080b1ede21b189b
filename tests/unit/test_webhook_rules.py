"""Webhook rules without I/O: which addresses a delivery may never reach, and the retry
schedule."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

import pytest

from domain.webhooks import JITTER, MAX_ATTEMPTS, RETRY_DELAYS, refusal, retry_delay


@pytest.mark.parametrize("address, refused", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"),
    ("192.168.0.10", "private"), ("169.254.169.254", "metadata"), ("fd00:ec2::254", "metadata"),
    ("169.254.10.1", "link-local"), ("224.0.0.1", "multicast"), ("0.0.0.0", "unspecified"),
    ("::ffff:127.0.0.1", "loopback"), ("100.64.0.1", "public"), ("93.184.216.34", None),
    ("2606:2800:220:1::248", None)])
def test_refused_addresses(address, refused):
    why = refusal(ipaddress.ip_address(address))
    assert (why is None) if refused is None else (refused in why), why


def test_retry_schedule_spans_about_three_days_with_jitter():
    assert MAX_ATTEMPTS == 10 and retry_delay(1, lambda: 0.5) == timedelta(seconds=5)
    assert timedelta(days=2.9) < sum(RETRY_DELAYS, timedelta()) < timedelta(days=3.2)
    for failed, base in enumerate(RETRY_DELAYS, start=1):
        assert retry_delay(failed, lambda: 0.0) == base * (1 - JITTER)
        assert retry_delay(failed, lambda: 1.0) == base * (1 + JITTER)
    assert retry_delay(len(RETRY_DELAYS) + 1) is None and retry_delay(0) is None
