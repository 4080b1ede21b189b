"""What a set of record-type declarations must hold before the app may serve them. Each check
names its culprit, so that a mistake in a declaration stops the start with a sentence instead
of a leak or a silently slower read path later."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import MetaData

from persistence.declaration import InternalTable, RecordType


class DeclarationError(Exception):
    """One or more declarations are broken; the message lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("record types are declared wrongly:\n- " + "\n- ".join(problems))
        self.problems = problems


def _field_problems(record: RecordType) -> Iterable[str]:
    where = Counter(f.name for fields in record.groups.values() for f in fields)
    for name, count in sorted(where.items()):
        if count > 1:
            groups = [g for g, fields in record.groups.items() if any(f.name == name for f in fields)]
            yield f"{record.name}.{name} is in {count} policy groups ({', '.join(groups)}); " \
                  f"a field belongs to exactly one"
    columns = record.table.c
    for f in [*record.fields.values(), *record.stored]:
        if f.column is not None and f.column not in columns:
            yield f"{record.name}.{f.name}: table {record.table.name} has no column {f.column}"
        if f.filterable and f.column is None and (f.children is None or not f.children.through):
            yield f"{record.name}.{f.name} is filterable but has no column to filter on"
    for group, fields in record.groups.items():
        if not fields:
            yield f"{record.name}.{group} is a policy group with no field"


def _relation_problems(records: tuple[RecordType, ...]) -> Iterable[str]:
    by_name = {r.name: r for r in records}
    # A name is one relation: types may share it only as the same list (every type's tags).
    relations: dict[str, set] = {}
    for r in records:
        for f in r.fields.values():
            if f.children:
                relations.setdefault(f.name, set()).add(f.children)
    for r in records:
        for f in r.fields.values():
            if f.copy_of is not None:
                type_name, _, field_name = f.copy_of.partition(".")
                if field_name not in getattr(by_name.get(type_name), "fields", {}):
                    yield f"{r.name}.{f.name} copies {f.copy_of}, which is not declared"
            if f.children is None:
                continue
            if len(relations[f.name]) > 1:
                yield f"{r.name}.{f.name}: another record type names a child list {f.name}"
            child, link = by_name.get(f.children.type_name), f.children.through
            if child is None:
                yield f"{r.name}.{f.name} lists {f.children.type_name}, which is not declared"
            elif link is not None:
                if link.target is not child.table or {
                        link.parent_column, link.child_column} - set(link.table.c.keys()):
                    yield (f"{r.name}.{f.name}: link table {link.table.name} does not join "
                           f"its parent to {child.table.name}")
            elif f.children.parent_column not in child.table.c:
                yield (f"{r.name}.{f.name}: {child.table.name} has no column "
                       f"{f.children.parent_column} pointing at its parent")


def problems(records: tuple[RecordType, ...], internal: tuple[InternalTable, ...],
             metadata: MetaData) -> list[str]:
    """Every problem of these declarations over the tables of `metadata`; empty when sound."""
    found: list[str] = []
    names = Counter(r.name for r in records)
    found += [f"record type {n} is declared {c} times" for n, c in names.items() if c > 1]
    declared = Counter([r.table.name for r in records] + [t.table.name for t in internal])
    found += [f"table {n} is declared {c} times" for n, c in declared.items() if c > 1]
    found += [f"table {t} has no declaration: add it to persistence/record_types.py"
              for t in metadata.tables if t not in declared]
    for r in records:
        found += _field_problems(r)
    found += _relation_problems(records)
    return found


def check(records: tuple[RecordType, ...], internal: tuple[InternalTable, ...],
          metadata: MetaData) -> None:
    """Refuse declarations with any problem, naming each."""
    found = problems(records, internal, metadata)
    if found:
        raise DeclarationError(found)
