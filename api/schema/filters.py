"""Filter and order inputs, and their translation into domain filters.

Every filter has the same shape: `{and: [...], or: [...], not: {...}, <field>: {eq, neq, in,
gt, gte, lt, lte, isNull, ilike, startsWith}}`; conditions given together must all hold.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry import UNSET
from strawberry.scalars import JSON

from api.schema.ids import parse_id
from api.schema.naming import camel
from domain.errors import DomainError, ErrorCode
from domain.filters import AllOf, AnyOf, Condition, Filter, Negation, Op, OrderTerm

MAX_ORDER_TERMS = 5


def _op(description: str, name: str | None = None):
    return strawberry.field(default=UNSET, description=description, name=name)


@strawberry.input(description="Conditions on a text field; all that are given must hold.")
class StringFilter:
    eq: str | None = _op("Equal to.")
    neq: str | None = _op("Not equal to (nulls count as not equal).")
    in_: list[str] | None = _op("Equal to one of.", name="in")
    gt: str | None = _op("Greater than.")
    gte: str | None = _op("Greater than or equal to.")
    lt: str | None = _op("Less than.")
    lte: str | None = _op("Less than or equal to.")
    is_null: bool | None = _op("true: has no value; false: has a value.")
    ilike: str | None = _op("Case-insensitive SQL LIKE pattern, with % and _ wildcards.")
    starts_with: str | None = _op("Begins with this text (case-sensitive).")


@strawberry.input(description="Conditions on a whole-number field; all that are given must hold.")
class IntFilter:
    eq: int | None = _op("Equal to.")
    neq: int | None = _op("Not equal to.")
    in_: list[int] | None = _op("Equal to one of.", name="in")
    gt: int | None = _op("Greater than.")
    gte: int | None = _op("Greater than or equal to.")
    lt: int | None = _op("Less than.")
    lte: int | None = _op("Less than or equal to.")
    is_null: bool | None = _op("true: has no value; false: has a value.")


@strawberry.input(description="Conditions on a timestamp field; all that are given must hold.")
class DateTimeFilter:
    eq: datetime | None = _op("At exactly.")
    neq: datetime | None = _op("Not at.")
    in_: list[datetime] | None = _op("At one of.", name="in")
    gt: datetime | None = _op("After.")
    gte: datetime | None = _op("At or after.")
    lt: datetime | None = _op("Before.")
    lte: datetime | None = _op("At or before.")
    is_null: bool | None = _op("true: has no value; false: has a value.")


@strawberry.input(description="Conditions on a calendar date; all that are given must hold.")
class DateFilter:
    eq: date | None = _op("On this day.")
    neq: date | None = _op("Not on this day.")
    in_: list[date] | None = _op("On one of these days.", name="in")
    gt: date | None = _op("After.")
    gte: date | None = _op("On or after.")
    lt: date | None = _op("Before.")
    lte: date | None = _op("On or before.")
    is_null: bool | None = _op("true: has no value; false: has a value.")


@strawberry.input(description="Conditions on a decimal amount; all that are given must hold.")
class DecimalFilter:
    eq: Decimal | None = _op("Equal to.")
    neq: Decimal | None = _op("Not equal to.")
    gt: Decimal | None = _op("Greater than.")
    gte: Decimal | None = _op("Greater than or equal to.")
    lt: Decimal | None = _op("Less than.")
    lte: Decimal | None = _op("Less than or equal to.")
    is_null: bool | None = _op("true: has no value; false: has a value.")


@strawberry.input(description="Conditions on a reference, given by global ids.")
class IDFilter:
    eq: strawberry.ID | None = _op("Points at this record.")
    neq: strawberry.ID | None = _op("Does not point at this record.")
    in_: list[strawberry.ID] | None = _op("Points at one of these records.", name="in")
    is_null: bool | None = _op("true: points nowhere; false: points somewhere.")


def enum_filter(enum: type[Enum], name: str):
    """An input of eq/neq/in/isNull for one enum, e.g. LifecycleStageFilter."""
    annotations = {"eq": enum | None, "neq": enum | None, "in_": list[enum] | None,
                   "is_null": bool | None}
    namespace = {
        "__annotations__": annotations,
        "eq": _op("Equal to."),
        "neq": _op("Not equal to."),
        "in_": _op("Equal to one of.", name="in"),
        "is_null": _op("true: has no value; false: has a value."),
    }
    cls = type(name, (), namespace)
    return strawberry.input(cls, name=name, description=f"Conditions on a {enum.__name__} field.")


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.enum(description="Where rows without a value go.")
class NullsOrder(Enum):
    FIRST = "FIRST"
    LAST = "LAST"


def order_input(fields: type[Enum], name: str):
    """An input of {field, direction, nulls} over one enum of sortable fields, e.g. ContactOrder;
    with `customField` when the enum offers CUSTOM_FIELDS."""
    annotations = {"field": fields, "direction": OrderDirection, "nulls": NullsOrder | None}
    namespace = {
        "field": strawberry.field(description="What to sort by."),
        "direction": strawberry.field(default=OrderDirection.ASC,
                                      description="Ascending or descending."),
        "nulls": strawberry.field(default=None, description="Where empty values go; default: "
                                  "last ascending, first descending."),
    }
    if "CUSTOM_FIELDS" in fields.__members__:
        annotations["custom_field"] = str | None
        namespace["custom_field"] = strawberry.field(
            default=None, description="With `field: CUSTOM_FIELDS`, the custom field to sort by: "
                                      "numbers and decimals as numbers, dates in time, text as "
                                      "text; a field you may not read sorts nothing.")
    namespace["__annotations__"] = annotations
    return strawberry.input(type(name, (), namespace), name=name, description=(
        "One sort key; later keys break ties of earlier ones, id breaks the rest."))


@strawberry.input(description="Conditions on one custom field, by name; all that are given "
                              "must hold. A field that is not defined, or that you may not read, "
                              "matches no record. Operands are JSON, as the field's values are: "
                              "numbers for NUMBER, decimals as strings or numbers, dates as "
                              "`YYYY-MM-DD`; `eq` on a MULTI_SELECT holds when the option is "
                              "among its choices.")
class CustomFieldCondition:
    name: str = strawberry.field(description="The custom field's name.")
    eq: JSON | None = _op("Equal to.")
    neq: JSON | None = _op("Not equal to (no value counts as not equal).")
    in_: list[JSON] | None = _op("Equal to one of.", name="in")
    gt: JSON | None = _op("Greater than.")
    gte: JSON | None = _op("Greater than or equal to.")
    lt: JSON | None = _op("Less than.")
    lte: JSON | None = _op("Less than or equal to.")
    is_null: bool | None = _op("true: has no value; false: has a value.")
    ilike: str | None = _op("Case-insensitive SQL LIKE pattern over the value as text.")
    starts_with: str | None = _op("The value as text begins with this (case-sensitive).")


FIELD_OPS = {"eq": Op.EQ, "neq": Op.NEQ, "in_": Op.IN, "gt": Op.GT, "gte": Op.GTE, "lt": Op.LT,
             "lte": Op.LTE, "is_null": Op.IS_NULL, "ilike": Op.ILIKE, "starts_with": Op.STARTS_WITH}


def _value(op: Op, value: Any, target: str | None, field: str) -> Any:
    if target is None or value is None:
        return value  # a missing operand is reported when the filter is compiled
    if op is Op.IN:
        return [parse_id(v, target, f"filter.{field}") for v in value]
    if op is Op.IS_NULL:
        return value
    return parse_id(value, target, f"filter.{field}")


def to_domain_filter(node: Any, references: dict[str, str]) -> Filter | None:
    """Translate a filter input; `references` names the type each ID field points at."""
    if node is None or node is UNSET:
        return None
    parts: list[Filter] = []
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if value is UNSET or value is None:
            continue
        if f.name in ("and_", "or_"):
            items = tuple(to_domain_filter(i, references) or AllOf(()) for i in value)
            parts.append(AllOf(items) if f.name == "and_" else AnyOf(items))
        elif f.name == "not_":
            parts.append(Negation(to_domain_filter(value, references) or AllOf(())))
        elif isinstance(value, list):  # conditions on named values (custom fields)
            field = camel(f.name)
            for named in value:
                for op_name, op in FIELD_OPS.items():
                    operand = getattr(named, op_name, UNSET)
                    if operand is not UNSET:
                        parts.append(Condition(field, op, (named.name, operand)))
        else:
            field = camel(f.name)
            for op_name, op in FIELD_OPS.items():
                operand = getattr(value, op_name, UNSET)
                if operand is not UNSET:
                    parts.append(Condition(field, op, _value(op, operand, references.get(field), field)))
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


def to_order_terms(order_by: list | None) -> list[OrderTerm]:
    """Translate [{field, direction, nulls}]; each field enum's values are field names."""
    if not order_by:
        return []
    if len(order_by) > MAX_ORDER_TERMS:
        raise DomainError.one("orderBy", ErrorCode.INVALID,
                              f"Sort by at most {MAX_ORDER_TERMS} fields.")
    terms = [
        OrderTerm(o.field.value, o.direction is OrderDirection.DESC,
                  None if o.nulls in (None, UNSET) else o.nulls is NullsOrder.FIRST,
                  getattr(o, "custom_field", None))
        for o in order_by
    ]
    for term in terms:
        if (term.key is None) is (term.field == "customFields"):
            raise DomainError.one("orderBy", ErrorCode.INVALID,
                                  "customField names the custom field to sort by, with "
                                  "field: CUSTOM_FIELDS, and only then.")
    return terms
