"""What points at a contact or an account, read from the tables' declarations: every foreign
key to its id, and the columns that hold ids of several kinds of record (a note's record,
a tag's, a follow's). A table added later with a foreign key is moved by merges without a
word here; one with a `record_id` column must be named below, or the unit tests fail."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Table, UniqueConstraint

from persistence.base import metadata
from persistence.record_types import RECORD_TYPES

# Columns holding the id of a record of one of several types: (table, column, the column
# naming the type, or None when the id alone says it: taggings and follows).
POLYMORPHIC: tuple[tuple[str, str, str | None], ...] = (
    ("note", "record_id", "record_type"),
    ("activity", "record_id", "record_type"),  # a comment's record
    ("notification", "record_id", "record_type"),
    ("tagging", "record_id", None),
    ("follow", "record_id", None),
)
# What happened to a record stays the record's: the audit trail and the change feed name the
# record merged, as they did when it changed; the webhook messages sent hold what was sent; an
# import's record of what it wrote stays as it wrote it (undoing it then refuses a merged record,
# whose version moved on).
HISTORY = ("audit_entry", "change_event", "import_record")
# Computed from what the record has, by the next refresh: the survivor's scores then count the
# orders the merge moved to it, and the merged records', which have none left, are forgotten.
RECOMPUTED = ("rfm_score",)


@dataclass(frozen=True)
class Reference:
    """One column that may hold the id of a record being merged."""

    table: str
    column: str
    # Per unique constraint over the column: its other columns. Two rows equal on them may
    # not both point at the survivor: one stays where it is, archived.
    keys: tuple[tuple[str, ...], ...] = ()
    type_column: str | None = None
    archivable: bool = True
    record_type: str | None = None  # the record type the table declares, if any
    field: str | None = None  # the column's field in that record type
    # A column of the merged type's own table (a parent, mergedInto): the records merged
    # keep theirs, and the survivor never points at itself.
    own_table: bool = False

    @property
    def kind(self) -> str:
        """How clients see it: `activity.contact_id`."""
        return f"{self.table}.{self.column}"


def _keys(table: Table, column: str) -> tuple[tuple[str, ...], ...]:
    keys = []
    for constraint in table.constraints:
        names = tuple(c.name for c in getattr(constraint, "columns", ()))
        if isinstance(constraint, UniqueConstraint) and column in names:
            keys.append(tuple(n for n in names if n != column))
    for index in table.indexes:
        names = tuple(c.name for c in index.columns)
        if index.unique and column in names and len(names) == len(index.expressions):
            keys.append(tuple(n for n in names if n != column))
    return tuple(keys)


def _declared_as(table: Table, column: str) -> tuple[str | None, str | None]:
    for record in RECORD_TYPES:
        if record.table is table:
            fields = {c: f for f, c in record.spec.columns.items()}
            return record.name, fields.get(column)
    return None, None


def _reference(table: Table, column: str, type_column: str | None = None,
               own_table: bool = False) -> Reference:
    record_type, field = _declared_as(table, column)
    return Reference(table.name, column, _keys(table, column), type_column,
                     "archived_at" in table.c, record_type, field, own_table)


@cache
def references_to(table_name: str) -> tuple[Reference, ...]:
    """Every column that may point at a record of the table, foreign keys first."""
    found: list[Reference] = []
    for table in metadata.sorted_tables:
        for fk in sorted(table.foreign_keys, key=lambda k: k.parent.name):
            if fk.column.table.name == table_name and fk.column.name == "id":
                found.append(_reference(table, fk.parent.name,
                                        own_table=table.name == table_name))
    found += [_reference(metadata.tables[t], c, type_column)
              for t, c, type_column in POLYMORPHIC]
    return tuple(found)


def unlisted_record_id_columns() -> list[str]:
    """Tables with a `record_id` column that are neither moved by merges nor history."""
    named = {t for t, _, _ in POLYMORPHIC} | set(HISTORY) | set(RECOMPUTED)
    return [t.name for t in metadata.sorted_tables if "record_id" in t.c and t.name not in named]
