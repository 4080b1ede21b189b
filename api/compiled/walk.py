"""One walk over one operation: its fields by response key, their arguments, forms and rights.

Whatever the walk meets that the plan cannot express as the resolvers would answer it raises
Fallback, and the whole operation goes to the resolvers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.execution.values import VariableValues, get_argument_values

from api.compiled import objects
from api.compiled.syntax import Fallback
from api.schema.adapter import resolver_arguments
from api.schema.forms import Form, GlobalId, policy_type
from api.schema.reads import reads_of
from domain.access import Access
from persistence import readplan as rp

if TYPE_CHECKING:
    from api.compiled.planner import Planner

SELECTION_CACHE_SIZE = 4096


class Walk:
    """The state of planning one operation with its variables, for one caller."""

    def __init__(self, planner: Planner, values: VariableValues,
                 fragments: dict[str, FragmentDefinitionNode], access: Access,
                 document: DocumentNode) -> None:
        self.planner, self.values, self.fragments, self.access = planner, values, fragments, access
        self.document = document
        self.path: list[str] = []

    # --- Fields ------------------------------------------------------------------------------

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
                fields.setdefault((selection.alias or selection.name).value, []).append(selection)
                continue
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                condition, inner = fragment.type_condition, fragment.selection_set
                if fragment.directives:
                    raise Fallback("directives")
            else:
                assert isinstance(selection, InlineFragmentNode)
                condition, inner = selection.type_condition, selection.selection_set
            if condition is None or _applies(type_, condition.name.value):
                self._collect(type_, inner, fields)

    def arguments(self, parent: GraphQLObjectType, node: FieldNode) -> dict[str, Any]:
        """The field's arguments as its resolver receives them, by Python name."""
        raw = get_argument_values(parent.fields[node.name.value], node, self.values)
        field = self.planner.field(parent.name, node.name.value)
        return resolver_arguments(self.planner.schema, field, raw)

    def form(self, parent: GraphQLObjectType, node: FieldNode,
             args: dict[str, Any] | None = None) -> Form:
        """The field's compiled form, once the caller may read the field and all it reads."""
        name = node.name.value
        field = self.planner.field(parent.name, name)
        form = self.planner.form(parent.name, name)
        if form is None:
            raise Fallback(f"{parent.name}.{name} has no compiled form")
        if not isinstance(form, GlobalId):  # node_id answers every caller, as node(id) does
            self.require_readable(policy_type(field) or parent.name, name)
        reads = reads_of(field)
        if reads is not None and not reads.allows(
                self.access, self.arguments(parent, node) if args is None else args):
            raise Fallback(f"{parent.name}.{name} reads a field the caller may not read")
        return form

    def require_readable(self, type_name: str, name: str) -> None:
        """A forbidden field is the resolvers' to report, at its path."""
        if type_name != "Query" and not self.access.can_read(type_name, name):
            raise Fallback(f"the caller may not read {type_name}.{name}")

    # --- Objects -----------------------------------------------------------------------------

    def selection(self, type_: GraphQLObjectType, selection_sets) -> rp.Selection:
        """The outputs of one object; planned once per document, path and rights unless a
        field below reads arguments."""
        key = (id(self.document), tuple(self.path), type_.name, self.access.role,
               self.access.scopes)
        cache = self.planner.selections
        if key in cache and cache[key][0] is self.document:
            return cache[key][1]
        outputs = []
        for response_key, nodes in self.collect(type_, selection_sets).items():
            # The type is part of the path: fragments on two types may select the same key
            # differently (node(id) { ... on Contact { owner { email } } ... on Account { owner
            # { name } } }), and a plan cached for one must never answer the other.
            with self.at(f"{type_.name}.{response_key}"):
                outputs.append(objects.field_output(self, type_, response_key, nodes))
        selection = rp.Selection(type_.name, tuple(outputs))
        if not reads_arguments(selection):
            if len(cache) >= SELECTION_CACHE_SIZE:
                cache.clear()
            cache[key] = (self.document, selection)  # the document keeps its id unique
        return selection

    @contextlib.contextmanager
    def at(self, key: str) -> Iterator[None]:
        """Plan below the response key `key`: selections are kept by their path."""
        self.path.append(key)
        try:
            yield
        finally:
            self.path.pop()


def _applies(type_: GraphQLObjectType, condition: str) -> bool:
    return condition == type_.name or condition in {i.name for i in type_.interfaces}


def reads_arguments(selection: rp.Selection) -> bool:
    """Whether any field below reads arguments (only connections do)."""
    for output in selection.outputs:
        if isinstance(output, rp.Connection):
            return True
        target = getattr(output, "target", None)
        if target is not None and reads_arguments(target):
            return True
    return False
