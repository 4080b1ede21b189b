"""The compiled paths' planner: a validated query becomes a read plan, a plain update a
write plan (api/compiled/mutations.py).

`Planner.plan()` walks the operation with each field's compiled form (api/schema/forms.py) and
builds the plan of persistence/readplan.py. Anything the plan cannot express exactly as the
resolvers would answer it — a mutation (plan_write's to plan), a directive, a field without a
form, a field the caller may not read, an argument that would be an error — makes it return
None, and the request takes the resolver path instead. So the answers, errors included, are
those of the resolvers; tests/api/test_parity.py holds the two paths to that for every
declared type, tests/api/test_compiled_writes.py the plain updates for every role.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    OperationDefinitionNode,
    OperationType,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    visit,
)
from graphql.execution.values import get_variable_values
from strawberry.types.field import StrawberryField

from api.compiled.mutations import Shape, WritePlan, mutation_shape, plan_mutation
from api.compiled.roots import root
from api.compiled.syntax import Fallback
from api.compiled.walk import Walk
from api.schema.adapter import graphql_schema
from api.schema.forms import Form, form_of
from domain.access import Access
from domain.errors import DomainError
from persistence import readplan as rp

SHAPES_KEPT = 1024


class Planner:
    """Builds read plans from query documents, for one schema."""

    def __init__(self, schema: strawberry.Schema) -> None:
        self.schema = schema
        self.graphql = graphql_schema(schema)
        self._enums: dict[str, tuple[tuple[str, str], ...]] = {}
        self._fields: dict[tuple[str, str], StrawberryField | None] = {}
        # Selections that read no arguments depend only on the document and the caller's
        # rights, so each is planned once: (document, path, type, role, scopes) -> Selection.
        self.selections: dict[tuple, tuple[DocumentNode, rp.Selection]] = {}
        # Mutations' shapes by (operation, role, scopes): (operation, Shape).
        self.shapes: dict[tuple, tuple[OperationDefinitionNode, Shape]] = {}

    def field(self, type_name: str, name: str) -> StrawberryField | None:
        """The strawberry field behind a GraphQL field; looking it up is slow, so it is kept."""
        key = (type_name, name)
        if key not in self._fields:
            self._fields[key] = self.schema.get_field_for_type(name, type_name)
        return self._fields[key]

    def form(self, type_name: str, name: str) -> Form | None:
        return form_of(self.field(type_name, name))

    def plan(self, document: DocumentNode, operation: OperationDefinitionNode,
             variables: dict[str, Any] | None, access: Access) -> tuple[rp.Output, ...] | None:
        """The outputs of the operation's `data`, or None when the resolvers must answer."""
        walk = self._walk(document, operation, OperationType.QUERY, variables, access)
        if walk is None:
            return None
        try:
            return root(walk, operation.selection_set)
        except (Fallback, DomainError):
            return None

    def plan_write(self, document: DocumentNode, operation: OperationDefinitionNode,
                   variables: dict[str, Any] | None, access: Access) -> WritePlan | None:
        """The plan of a mutation the compiled write path answers, or None when the
        resolvers must answer it; nothing is written while planning."""
        walk = self._walk(document, operation, OperationType.MUTATION, variables, access)
        if walk is None:
            return None
        try:
            return plan_mutation(walk, self._shape(walk, operation))
        except (Fallback, DomainError):
            return None

    def _walk(self, document: DocumentNode, operation: OperationDefinitionNode,
              kind: OperationType, variables: dict[str, Any] | None,
              access: Access) -> Walk | None:
        """The walk over an operation of this kind, with its variables coerced; None for
        another kind, or variables the resolver path will report on."""
        if operation.operation is not kind:
            return None
        values = get_variable_values(self.graphql, operation.variable_definitions or (),
                                     variables or {})
        if isinstance(values, list):
            return None
        fragments = {d.name.value: d for d in document.definitions
                     if isinstance(d, FragmentDefinitionNode)}
        return Walk(self, values, fragments, access, document)

    def _shape(self, walk: Walk, operation: OperationDefinitionNode) -> Shape:
        """The mutation's shape, planned once per document, operation and rights unless the
        record's selection reads variables."""
        key = (id(operation), walk.access.role, walk.access.scopes)
        kept = self.shapes.get(key)
        if kept is not None and kept[0] is operation:
            return kept[1]
        shape = mutation_shape(walk, operation.selection_set)
        if not shape.reads_variables:
            if len(self.shapes) >= SHAPES_KEPT:
                self.shapes.clear()
            self.shapes[key] = (operation, shape)  # the operation keeps its id unique
        return shape

    def enum_names(self, enum: GraphQLEnumType) -> tuple[tuple[str, str], ...]:
        """Stored value -> GraphQL name, for enums whose stored values differ from the names."""
        if enum.name not in self._enums:
            pairs = tuple((str(v.value), name) for name, v in enum.values.items())
            self._enums[enum.name] = () if all(s == n for s, n in pairs) else pairs
        return self._enums[enum.name]


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
