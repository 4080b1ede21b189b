"""A record type, declared once: its table, its fields, and for each field its column or
relation, its policy group, whether clients may filter and sort on it, and whether it is
answered only by a resolver (and why).

Everything else is derived from the declaration: the Spec that every read and write uses, the
field groups of auth/policy.py, the child relations of the loaders and of the compiled read
path, the Node registration, what Alembic sees, the seed order and the README's policy table.
The one explicit list of declarations is persistence/record_types.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property

from sqlalchemy import Table

from domain.access import Access, RecordRule
from persistence.spec import Beside, KeysOf, RuleSql, Spec, Through


def snake(name: str) -> str:
    """firstName -> first_name: the column a field is stored in, unless declared otherwise."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


@dataclass(frozen=True)
class Children:
    """A plain list of child records: which type, the column pointing at the parent, the order;
    `through` names the link table when the column is on a link rather than on the child."""

    type_name: str
    parent_column: str
    order: tuple[str, ...]
    through: Through | None = None

    def order_sql(self, t: str) -> str:
        return ", ".join(f"{t}.{column}" for column in self.order)

    def source_sql(self, table: str, r: str) -> tuple[str, str]:
        """(FROM … WHERE the live rows, the parent's id) of the children as alias `r`: a
        condition on the parent's id completes the statement."""
        if self.through is None:
            return f"{table} {r} WHERE {r}.archived_at IS NULL", f"{r}.{self.parent_column}"
        return self.through.source_sql(r)


@dataclass(frozen=True)
class Field:
    """One field of a record type. `column` is set for a scalar or a to-one reference (the
    row holds the target's id); a relation has none and is loaded along `children` or by a
    loader of its own."""

    name: str
    column: str | None = None
    # What clients read in the API's description of the field. A field with one is rendered
    # by api/schema from this declaration alone; one without is written by hand there.
    doc: str | None = None
    target: str | None = None  # the record type a reference points at
    enum: type[Enum] | None = None  # the values a text column may hold
    filterable: bool = False  # clients may filter on it
    sortable: bool = False  # clients may also sort on it (keep an index that serves it)
    derived: bool = False  # only the use cases write it, never a client's input
    children: Children | None = None
    keys_of: KeysOf | None = None  # a JSON column whose keys are fields of some type
    copy_of: str | None = None  # "Type.field" it holds a copy of: readers must read that too
    resolver_only: str | None = None  # why the compiled read path does not render it
    # A value read through SQL of its own, given the alias and the caller (custom values).
    computed: Callable[[str, Access], str] | None = None
    # Named conditions on it (a filter's customFields): (condition, alias, caller, builder).
    condition: Callable | None = None
    # The SQL of one of its named values as a sort key: (name, alias, caller).
    sort: Callable[[str, str, Access], str] | None = None


def col(name: str, column: str | None = None, *, doc: str | None = None,
        enum: type[Enum] | None = None, filterable: bool = False, sortable: bool = False,
        derived: bool = False, keys_of: KeysOf | None = None, copy_of: str | None = None,
        resolver_only: str | None = None) -> Field:
    """A scalar stored in a column (snake_case of the name unless given); a sortable field
    is filterable too."""
    return Field(name, column or snake(name), doc=doc, enum=enum, derived=derived,
                 filterable=filterable or sortable, sortable=sortable, keys_of=keys_of,
                 copy_of=copy_of, resolver_only=resolver_only)


def ref(name: str, column: str | None = None, *, target: str | None = None,
        doc: str | None = None, filterable: bool = False, derived: bool = False,
        copy_of: str | None = None) -> Field:
    """A to-one reference to a record of `target`: the row holds its id (`<name>_id` unless
    given)."""
    return Field(name, column or f"{snake(name)}_id", doc=doc, target=target,
                 filterable=filterable, derived=derived, copy_of=copy_of)


def rel(name: str, children: Children | None = None, *, doc: str | None = None,
        filterable: bool = False, resolver_only: str | None = None) -> Field:
    """A relation with no column of its own: a list of children, a link or a connection. A
    list through a link table may be `filterable`: a record matches when one of its listed
    records does."""
    return Field(name, children=children, doc=doc, filterable=filterable,
                 resolver_only=resolver_only)


def input_only(name: str, why: str) -> Field:
    """A name clients may write that is no field of its own (`occurredAt` of a logged call is
    stored as its `at`): it needs write access to its group like any field."""
    return Field(name, resolver_only=why)


