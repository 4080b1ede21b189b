"""The most records a query can return, worked out from its document before it runs.

Each field that returns records (objects with an `id`) counts as many as it can return,
times the records of every list above it: a page counts its `first` or `last` (20 when
neither is given), `nodes(ids:)` the ids it names, and a list without paging arguments
PLAIN_LIST records. An aggregate (a field whose `groupBy` takes a list) counts the groups it
can return: MAX_GROUPS with a non-empty `groupBy`, one without. Objects without an id (a
connection, its edges and page info, an email, an error) only carry what they hold: they add
nothing themselves. Scalars are free. So
`accounts(first: 100) { nodes { contacts(first: 100) { nodes { notes { nodes { id } } } } } }`
costs 100 + 100 × 100 + 100 × 100 × 20 = 210,100.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    Visitor,
    is_composite_type,
    visit,
)

from domain.paging import DEFAULT_PAGE
from persistence.aggregates import MAX_GROUPS

PLAIN_LIST = 20  # what a list without paging arguments may hold, as far as cost goes
PAGE_ARGUMENTS = ("first", "last")
GROUPS_ARGUMENT = "groupBy"  # an aggregate's: its groups count as records


def _named(graphql_type) -> tuple[GraphQLNamedType, bool]:
    """The named type under the wrappers, and whether it is a list."""
    is_list = False
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        is_list = is_list or isinstance(graphql_type, GraphQLList)
        graphql_type = graphql_type.of_type
    return graphql_type, is_list


def _value(node: ValueNode | None, variables: Mapping[str, Any]) -> Any:
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, ListValueNode):
        return node.values
    return None


class QueryCost:
    """Costs one operation of a validated document."""

    def __init__(self, schema: GraphQLSchema, document, variables: Mapping[str, Any] | None
                 ) -> None:
        self.schema = schema
        self.variables = variables or {}
        self.fragments = {d.name.value: d for d in document.definitions
                          if isinstance(d, FragmentDefinitionNode)}

    def operation(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        return self._selections(operation.selection_set, root, 1, parent_is_page=False)

    def _selections(self, selections: SelectionSetNode | None, parent, multiplier: int,
                    parent_is_page: bool) -> int:
        cost = 0
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                cost += self._field(selection, parent, multiplier, parent_is_page)
            else:
                if isinstance(selection, FragmentSpreadNode):
                    selection = self.fragments[selection.name.value]
                condition = (selection.type_condition if isinstance(
                    selection, InlineFragmentNode | FragmentDefinitionNode) else None)
                scope = self.schema.get_type(condition.name.value) if condition else parent
                cost += self._selections(selection.selection_set, scope, multiplier,
                                         parent_is_page)
        return cost

    def _field(self, node: FieldNode, parent, multiplier: int, parent_is_page: bool) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, GraphQLObjectType):
            return 0 if name.startswith("__") else self._interface_field(node, parent, multiplier)
        definition = parent.fields.get(name)
        if definition is None:
            return 0
        named, is_list = _named(definition.type)
        if not is_composite_type(named):
            return 0
        groups = self._groups(node, definition)
        if groups is not None:  # the groups are what it returns; they hold no records
            return multiplier * groups
        size = self._size(node, definition, is_list and not parent_is_page)
        records = multiplier * size
        own = records if "id" in getattr(named, "fields", ()) else 0
        return own + self._selections(node.selection_set, named, records,
                                      parent_is_page=named.name.endswith("Connection"))

    def _interface_field(self, node: FieldNode, parent, multiplier: int) -> int:
        """A field of an interface (a Node's id): as its first implementation declares it."""
        implementations = self.schema.get_possible_types(parent) if parent else ()
        return self._field(node, implementations[0], multiplier, False) if implementations else 0

    def _groups(self, node: FieldNode, definition) -> int | None:
        """The groups an aggregate can return; None for any other field."""
        argument = definition.args.get(GROUPS_ARGUMENT)
        if argument is None or not _named(argument.type)[1]:
            return None
        given = next((a.value for a in node.arguments or () if a.name.value == GROUPS_ARGUMENT),
                     None)
        if isinstance(given, VariableNode):
            given = self.variables.get(given.name.value)
        ungrouped = (given is None or isinstance(given, NullValueNode) or given == []
                     or (isinstance(given, ListValueNode) and not given.values))
        return 1 if ungrouped else MAX_GROUPS

    def _size(self, node: FieldNode, definition, is_list: bool) -> int:
        arguments = {a.name.value: a.value for a in node.arguments or ()}
        for name in PAGE_ARGUMENTS:
            if name in definition.args:
                given = [_value(arguments.get(n), self.variables) for n in PAGE_ARGUMENTS]
                sizes = [s for s in given if isinstance(s, int)]
                return max(sizes) if sizes else _default(definition.args[name])
        if "ids" in definition.args:
            ids = _value(arguments.get("ids"), self.variables)
            return len(ids) if isinstance(ids, list | tuple) else 1
        return PLAIN_LIST if is_list else 1


def _default(argument) -> int:
    default = argument.default_value
    return default if isinstance(default, int) and default > 0 else DEFAULT_PAGE


def query_cost(schema: GraphQLSchema, document, operation: OperationDefinitionNode,
               variables: Mapping[str, Any] | None) -> int:
    """The most records `operation` can return with these variables."""
    return QueryCost(schema, document, variables).operation(operation)


class _SizingVariables(Visitor):
    """The variables a document sizes its lists with: in first, last, ids and groupBy."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_argument(self, node: ArgumentNode, *_) -> None:
        if node.name.value in (*PAGE_ARGUMENTS, "ids", GROUPS_ARGUMENT) and isinstance(
                node.value, VariableNode):
            self.names.add(node.value.name.value)


def _sizing(value: Any) -> Any:
    return len(value) if isinstance(value, list) else value if isinstance(value, int) else None


class CostCache:
    """Costs kept by document, operation and the values of the variables that size lists,
    so that a repeated query is costed once."""

    def __init__(self, schema: GraphQLSchema, size: int = 2048) -> None:
        self.schema = schema
        self.size = size
        self._costs: OrderedDict[tuple, int] = OrderedDict()
        self._sizing: dict[tuple, tuple[str, ...]] = {}

    def cost(self, query: str, document, operation: OperationDefinitionNode,
             variables: Mapping[str, Any] | None) -> int:
        name = operation.name.value if operation.name else None
        names = self._sizing.get((query, name))
        if names is None:
            finder = _SizingVariables()
            visit(document, finder)
            names = self._sizing[(query, name)] = tuple(sorted(finder.names))
            if len(self._sizing) > self.size:
                self._sizing.pop(next(iter(self._sizing)))
        given = variables or {}
        key = (query, name, tuple(_sizing(given.get(n)) for n in names))
        cost = self._costs.get(key)
        if cost is None:
            cost = self._costs[key] = query_cost(self.schema, document, operation, variables)
            if len(self._costs) > self.size:
                self._costs.popitem(last=False)
        return cost
