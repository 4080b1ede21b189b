"""The exported SDL is current, and every type, field and argument is described."""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
)

from api.schema import schema
from api.schema.adapter import graphql_schema

SDL = Path(__file__).parents[2] / "api" / "schema" / "schema.graphql"


def test_exported_schema_is_current():
    # `make schema` regenerates the file; a stale one means clients read outdated docs
    assert SDL.read_text().strip() == schema.as_str().strip(), "run `make schema`"


def test_every_type_field_and_argument_has_a_description():
    missing = []
    for name, kind in graphql_schema(schema).type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        if not kind.description:
            missing.append(name)
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in kind.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(kind, GraphQLUnionType | GraphQLEnumType) and not kind.description:
            missing.append(name)
    assert missing == []
