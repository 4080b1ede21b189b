"""A record type's filter input and its sortable fields, derived from its declaration: which
fields clients may filter and sort on comes from persistence, the GraphQL type and the
description of each from the record type's own fields, so nothing is written twice."""

from __future__ import annotations

import sys
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import strawberry
from strawberry import UNSET
from strawberry.types.enum import StrawberryEnumDefinition

from api.schema.filters import (
    CustomFieldCondition,
    DateFilter,
    DateTimeFilter,
    DecimalFilter,
    IDFilter,
    IntFilter,
    StringFilter,
    enum_filter,
)
from api.schema.forms import Children, Reference, form_of
from api.schema.naming import graphql_fields
from persistence.declaration import RecordType, snake

_SCALAR_FILTERS = {str: StringFilter, int: IntFilter, datetime: DateTimeFilter, date: DateFilter,
                   Decimal: DecimalFilter}
_KIND_FILTERS = {"text": StringFilter, "id": IDFilter}
_ENUM_FILTERS: dict[str, type] = {}


def _enum_filter(definition: StrawberryEnumDefinition) -> type:
    """One filter input per enum, shared by every type that filters on it."""
    name = f"{definition.name}Filter"
    if name not in _ENUM_FILTERS:
        _ENUM_FILTERS[name] = enum_filter(definition.wrapped_cls, name)
    return _ENUM_FILTERS[name]


def _kind_filter(kind: str | type[Enum]) -> type:
    """The filter input of a key that is no field of its own (Filterable.kind)."""
    if isinstance(kind, str):
        return _KIND_FILTERS[kind]
    return _enum_filter(kind.__strawberry_definition__)  # set by strawberry.enum in api/schema


def _field_filter(record: RecordType, name: str, field) -> type:
    """The filter input of one field of the GraphQL type, from what the field holds."""
    form = form_of(field)
    if isinstance(form, Reference):
        return IDFilter
    if isinstance(form, Children):  # compared by the listed records' name (a tag's)
        return StringFilter
    inner = getattr(field.type, "of_type", field.type)
    if isinstance(inner, StrawberryEnumDefinition):
        return _enum_filter(inner)
    try:
        return _SCALAR_FILTERS[inner]
    except (KeyError, TypeError):
        raise TypeError(f"{record.name}.{name}: no filter for "
                        f"{inner!r}") from None


def record_filter(record: RecordType, graphql_type: type) -> type:
    """`<Type>Filter`: and / or / not, and a condition on each field the declaration lets
    clients filter on, in the declaration's order."""
    name = f"{record.name}Filter"
    shown = graphql_fields(graphql_type)
    extra = {k.name: k for k in record.also_filterable}
    annotations: dict[str, object] = {
        "and_": f"list[{name}] | None", "or_": f"list[{name}] | None", "not_": f"{name} | None"}
    namespace: dict[str, object] = {
        "and_": strawberry.field(default=UNSET, name="and", description="All of these hold."),
        "or_": strawberry.field(default=UNSET, name="or",
                                description="At least one of these holds."),
        "not_": strawberry.field(default=UNSET, name="not", description="This does not hold."),
    }
    for key in record.spec.searchable:
        if key in record.spec.conditions:  # named values: custom fields
            kind, description = list[CustomFieldCondition], (
                "Conditions on custom fields, each by name; all must hold.")
        elif key in extra:
            kind, description = _kind_filter(extra[key].kind), extra[key].description
        else:
            kind, description = _field_filter(record, key, shown[key]), shown[key].description
            if key in record.spec.through:
                description += (f" Compared by {record.spec.through[key].matched_by}: a record "
                                f"matches when one of them does (`neq`: when none does; "
                                f"`isNull: true`: when it has none).")
        annotations[snake(key)] = kind | None
        namespace[snake(key)] = strawberry.field(default=UNSET, description=description)
    namespace["__annotations__"] = annotations
    # The input refers to itself by name: strawberry resolves that in the module that binds it.
    namespace["__module__"] = graphql_type.__module__
    cls = type(name, (), namespace)
    plural = f"{record.name} records"
    return strawberry.input(cls, name=name, description=(
        f"Which {plural} to list; conditions given together must all hold."))


def record_order_field(record: RecordType) -> type[Enum]:
    """`<Type>OrderField`: the fields the declaration lets clients sort on."""
    members = {snake(f.name).upper(): f.name for f in record.fields.values()
               if f.sortable or f.sort is not None}
    also = {snake(k.name).upper(): k.name for k in record.also_filterable if k.sortable}
    enum = Enum(f"{record.name}OrderField", {**members, **also})
    enum.__module__ = sys.modules[__name__].__name__
    return strawberry.enum(enum, description=f"Fields {record.name} records can be sorted by.")
