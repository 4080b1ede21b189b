"""The strawberry internals this code relies on, and only here.

Strawberry has no public way to reach the graphql-core schema behind a strawberry Schema, the
GraphQL type whose field is resolving, or the conversion of graphql-core's argument values into
a resolver's keyword arguments. The compiled read path needs all three, and the field resolvers
the first two; when strawberry moves them, this module is the one to change.
"""

from __future__ import annotations

from dataclasses import MISSING
from typing import Any

import strawberry
from graphql import GraphQLSchema
from strawberry.types.arguments import convert_argument, convert_arguments
from strawberry.types.base import has_object_definition
from strawberry.types.field import StrawberryField


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema that strawberry built."""
    return schema._schema


def field_name(info: strawberry.Info) -> str:
    """The GraphQL name of the field being resolved."""
    return info._raw_info.field_name


def parent_type_name(info: strawberry.Info) -> str:
    """The GraphQL type whose field is being resolved (an edge, say, not the node)."""
    return info._raw_info.parent_type.name


def resolver_arguments(schema: strawberry.Schema, field: StrawberryField,
                       values: dict[str, Any]) -> dict[str, Any]:
    """graphql-core's argument values of a field as its resolver receives them: inputs as
    strawberry classes, enums as Python enums, by Python name.

    An argument that is one input object (a mutation's `input`) is built here from its
    fields' names and types, looked up once per class: strawberry's convert_arguments looks
    them up again on every call, which cost as much as the rest of planning a mutation. Its
    fields' values are converted by strawberry itself, and so are all other arguments."""
    registry = schema.schema_converter.scalar_registry
    arguments = field.arguments
    if len(arguments) != 1 or (inputs := _input_fields(arguments[0].type, schema)) is None:
        return convert_arguments(values, arguments, config=schema.config,
                                 scalar_registry=registry)
    argument = arguments[0]
    name = schema.config.name_converter.from_argument(argument)
    if name not in values:
        return {}
    value, (defaults, fields) = values[name], inputs
    kwargs = dict(defaults)
    for graphql_name, python_name, field_type in fields:
        if graphql_name in value:
            kwargs[python_name] = convert_argument(value[graphql_name], field_type, registry,
                                                   schema.config, path=(name, graphql_name))
    return {argument.python_name: argument.type(**kwargs)}


_INPUT_FIELDS: dict[tuple[Any, int], tuple[dict, tuple] | None] = {}


def _input_fields(argument_type, schema: strawberry.Schema) -> tuple[dict, tuple] | None:
    """For a plain input class, what convert_argument builds it from: the None its fields
    without a default start as, and (GraphQL name, Python name, type) per field; else None."""
    key = (argument_type, id(schema))
    if key not in _INPUT_FIELDS:
        found = None
        if isinstance(argument_type, type) and has_object_definition(argument_type):
            definition = argument_type.__strawberry_definition__
            if definition.is_input and definition.from_input is None:
                names = schema.config.name_converter
                found = ({f.python_name: None for f in definition.fields
                          if f.default_value is MISSING and f.default_factory is MISSING},
                         tuple((names.from_field(f), f.python_name,
                                f.resolve_type(type_definition=definition))
                               for f in definition.fields))
        _INPUT_FIELDS[key] = found
    return _INPUT_FIELDS[key]
