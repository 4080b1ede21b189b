"""What the compiled forms of a schema must hold, checked before the app serves: a field's
metadata holds its form and nothing else, and every form names types, relations, columns,
sort keys and payload fields that exist. A mistyped form would otherwise send every query
that selects the field down the resolver path, or fail only when a query selects it."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry
from graphql import GraphQLObjectType

from api.compiled.syntax import unwrap
from api.schema import forms
from api.schema.adapter import graphql_schema
from persistence.declaration_checks import DeclarationError
from persistence.loaders import LINK_SIDES
from persistence.record_types import CHILD_RELATIONS, SPECS

# Forms of an object's fields that read a column of the object's own row.
COLUMN_FORMS = (forms.Value, forms.Text, forms.Actor, forms.Json, forms.Reference,
                forms.ActorUser, forms.Changes)
ROOT_FORMS = (forms.ById, forms.ByIds, forms.Listing, forms.Page, forms.Timeline,
              forms.Calendar, forms.Overdue, forms.Search, forms.Trail)
MUTATION_FORMS = (forms.Update,)


def _sorts(type_name: str, order: Iterable) -> Iterable[str]:
    spec = SPECS.get(type_name)
    if spec is None:
        yield f"lists {type_name}, which is not declared"
        return
    for term in order:
        if term.field not in spec.searchable:
            yield f"sorts {type_name} by {term.field}, which it cannot be sorted by"


def _root_problems(form: forms.Form) -> Iterable[str]:
    match form:
        case forms.ById(type_name=type_name) if type_name is not None and type_name not in SPECS:
            yield f"looks up {type_name}, which is not declared"
        case forms.Listing(type_name=type_name, references=references):
            yield from _sorts(type_name, ())
            yield from (f"filters by {target}, which is not declared"
                        for target in references.values() if target not in SPECS)
        case forms.Page(type_name=type_name, order=order):
            yield from _sorts(type_name, order)
        case forms.Timeline(order=order) | forms.Overdue(order=order):
            yield from _sorts("Activity", order)
        case forms.Trail(order=order):
            yield from _sorts("AuditEntry", order)


def _object_problems(form: forms.Form, owner: str, name: str, shown: str) -> Iterable[str]:
    if isinstance(form, COLUMN_FORMS):
        policy = form.policy if isinstance(form, forms.Value) and form.policy else owner
        if policy not in SPECS or name not in SPECS[policy].columns:
            yield f"reads a column, but {policy} stores no {name}"
    match form:
        case forms.Reference(target=target) if target != shown:
            yield f"refers to {target}, but its GraphQL type is {shown}"
        case forms.Children(relation=relation):
            children = CHILD_RELATIONS.get(relation)
            if children is None or children.type_name != shown:
                yield f"lists the children {relation!r}, which no declaration holds as {shown}"
        case forms.Link(node=node) if node not in LINK_SIDES:
            yield f"links {node}, which account_contact does not link"
        case forms.Owned(type_name=type_name, parent=parent):
            if type_name not in SPECS or parent not in SPECS[type_name].columns:
                yield f"pages {type_name} by {parent}, which it does not store"
        case forms.Changes(references=references):
            yield from (f"turns {field} into ids of {target}, which is not declared"
                        for fields in references.values() for field, target in fields.items()
                        if target not in SPECS)


def _mutation_problems(form: forms.Form, payload: GraphQLObjectType) -> Iterable[str]:
    match form:
        case forms.Update(type_name=type_name, field=field):
            if type_name not in SPECS:
                yield f"updates {type_name}, which is not declared"
            record = payload.fields.get(field)
            if record is None or unwrap(record.type).name != type_name:
                yield f"answers with {payload.name}.{field}, which holds no {type_name}"
            if "errors" not in payload.fields:
                yield f"answers with {payload.name}, which has no errors"


def _field_problems(type_: GraphQLObjectType, place: str, field, name: str) -> Iterable[str]:
    metadata = field.metadata or {}
    for key in sorted(set(metadata) - {forms.COMPILED}):
        yield f"metadata key {key!r} means nothing: a field's metadata holds only its form"
    form = metadata.get(forms.COMPILED)
    if form is None:
        return
    if not isinstance(form, forms.Form):
        yield f"{form!r} is no compiled form"
        return
    if isinstance(form, ROOT_FORMS) != (place == "root") or (
            isinstance(form, MUTATION_FORMS) != (place == "mutation")):
        yield f"{type(form).__name__} is no form of a {place} field"
        return
    shown = unwrap(type_.fields[name].type)
    if place == "root":
        yield from _root_problems(form)
    elif place == "mutation":
        yield from _mutation_problems(form, shown)
    else:
        yield from _object_problems(form, type_.name, name, shown.name)


def problems(schema: strawberry.Schema) -> list[str]:
    """Every field whose metadata or compiled form is wrong, named `Type.field: problem`."""
    graphql = graphql_schema(schema)
    found = []
    for type_name, type_ in sorted(graphql.type_map.items()):
        if type_name.startswith("__") or not isinstance(type_, GraphQLObjectType):
            continue
        place = ("root" if type_ is graphql.query_type else
                 "mutation" if type_ is graphql.mutation_type else "nested")
        for name in type_.fields:
            field = schema.get_field_for_type(name, type_name)
            if field is not None:
                found += [f"{type_name}.{name}: {problem}"
                          for problem in _field_problems(type_, place, field, name)]
    return found


def check_forms(schema: strawberry.Schema) -> None:
    """Refuse to serve a schema with a broken compiled form, naming every culprit."""
    found = problems(schema)
    if found:
        raise DeclarationError(found)
