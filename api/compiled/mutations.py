"""The Mutation fields of the compiled write path: a plain update, its input, and its payload.

A mutation is planned when its one root field carries a write form (api/schema/forms.py) and
its payload asks only for what the path renders as the resolvers would: the record, planned
as a read of its fields (the same walk as `contact(id)`), the `errors` and `__typename`.
Planning runs no SQL, and anything else raises Fallback before a write is sent, so that the
resolvers can still answer the whole mutation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import FieldNode, GraphQLError, GraphQLObjectType, SelectionSetNode

from api.compiled.syntax import Fallback, subsets, unwrap
from api.compiled.walk import Walk, reads_arguments
from api.schema import forms
from persistence import readplan as rp

ERROR_FIELDS = ("field", "code", "message")


@dataclass(frozen=True, slots=True)
class PayloadPart:
    """One key of the payload, in the client's order: `what` is "__typename", "record" or
    "errors"; `record` is the record's selection, `error_keys` the (key, field) pairs asked
    of each error."""

    key: str
    what: str
    record: rp.Selection | None = None
    error_keys: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class WritePlan:
    """A mutation the compiled write path answers: the use case of `form` on `input`."""

    key: str  # the root field's response key
    nodes: tuple[FieldNode, ...]  # where errors are located, as the resolvers locate them
    form: forms.Update
    input: Any  # the strawberry input object, as the resolver receives it
    payload: GraphQLObjectType
    parts: tuple[PayloadPart, ...]

    @property
    def record(self) -> rp.Selection | None:
        """The record's selection, if the payload asks for the record."""
        return next((p.record for p in self.parts if p.what == "record"), None)


@dataclass(frozen=True, slots=True)
class Shape:
    """What a mutation's plan takes from its document and the caller's rights alone."""

    key: str
    nodes: tuple[FieldNode, ...]
    form: forms.Update
    payload: GraphQLObjectType
    parts: tuple[PayloadPart, ...]
    reads_variables: bool  # below the record: a page's size, say; then it is planned anew


def plan_mutation(walk: Walk, shape: Shape) -> WritePlan:
    """The plan of a mutation of the shape, with its input; Fallback when the resolvers
    report the input's arguments."""
    mutation = walk.planner.graphql.mutation_type
    try:
        # graphql-core's coercion, then strawberry's conversion: the resolver's own input
        arguments = walk.arguments(mutation, shape.nodes[0])
    except GraphQLError:
        raise Fallback("an argument the resolvers report") from None
    return WritePlan(shape.key, shape.nodes, shape.form, arguments["input"], shape.payload,
                     shape.parts)


def mutation_shape(walk: Walk, selection_set: SelectionSetNode) -> Shape:
    """The shape of a mutation of one root field with a write form; Fallback otherwise."""
    mutation = walk.planner.graphql.mutation_type
    fields = walk.collect(mutation, [selection_set])
    if len(fields) != 1:
        raise Fallback("several root fields: the resolvers run them in turn")
    [(key, nodes)] = fields.items()
    name = nodes[0].name.value
    form = walk.planner.form(mutation.name, name) if name != "__typename" else None
    if not isinstance(form, forms.Update):
        raise Fallback(f"Mutation.{name} has no write form")
    payload = unwrap(mutation.fields[name].type)
    with walk.at(key):
        parts = tuple(_part(walk, payload, form, k, ns)
                      for k, ns in walk.collect(payload, subsets(nodes)).items())
    reads = any(p.record is not None and reads_arguments(p.record) for p in parts)
    return Shape(key, tuple(nodes), form, payload, parts, reads)


def _part(walk: Walk, payload: GraphQLObjectType, form: forms.Update, key: str,
          nodes: list[FieldNode]) -> PayloadPart:
    name = nodes[0].name.value
    if name == "__typename":
        return PayloadPart(key, name)
    if name == form.field:
        record = unwrap(payload.fields[name].type)
        with walk.at(f"{payload.name}.{key}"):
            return PayloadPart(key, "record", record=walk.selection(record, subsets(nodes)))
    if name == "errors":
        error = unwrap(payload.fields[name].type)
        keys = tuple((k, ns[0].name.value) for k, ns in walk.collect(error, subsets(nodes)).items())
        if any(field not in (*ERROR_FIELDS, "__typename") for _, field in keys):
            raise Fallback("a field of UserError the path does not render")
        return PayloadPart(key, "errors", error_keys=keys)
    raise Fallback(f"{payload.name}.{name} is the resolvers' to answer")
