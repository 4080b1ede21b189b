"""Connections: where a page's rows come from, which page, and the parts the client asked of
it (edges, nodes, pageInfo, totalCount)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import FieldNode, GraphQLObjectType

from api.compiled.syntax import Fallback, subsets, unwrap
from domain.paging import page_request
from persistence import readplan as rp

if TYPE_CHECKING:
    from api.compiled.walk import Walk

PAGE_FLAGS = frozenset({"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"})


def connection(walk: Walk, key: str, type_name: str, source: rp.Source,
               connection_type: GraphQLObjectType, nodes: list[FieldNode],
               args: dict[str, Any]) -> rp.Connection:
    """A page of `type_name` from `source`, paged as `args` ask (first, after, last, before);
    a bad size or cursor raises DomainError, which the resolvers report."""
    parts = tuple(_part(walk, connection_type, k, ns)
                  for k, ns in walk.collect(connection_type, subsets(nodes)).items())
    request = page_request(args.get("first"), args.get("after"), args.get("last"),
                           args.get("before"),
                           with_total=any(isinstance(p, rp.TotalCount) for p in parts))
    return rp.Connection(key, type_name, source, request, parts)


def _part(walk: Walk, connection_type: GraphQLObjectType, key: str,
          nodes: list[FieldNode]) -> rp.Part:
    name = nodes[0].name.value
    if name == "__typename":
        return rp.Const(key, connection_type.name)
    if name == "totalCount":
        return rp.TotalCount(key)
    inner = unwrap(connection_type.fields[name].type)
    if name == "nodes":
        with walk.at(key):
            return rp.Nodes(key, walk.selection(inner, subsets(nodes)))
    if name == "pageInfo":
        return rp.PageInfo(key, tuple(_page_flag(inner, k, ns[0].name.value)
                                      for k, ns in walk.collect(inner, subsets(nodes)).items()))
    if name == "edges":
        with walk.at(key):
            return rp.Edges(key, tuple(_edge_item(walk, inner, k, ns)
                                       for k, ns in walk.collect(inner, subsets(nodes)).items()))
    raise Fallback(f"connection field {name}")


def _page_flag(page_info: GraphQLObjectType, key: str, name: str) -> rp.PageFlag | rp.Const:
    if name == "__typename":
        return rp.Const(key, page_info.name)
    if name not in PAGE_FLAGS:
        raise TypeError(f"PageInfo.{name} has no compiled form")
    return rp.PageFlag(key, name)


def _edge_item(walk: Walk, edge: GraphQLObjectType, key: str, nodes: list[FieldNode]):
    name = nodes[0].name.value
    if name == "__typename":
        return rp.Const(key, edge.name)
    if name == "cursor":
        return rp.Cursor(key)
    if name == "node":
        with walk.at(key):
            return rp.EdgeNode(key, walk.selection(unwrap(edge.fields["node"].type),
                                                   subsets(nodes)))
    walk.form(edge, nodes[0])  # the link's own fields (jobTitle), under the link's policy
    return rp.LinkField(key, name)
