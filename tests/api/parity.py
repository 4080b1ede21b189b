"""Queries generated from the record-type declarations (persistence/record_types.py), for the
parity of the compiled read path and the resolvers: every field of every type, every relation
and the relations of its target, every list with its filters and sort keys.

A selection holds either every field of a type, or only those a caller may read: the first
compares the errors of the two paths, the second makes the compiled path answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType, GraphQLScalarType

from api.compiled.syntax import unwrap
from api.schema import schema
from api.schema.adapter import graphql_schema
from api.schema.forms import GlobalId, Link, Listing, Notes, Owned, Page, form_of, policy_type
from domain.access import Access
from persistence.record_types import RECORD_TYPES

GRAPHQL = graphql_schema(schema)
QUERY = GRAPHQL.query_type
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
CONNECTIONS = (Link, Notes, Owned)
# Every (GraphQL type, field) a generated query selects: the coverage test reads it.
SELECTED: set[tuple[str, str]] = set()


def node_types() -> list[str]:
    """The declared types that node(id) reaches."""
    return [r.name for r in RECORD_TYPES if r.node]


def declared() -> set[tuple[str, str]]:
    """(policy type, field) of every declared field that a GraphQL type shows: its own type,
    or the edges of a link for a type shown on edges; but those only resolvers answer."""
    shown = {(policy_type(schema.get_field_for_type(f, name)) or name, f)
             for name, graphql_type in GRAPHQL.type_map.items()
             if isinstance(graphql_type, GraphQLObjectType) for f in graphql_type.fields}
    return {(r.name, f) for r in RECORD_TYPES for f in r.fields
            if (r.name, f) in shown} - behind_resolvers()


def behind_resolvers() -> set[tuple[str, str]]:
    """The fields the compiled path never renders, so that no parity can be asked of them:
    those declared resolver_only, and every field of the records such a field leads to, and
    of theirs (an endpoint's webhook messages and their attempts)."""
    names = {r.name for r in RECORD_TYPES}
    found: set[tuple[str, str]] = set()
    targets: list[str] = []
    for record in RECORD_TYPES:
        graphql_type = GRAPHQL.get_type(record.name)
        for name, field in record.fields.items():
            shown = graphql_type and graphql_type.fields.get(name)
            if field.resolver_only is None or not shown:
                continue
            found.add((record.name, name))
            targets.append(_record_of(unwrap(shown.type)))
    while targets:
        target = targets.pop()
        if target not in names:
            continue
        for name, shown in GRAPHQL.get_type(target).fields.items():
            if (target, name) not in found:
                found.add((target, name))
                targets.append(_record_of(unwrap(shown.type)))
    return found


def _record_of(graphql_type) -> str:
    """The type of the records a field leads to: a connection's node type, or its own."""
    if isinstance(graphql_type, GraphQLObjectType) and "edges" in graphql_type.fields:
        return unwrap(unwrap(graphql_type.fields["edges"].type).fields["node"].type).name
    return graphql_type.name


def _form(type_name: str, name: str):
    return form_of(schema.get_field_for_type(name, type_name))


def _readable(access: Access | None, type_name: str, name: str) -> bool:
    """Whether the field answers the caller without FORBIDDEN (an id always does)."""
    field = schema.get_field_for_type(name, type_name)
    if access is None or isinstance(form_of(field), GlobalId):
        return True
    return access.can_read(policy_type(field) or type_name, name)


def leaves(type_name: str, access: Access | None) -> str:
    """The fields of a type that hold values, JSON objects with all their keys."""
    parts = ["__typename"]
    for name, field in GRAPHQL.get_type(type_name).fields.items():
        inner = unwrap(field.type)
        if not _readable(access, type_name, name) or _form(type_name, name) is None:
            continue
        if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
            parts.append(name)
        elif not isinstance(_form(type_name, name), CONNECTIONS) and inner.name not in {
                r.name for r in RECORD_TYPES}:
            parts.append(f"{name} {{ {' '.join(inner.fields)} }}")  # emails, address, changes
        else:
            continue
        SELECTED.add((type_name, name))
    return " ".join(parts)


def _link_fields(edge: GraphQLObjectType, access: Access | None) -> list[str]:
    """The fields of the link an edge stands for (jobTitle of a contact at an account)."""
    shown = [f for f in edge.fields if f not in ("cursor", "node") and _readable(access, edge.name, f)]
    SELECTED.update((policy_type(schema.get_field_for_type(f, edge.name)), f) for f in shown)
    return shown


@dataclass(frozen=True)
class Relation:
    """A field of a type that leads to records of `target`."""

    owner: str
    name: str
    target: str
    connection: GraphQLObjectType | None  # the connection type, for a page

    def select(self, inner: str, access: Access | None) -> str:
        SELECTED.add((self.owner, self.name))
        if self.connection is None:
            return f"{self.name} {{ {inner} }}"
        link = _link_fields(unwrap(self.connection.fields["edges"].type), access)
        return (f"{self.name}(first: 2) {{ __typename totalCount {PAGE_INFO} "
                f"edges {{ cursor {' '.join(link)} node {{ {inner} }} }} nodes {{ __typename }} }}")


def relations(type_name: str, access: Access | None) -> list[Relation]:
    found = []
    for name, field in GRAPHQL.get_type(type_name).fields.items():
        inner = unwrap(field.type)
        if not isinstance(inner, GraphQLObjectType) or not _readable(access, type_name, name):
            continue
        if isinstance(_form(type_name, name), CONNECTIONS):
            node = unwrap(unwrap(inner.fields["edges"].type).fields["node"].type)
            found.append(Relation(type_name, name, node.name, inner))
        elif _form(type_name, name) is not None and GRAPHQL.get_type(inner.name) and any(
                r.name == inner.name for r in RECORD_TYPES):
            found.append(Relation(type_name, name, inner.name, None))
    return found


def record_selections(type_name: str, access: Access | None) -> Iterator[str]:
    """A type's own fields, each relation with its target's fields, and each relation of
    those targets: the nested paths two steps deep."""
    yield leaves(type_name, access)
    for relation in relations(type_name, access):
        yield "id " + relation.select(leaves(relation.target, access), access)
        for inner in relations(relation.target, access):
            nested = inner.select(leaves(inner.target, access), access)
            yield "id " + relation.select(f"__typename {nested}", access)


def by_ids(type_name: str, selection: str) -> str:
    return (f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ __typename "
            f"... on {type_name} {{ {selection} }} }} }}")


# --- Lists of the Query type: pages, filters and sort keys ---------------------------------

@dataclass(frozen=True)
class ListField:
    name: str
    type_name: str
    backward: bool  # takes last and before

    def page(self, access: Access | None, arguments: str = "") -> str:
        arguments = f"first: $first, after: $after{', ' + arguments if arguments else ''}"
        return (f"query($first: Int, $after: String) {{ {self.name}({arguments}) {{ totalCount "
                f"{PAGE_INFO} edges {{ cursor node {{ {leaves(self.type_name, access)} }} }} }} }}")

    def backward_page(self, access: Access | None) -> str:
        return (f"query($before: String) {{ {self.name}(last: 2, before: $before) {{ "
                f"{PAGE_INFO} nodes {{ {leaves(self.type_name, access)} }} }} }}")

    def filters(self) -> Iterator[str]:
        """One filter per field the list filters by, both ways of isNull, and a tree."""
        if "filter" not in QUERY.fields[self.name].args:
            return
        filter_type: GraphQLInputObjectType = unwrap(QUERY.fields[self.name].args["filter"].type)
        names = [f for f in filter_type.fields if f not in ("and", "or", "not")]
        for name in names:
            for null in ("true", "false"):
                yield f"filter: {{{name}: {{isNull: {null}}}}}"
        if len(names) >= 2:
            yield (f"filter: {{or: [{{{names[0]}: {{isNull: false}}}}, {{not: "
                   f"{{{names[1]}: {{isNull: true}}}}}}]}}")

    def orders(self) -> Iterator[str]:
        """Each sort key both ways, and with nulls first where the order takes it."""
        if "orderBy" not in QUERY.fields[self.name].args:
            return
        order_type = unwrap(QUERY.fields[self.name].args["orderBy"].type)
        keys: GraphQLEnumType = unwrap(order_type.fields["field"].type)
        for key in keys.values:
            yield f"orderBy: [{{field: {key}}}]"
            nulls = ", nulls: FIRST" if "nulls" in order_type.fields else ""
            yield f"orderBy: [{{field: {key}, direction: DESC{nulls}}}]"


def list_fields() -> list[ListField]:
    """The root fields that page a declared type, by their forms."""
    found = []
    for name in QUERY.fields:
        form = _form("Query", name)
        if isinstance(form, Listing | Page):
            found.append(ListField(name, form.type_name,
                                   "before" in QUERY.fields[name].args))
    return found
