"""How each GraphQL type maps onto a table, and how record rules become SQL.

Rows leave persistence keyed by GraphQL field names, holding only the fields the
caller may read: the projection is derived from the policy, never from the query.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Table

from domain.access import Access, RecordRule
from domain.errors import DomainError, ErrorCode
from persistence.sql import Builder, quote

# A record rule as SQL: (table alias, the caller's access, the statement's builder) -> condition
RuleSql = Callable[[str, Access, Builder], str]
ALWAYS_SELECTED = ("id",)
NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")


@dataclass(frozen=True)
class KeysOf:
    """Whose fields the keys of a JSON column are: one type's (a capture's payload holds Lead
    fields), or the type named in another column of the row (an audit entry's changes are
    fields of the record it is about)."""

    type_name: str | None = None
    type_column: str | None = None


@dataclass(frozen=True)
class Through:
    """The link table of a list whose records are shared by many parents (a record's tags):
    one row per parent and listed record, archived when the pair is undone. A filter on the
    list compares the listed records' `matched_by` column."""

    table: Table
    parent_column: str
    child_column: str
    matched_by: str
    target: Table  # the listed records' table, whose `matched_by` a filter compares

    def source_sql(self, r: str) -> tuple[str, str]:
        """(FROM … WHERE the live pairs and listed records, the parent's id) with the listed
        records as alias `r`: a condition on the parent's id completes the statement."""
        pair = f"{r}_link"
        return (f"{self.table.name} {pair} JOIN {self.target.name} {r} "
                f"ON {r}.id = {pair}.{self.child_column} "
                f"WHERE {pair}.archived_at IS NULL AND {r}.archived_at IS NULL",
                f"{pair}.{self.parent_column}")

    def parents_sql(self, parent_table: str, p: str) -> tuple[str, str]:
        """The other way round: (FROM … WHERE the live pairs and parents, the listed record's
        id) with the parents as alias `p` (the records carrying a tag)."""
        pair = f"{p}_link"
        return (f"{self.table.name} {pair} JOIN {parent_table} {p} "
                f"ON {p}.id = {pair}.{self.parent_column} "
                f"WHERE {pair}.archived_at IS NULL AND {p}.archived_at IS NULL",
                f"{pair}.{self.child_column}")


@dataclass(frozen=True)
class Beside:
    """A table beside a type's own with at most one row per record (its computed scores): a
    filter compares its `matched_by` column, and a record with no row matches `isNull`."""

    table: Table
    parent_column: str
    matched_by: str

    @property
    def target(self) -> Table:
        return self.table

    def source_sql(self, r: str) -> tuple[str, str]:
        """(FROM … WHERE, the record's id) with the row as alias `r`, as Through.source_sql."""
        return f"{self.table.name} {r} WHERE TRUE", f"{r}.{self.parent_column}"


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
    # JSON column field -> whose fields its keys are: a caller sees only the keys it may read.
    json_keys: Mapping[str, KeysOf] = field(default_factory=dict)
    # Fields only the use cases write (numbers, moments, totals, the SLA clock): the stores
    # take them without the caller's write access, since no client input reaches them.
    derived: frozenset[str] = frozenset()
    # Filterable list field -> the link table it is read through (a record's tags); or a key
    # filtered in a table beside the type's own (its RFM segment).
    through: Mapping[str, Through | Beside] = field(default_factory=dict)
    # Field -> its SQL for a caller, when it is more than its column (custom values).
    computed: Mapping[str, Callable[[str, Access], str]] = field(default_factory=dict)
    # Field -> the SQL of a condition on one of its named values (a custom field's).
    conditions: Mapping[str, Callable] = field(default_factory=dict)
    # Field -> the SQL of one of its named values as a sort key (name, alias, caller).
    sorts: Mapping[str, Callable[[str, str, Access], str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.table.name

    def column(self, field_name: str):
        return self.table.c[self.columns[field_name]]

    def search_column(self, field_name: str):
        link = self.through.get(field_name)
        table = self.table if link is None else link.target
        return table.c[self.searchable[field_name][0]]

    def guard(self, field_name: str) -> str:
        return self.searchable[field_name][1]


def through_parent(t: str, access: Access, b: Builder) -> str:
    """The visibility of rows reached only through a parent the caller already sees (a deal's
    stage changes, an order's lines): the parent's own rule decided. Such rows have no rule
    of their own, so read_sql refuses them unless the parent was checked."""
    return "TRUE"


class ReachedWithoutParent(ValueError):
    """A type seen only through its parent was read on its own: that would show every row."""


def readable_fields(spec: Spec, access: Access, wanted: Iterable[str] | None = None) -> list[str]:
    readable = access.readable.get(spec.type_name, frozenset())
    chosen = [f for f in spec.columns if f in readable or f in ALWAYS_SELECTED]
    if wanted is not None:
        wanted = set(wanted) | set(ALWAYS_SELECTED)
        chosen = [f for f in chosen if f in wanted]
    return chosen


def _text_array(names: Iterable[str]) -> str:
    """Field names as a SQL text array; they are plain identifiers, so they are inlined."""
    names = sorted(names)
    if not all(NAME.match(n) for n in names):
        raise ValueError(f"not field names: {names!r}")
    return "ARRAY[" + ", ".join(f"'{n}'" for n in names) + "]::text[]"


def _readable_keys(value: str, access: Access, type_name: str) -> str | None:
    """`value` (JSON) with only the keys the caller may read as fields of `type_name`; None
    when nothing of that type is hidden from the caller, so the value goes out whole."""
    if not access.hidden(type_name):
        return None
    readable = _text_array(access.readable.get(type_name, ()))
    return (f"(SELECT jsonb_object_agg(k.key, k.value) FROM jsonb_each({value}) k "
            f"WHERE k.key = ANY({readable}))")


def column_sql(spec: Spec, access: Access, t: str, field_name: str) -> str:
    """A column of alias `t` as the caller may see it. A JSON column keyed by fields of a type
    keeps only the keys the caller may read as those fields; the others are never selected,
    on either read path."""
    if field_name in spec.computed:
        return spec.computed[field_name](t, access)
    column = f"{t}.{spec.columns[field_name]}"
    keys = spec.json_keys.get(field_name)
    if keys is None:
        return column
    if keys.type_name is not None:
        picked = _readable_keys(column, access, keys.type_name)
        return column if picked is None else f"coalesce({picked}, '{{}}'::jsonb)"
    branches = [(type_name, _readable_keys(column, access, type_name))
                for type_name in sorted(access.declared)]
    whens = " ".join(f"WHEN '{type_name}' THEN coalesce({picked}, '{{}}'::jsonb)"
                     for type_name, picked in branches if picked is not None)
    if not whens:
        return column
    return f"(CASE {t}.{keys.type_column} {whens} ELSE {column} END)"


def projection(spec: Spec, access: Access, t: str, wanted: Iterable[str] | None = None,
               prefix: str = "") -> str:
    """The readable columns of alias `t`, labelled by field name: forbidden ones never appear,
    nor do the keys of a JSON column that stand for fields the caller may not read."""
    return ", ".join(f"{column_sql(spec, access, t, f)} AS {quote(prefix + f)}"
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


def read_sql(spec: Spec, access: Access, t: str, b: Builder, *,
             parent_checked: bool = False) -> str:
    """Which rows of alias `t` the caller reads. `parent_checked` says that the statement only
    reaches them along a parent row it read under the parent's rule."""
    if spec.visibility is through_parent and not parent_checked:
        raise ReachedWithoutParent(f"{spec.type_name} is read only along its parent's list")
    if spec.visibility is not None:
        return f"({spec.visibility(t, access, b)})"
    rule = rule_sql(spec, access.read_rule(spec.type_name), access, t, b)
    return _also_required(spec, rule, access, t, b)


def reads_all(spec: Spec, access: Access) -> bool:
    """Whether the caller reads every record of the type, so that sums over all of them are
    its to read."""
    return read_sql(spec, access, "t", Builder()) == "TRUE"


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
