"""The fields of the Query type: each root field's form becomes an output of the plan, after
the checks its resolver makes, so that whatever the resolver would refuse goes to it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import FieldNode, GraphQLObjectType, SelectionSetNode

from api.compiled.connections import connection
from api.compiled.syntax import Fallback, subsets, unwrap, variable_of
from api.schema import forms
from api.schema.filters import to_domain_filter, to_order_terms
from api.schema.ids import from_global_id
from api.schema.relay import is_node_type
from domain.filters import OrderTerm
from persistence import readplan as rp
from persistence.queries import check_list_arguments
from persistence.record_types import SPECS

if TYPE_CHECKING:
    from api.compiled.walk import Walk

DEFAULT_ORDER = (OrderTerm("createdAt"),)


def root(walk: Walk, selection_set: SelectionSetNode) -> tuple[rp.Output, ...]:
    """The outputs of the operation's `data`, in the client's order."""
    query = walk.planner.graphql.query_type
    outputs = []
    for key, nodes in walk.collect(query, [selection_set]).items():
        name = nodes[0].name.value
        if name == "__typename":
            outputs.append(rp.Const(key, query.name))
            continue
        args = walk.arguments(query, nodes[0])
        form = walk.form(query, nodes[0], args)
        graphql_type = unwrap(query.fields[name].type)
        with walk.at(key):
            outputs.append(_field(walk, key, form, args, graphql_type, nodes))
    return tuple(outputs)


def _field(walk: Walk, key: str, form: forms.Form, args: dict[str, Any],
           graphql_type: GraphQLObjectType, nodes: list[FieldNode]) -> rp.Output:
    match form:
        case forms.ById(type_name=wanted):
            return _by_id(walk, key, wanted, args["id"], nodes, variable_of(nodes[0], "id"))
        case forms.Listing(type_name=type_name, references=references):
            order = tuple(to_order_terms(args["order_by"]))
            condition = to_domain_filter(args["filter"], references)
            check_list_arguments(SPECS[type_name], walk.access, condition, order)
            source = rp.Listing(order or DEFAULT_ORDER, condition, args["include_archived"])
            return connection(walk, key, type_name, source, graphql_type, nodes, args)
        case forms.Page(type_name=type_name, order=order):
            return connection(walk, key, type_name, rp.Listing(order), graphql_type, nodes, args)
    raise TypeError(f"Query: {form!r} is no form of a root field")


def _raw_id(global_id: str):
    try:
        return from_global_id(global_id)
    except ValueError:
        raise Fallback("a malformed id: the resolvers report it") from None


def _by_id(walk: Walk, key: str, wanted: str | None, global_id: str, nodes: list[FieldNode],
           variable: str | None) -> rp.Output:
    type_name, raw = _raw_id(global_id)
    if (wanted and type_name != wanted) or not is_node_type(type_name):
        return rp.Const(key, None)
    object_type = walk.planner.graphql.get_type(type_name)
    return rp.Record(key, type_name, raw, walk.selection(object_type, subsets(nodes)), variable)
