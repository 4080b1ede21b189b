"""Business time over a weekend and a holiday, figures worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.business_time import ALWAYS, parse_calendar
from domain.errors import DomainError

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
# Berlin, Monday to Friday 09:00–17:00, Christmas Day (a Friday in 2026) off.
BERLIN = parse_calendar("Europe/Berlin",
                        [{"day": d, "start": "09:00", "end": "17:00"} for d in WEEKDAYS],
                        [{"date": "2026-12-25", "name": "Christmas Day"}])


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_minutes_run_over_the_holiday_and_the_weekend():
    # Thursday 24 Dec 16:00 CET (15:00 UTC) + 8 business hours: 1 h on Thursday, Friday is a
    # holiday, the weekend is off, 7 h on Monday 28 Dec: 16:00 CET = 15:00 UTC.
    opened = utc(2026, 12, 24, 15)
    assert BERLIN.add_minutes(opened, 480) == utc(2026, 12, 28, 15)
    # 2 h: 1 h on Thursday and Monday 09:00–10:00 CET.
    assert BERLIN.add_minutes(opened, 120) == utc(2026, 12, 28, 9)
    assert BERLIN.minutes_between(opened, utc(2026, 12, 28, 15)) == 480


def test_a_start_outside_hours_waits_for_the_next_opening():
    saturday_night = utc(2026, 12, 26, 22)
    assert BERLIN.add_minutes(saturday_night, 30) == utc(2026, 12, 28, 8, 30)
    assert BERLIN.minutes_between(saturday_night, utc(2026, 12, 28, 8)) == 0


def test_summer_time_is_the_zone_s_own():
    # Monday 6 July 2026, CEST (UTC+2): 09:00 local is 07:00 UTC.
    assert BERLIN.add_minutes(utc(2026, 7, 6, 0), 60) == utc(2026, 7, 6, 8)


def test_round_the_clock_counts_every_minute():
    start = utc(2026, 12, 24, 15)
    assert ALWAYS.add_minutes(start, 3 * 24 * 60) == utc(2026, 12, 27, 15)
    assert ALWAYS.minutes_between(start, utc(2026, 12, 25, 15, 30)) == 24 * 60 + 30


@pytest.mark.parametrize("zone, hours, holidays, field", [
    ("Mars/Olympus", [{"day": "MONDAY", "start": "09:00", "end": "17:00"}], [], "timeZone"),
    ("UTC", [{"day": "FUNDAY", "start": "09:00", "end": "17:00"}], [], "hours[0].day"),
    ("UTC", [{"day": "MONDAY", "start": "17:00", "end": "09:00"}], [], "hours[0].end"),
    ("UTC", [{"day": "MONDAY", "start": "9 o'clock", "end": "17:00"}], [], "hours[0].start"),
    ("UTC", [], [], "hours"),
    ("UTC", [{"day": "MONDAY", "start": "09:00", "end": "13:00"},
             {"day": "MONDAY", "start": "12:00", "end": "17:00"}], [], "hours"),
    ("UTC", [{"day": "MONDAY", "start": "09:00", "end": "17:00"}], [{"date": "24.12."}],
     "holidays[0].date"),
    ("UTC", [{"day": "MONDAY", "start": "09:00", "end": "17:00"}], [{"date": "20261224"}],
     "holidays[0].date"),
    ("UTC", [{"day": "MONDAY", "start": "09:00", "end": "17:00"}], [{"date": "0001-12-24"}],
     "holidays[0].date"),
])
def test_bad_calendars_say_what_is_wrong(zone, hours, holidays, field):
    with pytest.raises(DomainError) as caught:
        parse_calendar(zone, hours, holidays)
    assert field in [p.field for p in caught.value.problems]
