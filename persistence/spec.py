"""How each GraphQL type maps onto a table, and how record rules become SQL.

Rows leave persistence keyed by GraphQL field names, holding only the fields the
caller may read: the projection is derived from the policy, never from the query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Table

from domain.access import Access, RecordRule
from domain.errors import DomainError, ErrorCode
from persistence.sql import Builder, quote

# A record rule as SQL: (table alias, the caller's access, the statement's builder) -> condition
RuleSql = Callable[[str, Access, Builder], str]
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
    # A condition every read and write must also meet, whatever the rule: an activity on a
    # case is reached only by whom the case is visible to.
    requires: RuleSql | None = None

    @property
    def name(self) -> str:
        return self.table.name

    def column(self, field_name: str):
        return self.table.c[self.columns[field_name]]

    def search_column(self, field_name: str):
        return self.table.c[self.searchable[field_name][0]]

    def guard(self, field_name: str) -> str:
        return self.searchable[field_name][1]


def through_parent(t: str, access: Access, b: Builder) -> str:
    """The visibility of rows reached only through a parent the caller already sees (a deal's
    stage changes, an order's lines): the parent's own rule decided."""
    return "TRUE"


def readable_fields(spec: Spec, access: Access, wanted: Iterable[str] | None = None) -> list[str]:
    readable = access.readable.get(spec.type_name, frozenset())
    chosen = [f for f in spec.columns if f in readable or f in ALWAYS_SELECTED]
    if wanted is not None:
        wanted = set(wanted) | set(ALWAYS_SELECTED)
        chosen = [f for f in chosen if f in wanted]
    return chosen


def projection(spec: Spec, access: Access, t: str, wanted: Iterable[str] | None = None,
               prefix: str = "") -> str:
    """The readable columns of alias `t`, labelled by field name: forbidden ones never appear."""
    return ", ".join(f"{t}.{spec.columns[f]} AS {quote(prefix + f)}"
                     for f in readable_fields(spec, access, wanted))


def rule_sql(spec: Spec, rule: RecordRule, access: Access, t: str, b: Builder) -> str:
    """The condition for one record rule on alias `t` of this type."""
    if rule is RecordRule.ALL:
        return "TRUE"
    if rule is RecordRule.NONE:
        return "FALSE"
    try:
        return f"({spec.rules[rule](t, access, b)})"
    except KeyError:
        raise ValueError(f"policy: rule {rule} is not defined for {spec.type_name}") from None


def _also_required(spec: Spec, condition: str, access: Access, t: str, b: Builder) -> str:
    if spec.requires is None or condition == "FALSE":
        return condition
    return f"{condition} AND ({spec.requires(t, access, b)})"


def read_sql(spec: Spec, access: Access, t: str, b: Builder) -> str:
    if spec.visibility is not None:
        return f"({spec.visibility(t, access, b)})"
    rule = rule_sql(spec, access.read_rule(spec.type_name), access, t, b)
    return _also_required(spec, rule, access, t, b)


def write_sql(spec: Spec, access: Access, t: str, b: Builder) -> str:
    rule = rule_sql(spec, access.write_rule(spec.type_name), access, t, b)
    return _also_required(spec, rule, access, t, b)


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
