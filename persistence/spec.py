"""How each GraphQL type maps onto a table, and how record rules become SQL.

Rows leave persistence keyed by GraphQL field names, holding only the fields the
caller may read: the projection is derived from the policy, never from the query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, Table, false, select, true

from domain.access import Access, RecordRule
from domain.errors import DomainError, ErrorCode

RuleSql = Callable[[Table, Access], ColumnElement[bool]]
ALWAYS_SELECTED = ("id",)


@dataclass(frozen=True)
class Spec:
    """One GraphQL type over one table."""

    type_name: str
    table: Table
    columns: Mapping[str, str]  # field -> column, for scalars and to-one references
    rules: Mapping[RecordRule, RuleSql] = field(default_factory=dict)
    parent_column: str | None = None  # for hierarchies (ancestor checks)
    # Field a client may filter or sort on -> (column, the policy field that guards it).
    searchable: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # For types reached only through a parent (notes, consents): who sees a row, in SQL.
    visibility: RuleSql | None = None
    # Unique constraint -> the field a violation is reported on (as CONFLICT).
    unique: Mapping[str, str] = field(default_factory=dict)

    def column(self, field_name: str):
        return self.table.c[self.columns[field_name]]

    def search_column(self, field_name: str):
        return self.table.c[self.searchable[field_name][0]]

    def guard(self, field_name: str) -> str:
        return self.searchable[field_name][1]


def readable_fields(spec: Spec, access: Access, wanted: Iterable[str] | None = None) -> list[str]:
    readable = access.readable.get(spec.type_name, frozenset())
    chosen = [f for f in spec.columns if f in readable or f in ALWAYS_SELECTED]
    if wanted is not None:
        wanted = set(wanted) | set(ALWAYS_SELECTED)
        chosen = [f for f in chosen if f in wanted]
    return chosen


def projection(spec: Spec, access: Access, wanted: Iterable[str] | None = None) -> list:
    """The labelled columns the caller may read; forbidden columns are never selected."""
    return [spec.column(f).label(f) for f in readable_fields(spec, access, wanted)]


def rule_sql(spec: Spec, rule: RecordRule, access: Access) -> ColumnElement[bool]:
    """The WHERE clause for one record rule on this type."""
    if rule is RecordRule.ALL:
        return true()
    if rule is RecordRule.NONE:
        return false()
    try:
        return spec.rules[rule](spec.table, access)
    except KeyError:
        raise ValueError(f"policy: rule {rule} is not defined for {spec.type_name}") from None


def read_clause(spec: Spec, access: Access) -> ColumnElement[bool]:
    if spec.visibility is not None:
        return spec.visibility(spec.table, access)
    return rule_sql(spec, access.read_rule(spec.type_name), access)


def write_clause(spec: Spec, access: Access) -> ColumnElement[bool]:
    return rule_sql(spec, access.write_rule(spec.type_name), access)


def visible_select(spec: Spec, access: Access, wanted: Iterable[str] | None = None) -> Select:
    """SELECT readable columns FROM the type's table WHERE its read rule holds."""
    return select(*projection(spec, access, wanted)).where(read_clause(spec, access))


def require_readable(spec: Spec, access: Access, fields: Iterable[str], argument: str) -> None:
    """Refuse to filter or sort on a field the caller may not read: cursors would leak it."""
    unknown = sorted(f for f in set(fields) if f not in spec.searchable)
    if unknown:
        raise DomainError.one(argument, ErrorCode.INVALID,
                              f"Cannot {argument} on {', '.join(unknown)}.")
    denied = sorted(f for f in set(fields)
                    if not access.can_read(spec.type_name, spec.guard(f)))
    if denied:
        raise DomainError.one(argument, ErrorCode.FORBIDDEN,
                              f"You may not {argument} on {', '.join(denied)}.")
