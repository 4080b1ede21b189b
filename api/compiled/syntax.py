"""What every part of the planner needs from a query's syntax tree, and its way out."""

from __future__ import annotations

from graphql import FieldNode, GraphQLList, GraphQLNonNull, SelectionSetNode, VariableNode


class Fallback(Exception):
    """This operation goes through the resolvers."""


def unwrap(graphql_type):
    """The named type inside lists and non-nulls."""
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


def subsets(nodes: list[FieldNode]) -> list[SelectionSetNode]:
    """The selection sets of the nodes of one response key (a key may be selected twice)."""
    return [n.selection_set for n in nodes if n.selection_set]


def variable_of(node: FieldNode, argument: str) -> str | None:
    """The variable that gives an argument its value, if one does."""
    for arg in node.arguments or ():
        if arg.name.value == argument and isinstance(arg.value, VariableNode):
            return arg.value.name.value
    return None
