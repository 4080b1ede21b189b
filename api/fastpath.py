"""The compiled read path: a query document becomes one SQL statement that returns JSON.

`plan()` walks a validated query with the schema's own field metadata (see
api/schema/fields.py) and builds a persistence read plan. Anything the plan cannot
express exactly as the resolvers would answer it — a mutation, a directive, a field
without metadata, a field the caller may not read, an argument that would be an error —
makes it return None, and the request takes the resolver path instead. So the answers,
errors included, are those of the resolvers; a test holds the two paths to that.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    visit,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values

from api.schema.adapter import graphql_schema, resolver_arguments
from api.schema.filters import to_domain_filter, to_order_terms
from api.schema.ids import from_global_id
from api.schema.reads import reads_of
from api.schema.relay import is_node_type
from domain.access import Access
from domain.errors import DomainError
from domain.filters import OrderTerm
from domain.paging import page_request
from persistence import readplan as rp
from persistence.queries import check_list_arguments
from persistence.uow import SPECS

DEFAULT_ORDER = (OrderTerm("createdAt"),)
PAGE_INFO = ("hasNextPage", "hasPreviousPage", "startCursor", "endCursor")


SELECTION_CACHE_SIZE = 4096


class Fallback(Exception):
    """This operation goes through the resolvers."""


def _unwrap(graphql_type):
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


class Planner:
    """Builds read plans from query documents, for one schema."""

    def __init__(self, schema: strawberry.Schema) -> None:
        self.schema = schema
        self.graphql = graphql_schema(schema)
        self._enums: dict[str, tuple[tuple[str, str], ...]] = {}
        self._fields: dict[tuple[str, str], Any] = {}
        # Selections that read no arguments depend only on the document and the caller's
        # rights, so each is planned once: (document, path, type, role, scopes) -> Selection.
        self.selections: dict[tuple, rp.Selection] = {}

    def strawberry_field(self, type_name: str, name: str):
        """The strawberry field behind a GraphQL field; looking it up is slow, so it is kept."""
        key = (type_name, name)
        if key not in self._fields:
            self._fields[key] = self.schema.get_field_for_type(name, type_name)
        return self._fields[key]

    def plan(self, document: DocumentNode, operation: OperationDefinitionNode,
             variables: dict[str, Any] | None, access: Access) -> tuple[rp.Output, ...] | None:
        """The outputs of the operation's `data`, or None when the resolvers must answer."""
        if operation.operation is not OperationType.QUERY:
            return None
        values = get_variable_values(self.graphql, operation.variable_definitions or (),
                                     variables or {})
        if isinstance(values, list):
            return None  # the resolver path reports the coercion errors
        fragments = {d.name.value: d for d in document.definitions
                     if isinstance(d, FragmentDefinitionNode)}
        walk = _Walk(self, values, fragments, access, document)
        try:
            return walk.root(operation.selection_set)
        except (Fallback, DomainError):
            return None

    def enum_names(self, enum: GraphQLEnumType) -> tuple[tuple[str, str], ...]:
        """Stored value -> GraphQL name, for enums whose stored values differ from the names."""
        if enum.name not in self._enums:
            pairs = tuple((str(v.value), name) for name, v in enum.values.items())
            self._enums[enum.name] = () if all(s == n for s, n in pairs) else pairs
        return self._enums[enum.name]


