"""The strawberry internals this code relies on, and only here.

Strawberry has no public way to reach the graphql-core schema behind a strawberry Schema, the
GraphQL type whose field is resolving, or the conversion of graphql-core's argument values into
a resolver's keyword arguments. The compiled read path needs all three, and the field resolvers
the first two; when strawberry moves them, this module is the one to change.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLSchema
from strawberry.types.arguments import convert_arguments
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
    strawberry classes, enums as Python enums, by Python name."""
    return convert_arguments(values, field.arguments, config=schema.config,
                             scalar_registry=schema.schema_converter.scalar_registry)
