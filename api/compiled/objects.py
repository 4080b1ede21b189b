"""The fields of one record's object: each field's form becomes an output of the plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graphql import FieldNode, GraphQLEnumType, GraphQLObjectType, GraphQLScalarType

from api.compiled import connections
from api.compiled.syntax import subsets, unwrap
from api.schema import forms
from persistence import readplan as rp
from persistence.record_types import carriers

if TYPE_CHECKING:
    from api.compiled.walk import Walk


def field_output(walk: Walk, parent: GraphQLObjectType, key: str,
                 nodes: list[FieldNode]) -> rp.Output:
    """The output for the field under response key `key` of an object of type `parent`."""
    name = nodes[0].name.value
    if name == "__typename":
        return rp.Const(key, parent.name)
    form = walk.form(parent, nodes[0])
    graphql_type = unwrap(parent.fields[name].type)
    match form:
        case forms.GlobalId():
            return rp.Column(key, "id", rp.Render.GID)
        case forms.Value():
            return _value(walk, key, name, graphql_type)
        case forms.Actor():
            return rp.Column(key, name, rp.Render.ACTOR)
        case forms.Text():
            return rp.Column(key, name, rp.Render.TEXT)
        case forms.Json(many=many):
            return rp.JsonItems(key, name, _json_keys(walk, graphql_type, nodes), many=many)
        case forms.Reference():
            return rp.Reference(key, name, walk.selection(graphql_type, subsets(nodes)))
        case forms.ActorUser():
            return rp.ActorUser(key, name, walk.selection(graphql_type, subsets(nodes)))
        case forms.Children(relation=relation):
            return rp.Children(key, relation, walk.selection(graphql_type, subsets(nodes)))
        case forms.CarrierCount(relation=relation):
            # A record listed along a relation the caller may not read is never reached.
            kinds = tuple(k for k in carriers(relation) if walk.access.can_read(k, relation))
            return rp.CarrierCount(key, relation, kinds)
        case forms.RecordGlobalId():
            return rp.RecordGlobalId(key)
        case forms.Changes(references=references):
            return rp.Changes(key, name, _json_keys(walk, graphql_type, nodes), references)
        case forms.Link(node=node_type):
            return connections.connection(walk, key, node_type, rp.Linked(), graphql_type,
                                          nodes, walk.arguments(parent, nodes[0]))
        case forms.Notes():
            return connections.connection(walk, key, "Note", rp.NotesOf(), graphql_type,
                                          nodes, walk.arguments(parent, nodes[0]))
        case forms.Owned(type_name=type_name, parent=reference):
            return connections.connection(walk, key, type_name, rp.Owned(reference), graphql_type,
                                          nodes, walk.arguments(parent, nodes[0]))
    raise TypeError(f"{parent.name}.{name}: {form!r} is no form of an object's field")


def _value(walk: Walk, key: str, name: str, graphql_type) -> rp.Column:
    if isinstance(graphql_type, GraphQLEnumType):
        return rp.Column(key, name, enum=walk.planner.enum_names(graphql_type))
    if isinstance(graphql_type, GraphQLScalarType) and graphql_type.name == "DateTime":
        return rp.Column(key, name, rp.Render.TIME)
    return rp.Column(key, name)


def _json_keys(walk: Walk, graphql_type: GraphQLObjectType,
               nodes: list[FieldNode]) -> tuple[rp.JsonKey, ...]:
    """The keys asked of a JSON object: each is the stored key of the same name."""
    return tuple(rp.JsonKey(k, None, graphql_type.name) if ns[0].name.value == "__typename"
                 else rp.JsonKey(k, ns[0].name.value)
                 for k, ns in walk.collect(graphql_type, subsets(nodes)).items())
