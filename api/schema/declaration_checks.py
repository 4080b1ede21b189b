"""What the GraphQL types must hold against the record-type declarations: every field of a
record type is declared in a policy group, and has a compiled form or a reason to have none.
The app refuses to start otherwise (api.app), naming the culprit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from api.schema.fields import TYPES
from api.schema.forms import Form, form_of
from api.schema.naming import graphql_fields
from api.schema.relay import Node
from persistence import declaration_checks
from persistence.declaration import RecordType
from persistence.record_types import INTERNAL_TABLES, RECORD_TYPES
from persistence.schema import metadata


def _shown_fields(cls: type) -> dict[str, Form | None]:
    """GraphQL field name -> its compiled form, for the fields a client can select."""
    return {name: form_of(f) for name, f in graphql_fields(cls).items()}


def _type_problems(record: RecordType, cls: type) -> Iterable[str]:
    shown = _shown_fields(cls)
    for name, form in sorted(shown.items()):
        declared = record.fields.get(name)
        if declared is None:
            yield (f"{record.name}.{name} is a field of the GraphQL type but in no policy group "
                   f"of its declaration")
        elif form is None and declared.resolver_only is None:
            yield (f"{record.name}.{name} has neither a compiled form nor resolver_only with "
                   f"a reason")
        elif form is not None and declared.resolver_only is not None:
            yield (f"{record.name}.{name} has a compiled form, yet is declared resolver_only: "
                   f"drop the reason")
    for name, declared in record.fields.items():
        if declared.column is None and declared.resolver_only is None and name not in shown:
            yield f"{record.name}.{name} is a declared relation that the GraphQL type lacks"
    if record.node != issubclass(cls, Node):
        yield (f"{record.name} is declared {'' if record.node else 'no '}Node, but its GraphQL "
               f"type does {'not ' if record.node else ''}implement Node")


def problems(records: Iterable[RecordType], types: Mapping[str, type]) -> list[str]:
    """Every disagreement between the declarations and the GraphQL types of `types`."""
    found: list[str] = []
    for record in records:
        cls = types.get(record.name)
        if cls is None:
            if not record.on_edges:
                found.append(f"record type {record.name} has no GraphQL type registered with "
                             f"@record_type")
            continue
        found += _type_problems(record, cls)
    return found


def check_declarations() -> None:
    """Refuse to serve when a declaration is broken or disagrees with its GraphQL type."""
    found = (declaration_checks.problems(RECORD_TYPES, INTERNAL_TABLES, metadata)
             + problems(RECORD_TYPES, TYPES))
    if found:
        raise declaration_checks.DeclarationError(found)
