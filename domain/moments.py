"""The dates and times the record accepts: one range, and one strict text form for each.

Dates run from 1900-01-01 to 2999-12-31; times from 1900-01-01T00:00:00Z to
2999-12-31T23:59:59.999999Z, compared in UTC. Nothing outside can be stored: PostgreSQL's
driver writes the largest and smallest Python dates as `infinity` and `-infinity`, and
adding a day or an offset to them overflows.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone

from domain.errors import DomainError, ErrorCode

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
EARLIEST_TIME = datetime.combine(EARLIEST_DATE, time.min, UTC)
LATEST_TIME = datetime.combine(LATEST_DATE, time.max, UTC)
DATE_RANGE = "Dates run from 1900-01-01 to 2999-12-31"
TIME_RANGE = "Times run from 1900-01-01T00:00:00Z to 2999-12-31T23:59:59.999999Z (UTC)"

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
# RFC 3339 section 5.6; fractions beyond microseconds are cut, as PostgreSQL keeps none.
_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
                   r"(?:[Zz]|([+-])(\d{2}):(\d{2}))", re.ASCII)


def _invalid(field: str | None, message: str) -> DomainError:
    return DomainError.one(field, ErrorCode.INVALID, message)


def check_date(value: date, field: str | None = None) -> date:
    """The date, if it lies within the range."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise _invalid(field, f"{DATE_RANGE}; {value.isoformat()} is outside.")
    return value


def check_time(value: datetime, field: str | None = None) -> datetime:
    """The time, if it has an offset and lies within the range."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise _invalid(field, "A time needs an offset, e.g. 2026-01-05T09:00:00Z.")
    try:
        in_range = EARLIEST_TIME <= value <= LATEST_TIME
    except OverflowError:  # an offset that carries it past year 1 or 9999
        in_range = False
    if not in_range:
        raise _invalid(field, f"{TIME_RANGE}; {value.isoformat()} is outside.")
    return value


def parse_date(text: object, field: str | None = None) -> date:
    """A calendar date written YYYY-MM-DD, within the range."""
    match = _DATE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise _invalid(field, f"A date is written YYYY-MM-DD, e.g. 2026-01-05; not {text!r}.")
    try:
        value = date(*map(int, match.groups()))
    except ValueError:
        raise _invalid(field, f"{text} is not a day of the calendar.") from None
    return check_date(value, field)


def parse_time(text: object, field: str | None = None) -> datetime:
    """A moment written as RFC 3339 with an offset, within the range; in UTC."""
    match = _TIME.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise _invalid(field, "A time is written as RFC 3339 with an offset, e.g. "
                              f"2026-01-05T09:00:00Z or 2026-01-05T10:00:00+01:00; not {text!r}.")
    year, month, day, hour, minute, second, fraction, sign, off_h, off_m = match.groups()
    try:
        offset = timedelta(hours=int(off_h or 0), minutes=int(off_m or 0))
        if off_h is not None and (int(off_h) > 23 or int(off_m) > 59):
            raise ValueError("offset")
        local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                         int((fraction or "0").ljust(6, "0")[:6]),
                         timezone(-offset if sign == "-" else offset))
    except ValueError:
        raise _invalid(field, f"{text} is not a moment of the calendar.") from None
    return check_time(local, field).astimezone(UTC)


def format_time(value: datetime) -> str:
    """UTC, microseconds, and a year of four digits: 2026-01-05T09:00:00.000000Z."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
