"""Scalars whose text form is fixed, so that every read path renders them identically."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def serialize_datetime(value: datetime) -> str:
    """Always UTC, always microseconds: 2026-01-05T09:00:00.000000Z."""
    return value.astimezone(UTC).strftime(DATETIME_FORMAT)


def parse_datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("A DateTime needs a time zone, e.g. 2026-01-05T09:00:00Z.")
    return parsed


DateTime = strawberry.scalar(
    name="DateTime",
    description="A moment in time, RFC 3339: written in UTC as 2026-01-05T09:00:00.000000Z; "
                "accepted with any offset.",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)
