"""Webhooks without I/O: what an endpoint may be, which events it hears, when a failed
delivery is tried again, and which addresses a delivery may never reach.
"""

from __future__ import annotations

import ipaddress
import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from domain.errors import DomainError, ErrorCode, Problems

MAX_URL = 2000
MAX_EVENTS = 50
# The first attempt at once, then these waits after each failure (about three days in all):
# Svix's schedule, which the Standard Webhooks spec cites, with two daily tries added so
# that a receiver down over a weekend still gets its events.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
    timedelta(hours=5), timedelta(hours=10), timedelta(hours=10), timedelta(hours=24),
    timedelta(hours=24))
MAX_ATTEMPTS = 1 + len(RETRY_DELAYS)
JITTER = 0.1  # each wait is drawn within ±10 %, so that failures together come back apart
# An endpoint whose deliveries have all failed for this long is disabled.
DISABLE_AFTER = timedelta(days=5)
DEFAULT_GRACE = timedelta(hours=24)
MAX_GRACE = timedelta(days=7)
RESPONSE_KEPT = 1024  # characters of a response body kept in the delivery log
# Cloud metadata services: refused even where private addresses are allowed would still be
# refused anyway, but named so that the log says why.
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.254"),
                                ipaddress.ip_address("fd00:ec2::254")})


class MessageStatus(StrEnum):
    """Where a message stands."""

    PENDING = "PENDING"  # waiting for its next attempt
    DELIVERED = "DELIVERED"  # a 2xx answered
    FAILED = "FAILED"  # every attempt failed, or the endpoint answered 410 Gone
    SKIPPED = "SKIPPED"  # not sent: the endpoint was disabled or its actor lost its access


@dataclass(frozen=True)
class WebhookRules:
    """How strict endpoint URLs and delivery targets are, from the settings."""

    https_only: bool = False  # production: no plain http
    allow_private: bool = False  # tests and development: loopback and private targets


def new_message_id() -> str:
    """The `webhook-id` of a message: the same on every attempt, so receivers drop duplicates."""
    return f"msg_{uuid.uuid4().hex}"


def retry_delay(failed_attempts: int, rand: Callable[[], float] = random.random
                ) -> timedelta | None:
    """The wait before the next attempt after `failed_attempts` failures; None after the last."""
    if failed_attempts < 1 or failed_attempts > len(RETRY_DELAYS):
        return None
    base = RETRY_DELAYS[failed_attempts - 1]
    return base * (1 - JITTER + 2 * JITTER * rand())


def check_url(url: str, rules: WebhookRules) -> str:
    """The URL, stripped, if it is http(s) with a host (https only when the rules say so)."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        raise DomainError.one("url", ErrorCode.INVALID, "Not a URL.") from None
    allowed = ("https",) if rules.https_only and not rules.allow_private else ("http", "https")
    if parts.scheme not in allowed:
        raise DomainError.one("url", ErrorCode.INVALID,
                              f"The URL must start with {' or '.join(s + '://' for s in allowed)}.")
    if not parts.hostname or parts.username or parts.password:
        raise DomainError.one("url", ErrorCode.INVALID,
                              "The URL needs a host, and no user or password.")
    if len(url) > MAX_URL:
        raise DomainError.one("url", ErrorCode.INVALID, f"At most {MAX_URL} characters.")
    return url


def check_events(events: list[dict], record_types: Iterable[str]) -> list[dict]:
    """The event filters, each {type, action (None: any), fields (empty: any)}."""
    known = set(record_types)
    if not events:
        raise DomainError.one("events", ErrorCode.REQUIRED, "Name at least one event.")
    if len(events) > MAX_EVENTS:
        raise DomainError.one("events", ErrorCode.INVALID, f"At most {MAX_EVENTS} events.")
    problems = Problems()
    clean = []
    for index, event in enumerate(events):
        if event.get("type") not in known:
            problems.add(f"events.{index}.type", ErrorCode.INVALID,
                         f"No record type is named {event.get('type')!r}.")
        action = (event.get("action") or "").strip() or None
        clean.append({"type": event.get("type"), "action": action,
                      "fields": sorted(set(event.get("fields") or ()))})
    problems.raise_if_any()
    return clean


def wants(events: list[dict], record_type: str, action: str, fields: Iterable[str]) -> bool:
    """Whether an endpoint with these filters hears an event."""
    changed = set(fields)
    return any(e["type"] == record_type and (e["action"] in (None, action))
               and (not e["fields"] or changed & set(e["fields"])) for e in events)


def refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why a delivery may not connect to this address, or None: only public unicast
    addresses are allowed (no loopback, private, link-local, multicast, reserved, shared or
    metadata address), an IPv4 address written as IPv6 judged as itself."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    # The narrow kinds first: Python counts link-local and 0.0.0.0/8 as private too, and the
    # log should say which.
    for kind in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(address, f"is_{kind}"):
            return f"a {kind.replace('_', '-')} address"
    if not address.is_global:
        return "not a public address"
    return None
