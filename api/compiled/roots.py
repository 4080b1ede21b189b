"""The fields of the Query type: each root field's form becomes an output of the plan, after
the checks its resolver makes, so that whatever the resolver would refuse goes to it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import FieldNode, GraphQLObjectType, SelectionSetNode

from api.compiled.connections import connection
from api.compiled.syntax import Fallback, subsets, unwrap, variable_of
from api.resolvers.audit import trail_filter
from api.resolvers.knowledge import DEFAULT_HITS
from api.resolvers.node import MAX_NODES
from api.schema import forms
from api.schema.filters import to_domain_filter, to_order_terms
from api.schema.ids import from_global_id, parse_id
from api.schema.relay import is_node_type
from domain.filters import Condition, Op, OrderTerm
from domain.knowledge import check_search
from domain.values import check_date_window
from persistence import readplan as rp
from persistence.calendar import TIMELINE_TYPES
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
        case forms.ByIds():
            if len(args["ids"]) > MAX_NODES:
                raise Fallback("too many ids: the resolvers say so")
            return rp.Array(key, tuple(_by_id(walk, key, None, i, nodes, None)
                                       for i in args["ids"]))
        case forms.Listing(type_name=type_name, references=references):
            order = tuple(to_order_terms(args["order_by"]))
            condition = to_domain_filter(args["filter"], references)
            check_list_arguments(SPECS[type_name], walk.access, condition, order)
            source = rp.Listing(order or DEFAULT_ORDER, condition, args["include_archived"])
            return connection(walk, key, type_name, source, graphql_type, nodes, args)
        case forms.Page(type_name=type_name, order=order):
            return connection(walk, key, type_name, rp.Listing(order), graphql_type, nodes, args)
        case forms.Timeline(order=order):
            return _timeline(walk, key, order, args, graphql_type, nodes)
        case forms.Overdue(order=order):
            user = (parse_id(args["assignee"], "User", "assignee") if args["assignee"]
                    else walk.access.user_id)
            if user is None:
                raise Fallback("no assignee: the resolvers say so")
            return connection(walk, key, "Activity", rp.Listing(order, scope=rp.OverdueOf(user)),
                              graphql_type, nodes, args)
        case forms.Calendar():
            if walk.access.user_id is None:
                raise Fallback("only staff users have a calendar: the resolvers say so")
            check_date_window(args["from_"].date(), args["to"].date())
            return rp.CalendarRows(key, walk.access.user_id, args["from_"], args["to"],
                                   walk.selection(graphql_type, subsets(nodes)))
        case forms.Search():
            return _search(walk, key, args, graphql_type, nodes)
        case forms.Trail(order=order):
            if not walk.access.can_read("AuditEntry", "changes"):
                raise Fallback("the resolvers report the forbidden trail")
            source = rp.Listing(order, trail_filter(_raw_id(args["record_id"])[1]),
                                include_archived=True)
            return connection(walk, key, "AuditEntry", source, graphql_type, nodes, args)
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


def _timeline(walk: Walk, key: str, order: tuple[OrderTerm, ...], args: dict[str, Any],
              graphql_type: GraphQLObjectType, nodes: list[FieldNode]) -> rp.Output:
    type_name, raw = _raw_id(args["record_id"])
    if type_name not in TIMELINE_TYPES:
        return rp.Const(key, None)
    kinds = args["kinds"]
    condition = Condition("kind", Op.IN, [k.value for k in kinds]) if kinds else None
    variable = variable_of(nodes[0], "recordId")
    source = rp.Listing(order, condition, scope=rp.TimelineOf(type_name, raw, variable))
    return connection(walk, key, "Activity", source, graphql_type, nodes, args)


def _search(walk: Walk, key: str, args: dict[str, Any], hit: GraphQLObjectType,
            nodes: list[FieldNode]) -> rp.SearchHits:
    size = DEFAULT_HITS if args["first"] is None else args["first"]
    words, language = check_search(args["query"], size, args["language"])
    items = []
    for k, ns in walk.collect(hit, subsets(nodes)).items():
        name = ns[0].name.value
        if name == "__typename":
            items.append(rp.Const(k, hit.name))
        elif name == "article":
            article = unwrap(hit.fields["article"].type)
            with walk.at(k):
                items.append(rp.HitArticle(k, walk.selection(article, subsets(ns))))
        elif name == "rank":
            items.append(rp.HitRank(k))
        elif name == "snippet":
            items.append(rp.HitSnippet(k))
        else:
            raise TypeError(f"{hit.name}.{name} has no compiled form")
    return rp.SearchHits(key, words, language, size, tuple(items))
