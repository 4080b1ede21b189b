"""The GraphQL side of a record type's aggregates, derived from its declaration: the fields it
may be grouped by (`<Type>GroupField`), its numbers (`<Type>NumericField`), the `groupBy`
input, and the groups that come back (`<Type>Aggregate`). Each field's description is the
record type's own, so nothing is written twice.
"""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

import strawberry

from api.schema.ids import to_global_id
from api.schema.naming import graphql_fields
from persistence.aggregates import (
    AVG_DECIMALS,
    MAX_GROUPS,
    Aggregable,
    Aggregated,
    Grouping,
)
from persistence.aggregates import DateInterval as Interval
from persistence.declaration import snake

_INTERVALS = {
    Interval.DAY: "The day (UTC).",
    Interval.WEEK: "The ISO week (UTC), from Monday.",
    Interval.MONTH: "The calendar month (UTC).",
    Interval.QUARTER: "The calendar quarter (UTC): January, April, July or October on.",
    Interval.YEAR: "The calendar year (UTC).",
}
DateInterval = strawberry.enum(
    Enum("DateInterval", {i.name: strawberry.enum_value(i.value, description=d)
                          for i, d in _INTERVALS.items()}, module=__name__),
    description="The period a date or a moment is grouped by; its group's key is the period's "
                "first day.")


def _enum(name: str, fields: dict[str, str], description: str) -> type[Enum]:
    """A GraphQL enum of field names (LEAD_SCORE for leadScore), each with its description."""
    members = {snake(f).upper(): strawberry.enum_value(f, description=d)
               for f, d in fields.items()}
    enum = Enum(name, members)
    enum.__module__ = sys.modules[__name__].__name__
    return strawberry.enum(enum, description=description)


def _type(name: str, description: str, fields: dict[str, tuple[object, str]], *,
          input: bool = False) -> type:
    """A strawberry object or input type from {field: (type, description)}."""
    namespace: dict[str, object] = {"__annotations__": {f: t for f, (t, _) in fields.items()}}
    for field, (kind, text) in fields.items():
        optional = input and getattr(kind, "__args__", ()) and type(None) in kind.__args__
        namespace[field] = strawberry.field(description=text, **(
            {"default": None} if optional else {}))
    namespace["__module__"] = __name__
    cls = type(name, (), namespace)
    make = strawberry.input if input else strawberry.type
    return make(cls, name=name, description=description)


@dataclass(frozen=True)
class AggregateTypes:
    """A record type's aggregate types, and how a result becomes one."""

    agg: Aggregable
    group_field: type[Enum]
    numeric_field: type[Enum] | None
    group_by: type
    result: type
    _key: type
    _numbers: type | None
    _group: type

    def groupings(self, group_by: list | None) -> list[Grouping]:
        return [Grouping(g.field.value, None if g.interval is None else Interval(g.interval.value))
                for g in group_by or ()]

    def _value(self, field_name: str, value) -> str | None:
        """A key as text: a record's global id, an enum's name, a period's first day."""
        declared = self.agg.record.fields[field_name]
        if value is None:
            return None
        if isinstance(value, uuid.UUID):
            return to_global_id(declared.target, value)
        if declared.enum is not None:
            return declared.enum(value).name
        if isinstance(value, bool):
            return "true" if value else "false"
        return value.isoformat() if isinstance(value, date) else str(value)

    def render(self, result: Aggregated, group_by: list | None, numbers: list | None):
        keys = list(group_by or ())
        wanted = list(dict.fromkeys(numbers or ()))

        def figure(value) -> Decimal | None:
            return None if value is None else Decimal(value)

        def group(row: dict):
            extra = {} if self._numbers is None else {"numbers": [self._numbers(
                field=n, **{part: figure(v) for part, v in row["numbers"][n.value].items()})
                for n in wanted]}
            return self._group(keys=[self._key(field=g.field, interval=g.interval,
                                               value=self._value(g.field.value, v))
                                     for g, v in zip(keys, row["keys"], strict=True)],
                               count=row["count"], **extra)

        return self.result(groups=[group(r) for r in result.groups], total_count=result.total,
                           group_count=result.group_count, truncated=result.truncated)


def aggregate_types(agg: Aggregable, graphql_type: type) -> AggregateTypes:
    """`<Type>GroupField`, `<Type>NumericField` (when it has numbers), `<Type>GroupBy` and
    `<Type>Aggregate` with its groups, keys and figures."""
    name, shown = agg.record.name, graphql_fields(graphql_type)
    group_field = _enum(f"{name}GroupField", {f: shown[f].description for f in agg.groupable},
                        f"Fields {name} records can be grouped by.")
    numeric_field = _enum(f"{name}NumericField", {f: shown[f].description for f in agg.numbers},
                          f"Numbers of {name} records that can be added up."
                          ) if agg.numbers else None
    interval = (DateInterval | None, "For a date or a moment, and only for one: the period it "
                                     "is grouped by.")
    group_by = _type(f"{name}GroupBy", "One field to group by, and for a date or a moment the "
                     "period (required for them, refused for other fields).", {
                         "field": (group_field, "The field."), "interval": interval}, input=True)
    key = _type(f"{name}GroupKey", "The value a group shares in one field it is grouped by.", {
        "field": (group_field, "The field."), "interval": interval,
        "value": (str | None, "The value as text: a record's global id, an enum's name, the "
                              "first day of a period (YYYY-MM-DD), a number or a text as it "
                              "is; null for the records without a value.")})
    numbers = _type(f"{name}Numbers", "One number added up over a group's records; each figure "
                    "is null when none of them has a value.", {
                        "field": (numeric_field, "The number."),
                        "sum": (Decimal | None, "Their sum."),
                        "avg": (Decimal | None, f"Their average, to {AVG_DECIMALS} decimals."),
                        "min": (Decimal | None, "The smallest."),
                        "max": (Decimal | None, "The largest.")}) if numeric_field else None
    group_fields = {
        "keys": (list[key], "The values the group shares, in the order of `groupBy`."),
        "count": (int, "How many records it holds.")}
    if numbers is not None:
        group_fields["numbers"] = (list[numbers], "The figures of each number asked for in "
                                                  "`numbers`, in that order.")
    group = _type(f"{name}Group", f"{name} records that share their grouped values.",
                  group_fields)
    result = _type(f"{name}Aggregate", f"{name} records counted and added up in groups.", {
        "groups": (list[group], f"The groups, by their keys (empty values last), at most "
                                f"{MAX_GROUPS:,}; without `groupBy`, one group of all records."),
        "total_count": (int, "The records counted in all groups, those cut off included."),
        "group_count": (int, "How many groups there are, those cut off included."),
        "truncated": (bool, f"Whether groups were cut off: only the first {MAX_GROUPS:,} are "
                            f"returned.")})
    return AggregateTypes(agg, group_field, numeric_field, group_by, result, key, numbers,
                          group)