def meta(*, filterable: bool = False, sortable: bool | tuple[str, ...] = False
         ) -> tuple[Field, ...]:
    """id, version and the three moments every row has; `filterable` lets clients filter on
    when it was created and changed, `sortable` sort by both or by the moments it names."""
    sorts = {"createdAt", "updatedAt"} if sortable is True else set(sortable or ())
    return (col("id"), col("version"),
            col("createdAt", filterable=filterable, sortable="createdAt" in sorts),
            col("updatedAt", filterable=filterable, sortable="updatedAt" in sorts),
            col("archivedAt"))


PROVENANCE = (col("createdBy"), col("updatedBy"))
# The moments and actors of a row whose type does not show them to clients.
UNSHOWN_STAMPS = (col("createdAt"), col("updatedAt"), col("archivedAt"), *PROVENANCE)


@dataclass(frozen=True)
class Filterable:
    """A key clients may filter (and perhaps sort) on that is not a field of its own: `email`
    of a contact is the lower-cased primary address, guarded by who may read `emails`."""

    name: str
    column: str
    guard: str
    description: str
    # What it holds: text, id (a global id of a record), or the values of an enum.
    kind: str | type[Enum] = "text"
    sortable: bool = False
    beside: Beside | None = None  # the table holding `column`, when not the type's own


@dataclass(frozen=True)
class RecordType:
    """One GraphQL type over one table, with its fields grouped as the policy grants them."""

    name: str
    table: Table
    groups: Mapping[str, tuple[Field, ...]]
    rules: Mapping[RecordRule, RuleSql] = field(default_factory=dict)
    node: bool = True  # reachable with node(id); children of a parent are not
    on_edges: bool = False  # shown on the edges between two types, not as a type of its own
    parent_column: str | None = None  # for hierarchies (ancestor checks)
    also_filterable: tuple[Filterable, ...] = ()
    # Columns the stores write and the record rules read, which are no field of the type.
    stored: tuple[Field, ...] = ()
    # For types reached only through a parent (notes, consents): who sees a row, in SQL.
    visibility: RuleSql | None = None
    requires: RuleSql | None = None  # a condition every read and write must also meet
    unique: Mapping[str, str] = field(default_factory=dict)  # constraint -> field (CONFLICT)
    # For a link between two records: its two columns, each the id of one of them.
    pairs: tuple[str, str] | None = None

    @cached_property
    def fields(self) -> dict[str, Field]:
        """Every field by name; a field named in two groups is refused by the checks."""
        return {f.name: f for fields in self.groups.values() for f in fields}

    @cached_property
    def policy_groups(self) -> dict[str, tuple[str, ...]]:
        """"Type.group" -> its field names, as auth/policy.py grants them."""
        return {f"{self.name}.{group}": tuple(f.name for f in fields)
                for group, fields in self.groups.items()}

    @cached_property
    def spec(self) -> Spec:
        fields = [*self.fields.values(), *self.stored]
        searchable = {f.name: (f.column, f.name) for f in fields
                      if f.filterable and f.column is not None}
        searchable |= {f.name: (f.children.through.matched_by, f.name) for f in fields
                       if f.filterable and f.children is not None and f.children.through}
        searchable |= {k.name: (k.column, k.guard) for k in self.also_filterable}
        return Spec(
            type_name=self.name, table=self.table,
            columns={f.name: f.column for f in fields if f.column is not None},
            rules=self.rules, parent_column=self.parent_column, searchable=searchable,
            visibility=self.visibility, unique=self.unique, requires=self.requires,
            json_keys={f.name: f.keys_of for f in fields if f.keys_of is not None},
            through={f.name: f.children.through for f in fields
                     if f.children is not None and f.children.through is not None}
            | {k.name: k.beside for k in self.also_filterable if k.beside is not None},
            computed={f.name: f.computed for f in fields if f.computed is not None},
            conditions={f.name: f.condition for f in fields if f.condition is not None},
            sorts={f.name: f.sort for f in fields if f.sort is not None},
            derived=frozenset(f.name for f in fields if f.derived)
            | {f.name for f in self.stored})


@dataclass(frozen=True)
class InternalTable:
    """A table that no client reads as a record type of its own, and why."""

    table: Table
    reason: str
    # For a link table: its two columns, each the id of one of the records it pairs.
    pairs: tuple[str, str] | None = None
