"""Business time: minutes that count only within working hours, outside holidays.

A calendar has weekly working hours in its own time zone and a set of holidays (local
dates). SLA targets are business minutes; due times are the instants where enough of them
have passed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import DomainError, ErrorCode, Problems
from domain.moments import parse_date

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
# A target further away than this is refused: it would take years of business time.
MAX_SEARCH_DAYS = 3 * 366


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours per weekday (0 = Monday) as (start, end) pairs, a zone, holidays."""

    time_zone: str
    hours: Mapping[int, tuple[tuple[time, time], ...]]
    holidays: frozenset[date] = field(default_factory=frozenset)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def _periods(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working periods (UTC) that end after `start`, in order, clipped to begin at it."""
        zone = self.zone
        day = start.astimezone(zone).date()
        for _ in range(MAX_SEARCH_DAYS):
            if day not in self.holidays:
                for opens, closes in self.hours.get(day.weekday(), ()):
                    begin = datetime.combine(day, opens, zone).astimezone(UTC)
                    end = (datetime.combine(day + timedelta(days=1), time(0), zone)
                           if closes == time(0) else
                           datetime.combine(day, closes, zone)).astimezone(UTC)
                    if end > start:
                        yield max(begin, start), end
            day += timedelta(days=1)

    def add_minutes(self, start: datetime, minutes: int) -> datetime:
        """The instant `minutes` business minutes after `start`."""
        left = timedelta(minutes=minutes)
        for begin, end in self._periods(start):
            if end - begin >= left:
                return begin + left
            left -= end - begin
        raise DomainError.one("calendar", ErrorCode.INVALID,
                              "The calendar has too few working hours for this target.")

    def minutes_between(self, start: datetime, end: datetime) -> int:
        """Whole business minutes from `start` to `end` (0 when end is not after start)."""
        total = timedelta()
        if end <= start:
            return 0
        for begin, close in self._periods(start):
            if begin >= end:
                break
            total += min(close, end) - begin
        return int(total.total_seconds() // 60)


def _clock(value: str, field_name: str) -> time:
    try:
        parsed = time.fromisoformat(value)
    except (TypeError, ValueError):
        raise DomainError.one(field_name, ErrorCode.INVALID, "A time of day is HH:MM.") from None
    return parsed.replace(second=0, microsecond=0)


def parse_calendar(time_zone: str, hours: list[dict], holidays: list[dict]) -> BusinessCalendar:
    """A calendar from its stored form: hours [{day, start, end}], holidays [{date, name}]."""
    problems = Problems()
    try:
        ZoneInfo(time_zone or "")
    except (ZoneInfoNotFoundError, ValueError):
        problems.add("timeZone", ErrorCode.INVALID, "Not an IANA time zone, e.g. Europe/Berlin.")
    by_day: dict[int, list[tuple[time, time]]] = {}
    for i, item in enumerate(hours):
        at = f"hours[{i}]"
        day = str(item.get("day", "")).upper()
        if day not in WEEKDAYS:
            problems.add(f"{at}.day", ErrorCode.INVALID, "A day is MONDAY … SUNDAY.")
            continue
        try:
            opens, closes = _clock(item.get("start"), f"{at}.start"), _clock(item.get("end"),
                                                                             f"{at}.end")
        except DomainError as exc:
            problems.absorb(exc)
            continue
        if closes != time(0) and closes <= opens:
            problems.add(f"{at}.end", ErrorCode.INVALID, "Working hours end after they start.")
            continue
        by_day.setdefault(WEEKDAYS.index(day), []).append((opens, closes))
    for day, periods in by_day.items():
        periods.sort()
        for (_, end), (start, _) in zip(periods, periods[1:], strict=False):
            if end == time(0) or start < end:
                problems.add("hours", ErrorCode.INVALID,
                             f"Working hours overlap on {WEEKDAYS[day]}.")
    if not by_day:
        problems.add("hours", ErrorCode.REQUIRED, "A calendar has working hours.")
    days = set()
    for i, item in enumerate(holidays):
        try:
            days.add(parse_date(item.get("date"), f"holidays[{i}].date"))
        except DomainError as exc:
            problems.absorb(exc)
    problems.raise_if_any()
    return BusinessCalendar(time_zone, {d: tuple(p) for d, p in by_day.items()},
                            frozenset(days))


# Round the clock, every day: for policies without a calendar.
ALWAYS = BusinessCalendar("UTC", {d: ((time(0), time(0)),) for d in range(7)})
