"""Aggregates over a record type's list in one statement: how many records, and the sum,
average, minimum and maximum of its numbers, in groups of up to three fields.

What a type may be grouped by and what it adds up come from its declaration, never from a
list of our own: a field clients may filter on with a column of the type's own table may be
grouped by (a date or a moment by the day, week, month, quarter or year it falls in, in UTC),
and a whole-number or decimal column is a number. The records counted are those the list
would show: the caller's record rule, the list's own filter compiler, archived records left
out unless asked for. Grouping by a field or adding it up needs read access to that field,
as filtering on it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain.access import Access
from domain.errors import DomainError, ErrorCode
from domain.filters import Filter
from persistence.db import Reader
from persistence.declaration import RecordType
from persistence.queries import list_conditions
from persistence.spec import column_sql
from persistence.sql import Builder, limit_sql, read_rows

MAX_GROUP_FIELDS = 3
MAX_GROUPS = 1000  # groups returned; the rest are counted, and the answer says it was cut
AVG_DECIMALS = 4
# Whole numbers that count nothing: a record's version is its number of changes, no quantity.
NOT_NUMBERS = frozenset({"version"})


class DateInterval(StrEnum):
    """The period a date or a moment is truncated to, in UTC; weeks start on Monday (ISO)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True)
class Grouping:
    """One field the records are grouped by, and for a date or a moment its interval."""

    field: str
    interval: DateInterval | None = None


@dataclass(frozen=True)
class Aggregable:
    """What a record type may be grouped by and add up, each field with the Python type of
    its column (a reference's is its target's id)."""

    record: RecordType
    groupable: dict[str, type]
    numbers: dict[str, type]

    def dated(self, field_name: str) -> bool:
        return issubclass(self.groupable[field_name], date)


@dataclass(frozen=True)
class Aggregated:
    """The groups (at most MAX_GROUPS, by their keys), each {keys, count, numbers}; how many
    records all groups hold, and how many groups there are."""

    groups: list[dict]
    total: int
    group_count: int

    @property
    def truncated(self) -> bool:
        return self.group_count > len(self.groups)


def _python_type(record: RecordType, column: str) -> type | None:
    try:
        return record.table.c[column].type.python_type
    except NotImplementedError:
        return None


def aggregable(record: RecordType) -> Aggregable:
    """The groupable fields and numbers of a record type, from its declaration."""
    groupable, numbers = {}, {}
    for f in record.fields.values():
        if f.column is None or f.computed is not None or f.keys_of is not None:
            continue
        kind = _python_type(record, f.column)
        if kind is None:
            continue
        if f.filterable:
            groupable[f.name] = kind
        if kind in (int, Decimal) and f.name not in NOT_NUMBERS:
            numbers[f.name] = kind
    return Aggregable(record, groupable, numbers)


def check_arguments(agg: Aggregable, access: Access, groupings: list[Grouping],
                    numbers: list[str]) -> None:
    """Refuse groupings that cannot be computed (INVALID), then fields the caller may not
    read (FORBIDDEN), before any SQL runs."""
    if len(groupings) > MAX_GROUP_FIELDS:
        raise DomainError.one("groupBy", ErrorCode.INVALID,
                              f"Group by at most {MAX_GROUP_FIELDS} fields.")
    seen: set[str] = set()
    for i, grouping in enumerate(groupings):
        name = grouping.field
        if name not in agg.groupable:
            raise DomainError.one(f"groupBy[{i}].field", ErrorCode.INVALID,
                                  f"Cannot group by {name}.")
        if name in seen:
            raise DomainError.one(f"groupBy[{i}].field", ErrorCode.INVALID,
                                  f"{name} is grouped by twice.")
        seen.add(name)
        if agg.dated(name) and grouping.interval is None:
            raise DomainError.one(f"groupBy[{i}].interval", ErrorCode.INVALID,
                                  f"{name} is a date: give an interval (DAY, WEEK, MONTH, "
                                  f"QUARTER or YEAR).")
        if not agg.dated(name) and grouping.interval is not None:
            raise DomainError.one(f"groupBy[{i}].interval", ErrorCode.INVALID,
                                  f"{name} is no date: it takes no interval.")
    unknown = [n for n in numbers if n not in agg.numbers]
    if unknown:
        raise DomainError.one("numbers", ErrorCode.INVALID,
                              f"Cannot add up {', '.join(unknown)}.")
    type_name = agg.record.name
    for argument, doing, names in (("groupBy", "group by", [g.field for g in groupings]),
                                   ("numbers", "add up", numbers)):
        denied = [n for n in names if not access.can_read(type_name, n)]
        if denied:
            raise DomainError.one(argument, ErrorCode.FORBIDDEN,
                                  f"You may not {doing} {', '.join(denied)}.")


def _key_sql(agg: Aggregable, grouping: Grouping, column: str) -> str:
    if grouping.interval is None:
        return column
    # A moment is truncated in UTC; a date as the day it is, whatever the session's zone.
    utc = (f"{column} AT TIME ZONE 'UTC'" if agg.groupable[grouping.field] is datetime
           else f"{column}::timestamp")
    return f"date_trunc('{grouping.interval.value}', {utc})::date"


async def aggregate(reader: Reader, agg: Aggregable, access: Access, *, filter: Filter | None,
                    groupings: list[Grouping], numbers: list[str],
                    include_archived: bool = False) -> Aggregated:
    """Count and add up the records the caller would list with this filter, per group of the
    groupings' values (one group of all of them without groupings), in one statement."""
    numbers = list(dict.fromkeys(numbers))
    check_arguments(agg, access, groupings, numbers)
    spec, b, t = agg.record.spec, Builder(), "t"
    where = list_conditions(spec, access, filter, include_archived, t, b)
    keys = [_key_sql(agg, g, column_sql(spec, access, t, g.field)) for g in groupings]
    columns = [f"{key} AS k{i}" for i, key in enumerate(keys)] + ["count(*) AS n"]
    for i, name in enumerate(numbers):
        value = column_sql(spec, access, t, name)
        columns += [f"sum({value}) AS sum{i}", f"round(avg({value}), {AVG_DECIMALS}) AS avg{i}",
                    f"min({value}) AS min{i}", f"max({value}) AS max{i}"]
    positions = ", ".join(str(i + 1) for i in range(len(keys)))
    grouped = f" GROUP BY {positions}" if keys else ""
    ordered = " ORDER BY " + ", ".join(f"k{i} NULLS LAST" for i in range(len(keys))) if keys else ""
    # The groups are made whole before they are sorted and cut: with the LIMIT in sight, the
    # planner would walk an index in key order over every row rather than hash the groups.
    sql = (f"WITH g AS MATERIALIZED (SELECT {', '.join(columns)} FROM {spec.name} {t} "
           f"WHERE {where}{grouped}) SELECT g.*, count(*) OVER () AS group_count, "
           f"sum(g.n) OVER () AS total FROM g{ordered} LIMIT {limit_sql(MAX_GROUPS)}")
    rows = await read_rows(reader, sql, b)
    groups = [{"keys": [row[f"k{i}"] for i in range(len(keys))], "count": row["n"],
               "numbers": {name: {part: row[f"{part}{i}"] for part in ("sum", "avg", "min", "max")}
                           for i, name in enumerate(numbers)}}
              for row in rows]
    return Aggregated(groups, int(rows[0]["total"]) if rows else 0,
                      rows[0]["group_count"] if rows else 0)
