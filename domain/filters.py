"""Filters and orderings as plain data, independent of GraphQL and SQL."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Op(StrEnum):
    """Comparison operators a field filter may use."""

    EQ = "eq"
    NEQ = "neq"
    IN = "in"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    IS_NULL = "isNull"
    ILIKE = "ilike"
    STARTS_WITH = "startsWith"


@dataclass(frozen=True, slots=True)
class Condition:
    """`field op value`, e.g. lastName startsWith "Mc"."""

    field: str
    op: Op
    value: Any


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Negation:
    item: Filter


Filter = Condition | AllOf | AnyOf | Negation


def fields_of(node: Filter | None) -> set[str]:
    """Every field a filter mentions, at any depth."""
    if node is None:
        return set()
    if isinstance(node, Condition):
        return {node.field}
    if isinstance(node, Negation):
        return fields_of(node.item)
    return set().union(*(fields_of(i) for i in node.items)) if node.items else set()


@dataclass(frozen=True, slots=True)
class OrderTerm:
    """Sort by `field`; nulls_first None keeps PostgreSQL's default for the direction."""

    field: str
    descending: bool = False
    nulls_first: bool | None = None
    key: str | None = None  # the named value of `field` sorted by (a custom field's name)