class _Walk:
    """One walk over one operation with its variables."""

    def __init__(self, planner: Planner, values: VariableValues, fragments: dict,
                 access: Access, document: DocumentNode) -> None:
        self.planner, self.values, self.fragments, self.access = planner, values, fragments, access
        self.document = document
        self.path: list[str] = []

    def collect(self, type_: GraphQLObjectType, selection_sets) -> dict[str, list[FieldNode]]:
        """Fields by response key, fragments merged, in the client's order."""
        fields: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            self._collect(type_, selection_set, fields)
        return fields

    def _collect(self, type_: GraphQLObjectType, selection_set: SelectionSetNode,
                 fields: dict[str, list[FieldNode]]) -> None:
        for selection in selection_set.selections:
            if selection.directives:
                raise Fallback("directives")
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                fields.setdefault(key, []).append(selection)
                continue
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                condition, inner = fragment.type_condition, fragment.selection_set
                if fragment.directives:
                    raise Fallback("directives")
            else:
                assert isinstance(selection, InlineFragmentNode)
                condition, inner = selection.type_condition, selection.selection_set
            if condition is None or self._applies(type_, condition.name.value):
                self._collect(type_, inner, fields)

    @staticmethod
    def _applies(type_: GraphQLObjectType, condition: str) -> bool:
        return condition == type_.name or condition in {i.name for i in type_.interfaces}

    def arguments(self, parent: GraphQLObjectType, node: FieldNode) -> dict[str, Any]:
        """The field's arguments as its resolver would receive them."""
        raw = get_argument_values(parent.fields[node.name.value], node, self.values)
        field = self.planner.strawberry_field(parent.name, node.name.value)
        return resolver_arguments(self.planner.schema, field, raw)

    def metadata(self, parent: GraphQLObjectType, name: str) -> dict:
        field = self.planner.strawberry_field(parent.name, name)
        meta = field.metadata if field is not None else {}
        if "sql" not in meta or reads_of(field) is not None:
            raise Fallback(f"{parent.name}.{name} has no SQL form, or reads what the resolvers check")
        return meta

    def root(self, selection_set: SelectionSetNode) -> tuple[rp.Output, ...]:
        query = self.planner.graphql.query_type
        outputs = []
        for key, nodes in self.collect(query, [selection_set]).items():
            node = nodes[0]
            name = node.name.value
            if name == "__typename":
                outputs.append(rp.Const(key, query.name))
                continue
            meta = self.metadata(query, name)
            args = self.arguments(query, node)
            # Selections are cached by path: two root fields of one type (article and node)
            # must not share the first one's.
            self.path.append(key)
            outputs.append(self._root_field(key, meta, args, query.fields[name].type, nodes))
            self.path.pop()
        return tuple(outputs)

    def _root_field(self, key: str, meta: dict, args: dict, graphql_type, nodes) -> rp.Output:
        kind = meta["sql"]
        if kind in ("record", "node"):
            try:
                type_name, raw = from_global_id(args["id"])
            except ValueError:
                raise Fallback("a malformed id: the resolvers report it") from None
            wanted = meta.get("type")
            if (wanted and type_name != wanted) or not is_node_type(type_name):
                return rp.Const(key, None)
            object_type = self.planner.graphql.get_type(type_name)
            target = self.selection(object_type, [n.selection_set for n in nodes])
            return rp.Record(key, type_name, raw, target, _variable_of(nodes[0], "id"))
        if kind == "list":
            node_type = meta["type"]
            order = tuple(to_order_terms(args["order_by"]))
            filter = to_domain_filter(args["filter"], meta["references"])
            check_list_arguments(SPECS[node_type], self.access, filter, order)
            return self.connection(key, "list", node_type, _unwrap(graphql_type), nodes, args,
                                   order=order or DEFAULT_ORDER, filter=filter,
                                   include_archived=args["include_archived"])
        raise Fallback(f"root field kind {kind}")

    def selection(self, type_: GraphQLObjectType, selection_sets) -> rp.Selection:
        key = (id(self.document), tuple(self.path), type_.name, self.access.role,
               self.access.scopes)
        cache = self.planner.selections
        if key in cache and cache[key][0] is self.document:
            return cache[key][1]
        outputs = []
        for response_key, nodes in self.collect(type_, selection_sets).items():
            self.path.append(response_key)
            outputs.append(self.field(type_, response_key, nodes))
            self.path.pop()
        selection = rp.Selection(type_.name, tuple(outputs))
        if not _reads_arguments(selection):
            if len(cache) >= SELECTION_CACHE_SIZE:
                cache.clear()
            cache[key] = (self.document, selection)  # the document keeps its id unique
        return selection

    def field(self, parent: GraphQLObjectType, key: str, nodes: list[FieldNode]) -> rp.Output:
        name = nodes[0].name.value
        if name == "__typename":
            return rp.Const(key, parent.name)
        meta = self.metadata(parent, name)
        if not self.access.can_read(meta.get("policy") or parent.name, name):
            raise Fallback("a forbidden field: the resolvers report it")
        kind = meta["sql"]
        graphql_type = _unwrap(parent.fields[name].type)
        subsets = [n.selection_set for n in nodes if n.selection_set]
        if kind == "gid":
            return rp.Column(key, "id", "gid")
        if kind == "value":
            return self._value(key, name, graphql_type)
        if kind in ("actor", "text"):
            return rp.Column(key, name, kind)
        if kind in ("json_many", "json_one"):
            keys = tuple((k, None, graphql_type.name) if ns[0].name.value == "__typename"
                         else (k, ns[0].name.value, None)
                         for k, ns in self.collect(graphql_type, subsets).items())
            return rp.JsonItems(key, name, keys, many=kind == "json_many")
        if kind == "reference":
            return rp.Reference(key, name, self.selection(graphql_type, subsets))
        if kind == "children":
            return rp.Children(key, meta["relation"], self.selection(graphql_type, subsets))
        args = self.arguments(parent, nodes[0])
        if kind == "link":
            return self.connection(key, "link", meta["node"], graphql_type, nodes, args)
        if kind == "notes":
            return self.connection(key, "notes", "Note", graphql_type, nodes, args)
        raise Fallback(f"field kind {kind}")

    def _value(self, key: str, name: str, graphql_type) -> rp.Column:
        if isinstance(graphql_type, GraphQLEnumType):
            return rp.Column(key, name, enum=self.planner.enum_names(graphql_type))
        if isinstance(graphql_type, GraphQLScalarType) and graphql_type.name == "DateTime":
            return rp.Column(key, name, "time")
        return rp.Column(key, name)

    def connection(self, key: str, relation: str, node_type: str,
                   connection_type: GraphQLObjectType, nodes, args: dict, **extra) -> rp.Connection:
        subsets = [n.selection_set for n in nodes if n.selection_set]
        parts = tuple(self._part(connection_type, k, ns)
                      for k, ns in self.collect(connection_type, subsets).items())
        request = page_request(args["first"], args["after"], args["last"], args["before"],
                               with_total=any(p.kind == "totalCount" for p in parts))
        return rp.Connection(key, relation, node_type, request, parts, **extra)

    def _part(self, connection_type: GraphQLObjectType, key: str, nodes) -> rp.Part:
        name = nodes[0].name.value
        subsets = [n.selection_set for n in nodes if n.selection_set]
        if name in ("__typename", "totalCount"):
            return rp.Part(key, name, ((key, name, connection_type.name),))
        inner = _unwrap(connection_type.fields[name].type)
        if name == "nodes":
            return rp.Part(key, "nodes", node=self.selection(inner, subsets))
        if name == "pageInfo":
            items = tuple((k, ns[0].name.value, inner.name)
                          for k, ns in self.collect(inner, subsets).items())
            return rp.Part(key, "pageInfo", items)
        if name != "edges":
            raise Fallback(f"connection field {name}")
        items, node = [], None
        for k, ns in self.collect(inner, subsets).items():
            field = ns[0].name.value
            if field == "node":
                node_type = _unwrap(inner.fields["node"].type)
                node = self.selection(node_type, [n.selection_set for n in ns])
            elif field not in ("cursor", "__typename"):
                meta = self.metadata(inner, field)
                if not self.access.can_read(meta.get("policy") or inner.name, field):
                    raise Fallback("a forbidden field: the resolvers report it")
            items.append((k, field, inner.name))
        return rp.Part(key, "edges", tuple(items), node)


def _reads_arguments(selection: rp.Selection) -> bool:
    """Whether any field below reads arguments (only connections do)."""
    for output in selection.outputs:
        if isinstance(output, rp.Connection):
            return True
        target = getattr(output, "target", None)
        if target is not None and _reads_arguments(target):
            return True
    return False


def _variable_of(node: FieldNode, argument: str) -> str | None:
    """The variable that gives an argument its value, if one does."""
    for arg in node.arguments or ():
        if arg.name.value == argument and isinstance(arg.value, VariableNode):
            return arg.value.name.value
    return None


def variable_uses(document: DocumentNode, operation: OperationDefinitionNode) -> Counter:
    """How often each variable is used in the operation and the fragments it may spread."""
    uses: Counter = Counter()

    class _Uses(Visitor):
        def enter_variable(self, node: VariableNode, key, parent, *_) -> None:
            if not isinstance(parent, VariableDefinitionNode):
                uses[node.name.value] += 1

    for definition in document.definitions:
        if definition is operation or isinstance(definition, FragmentDefinitionNode):
            visit(definition, _Uses())
    return uses
