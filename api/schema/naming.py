"""Python attribute names to GraphQL field names."""

from __future__ import annotations

from strawberry.schema.name_converter import NameConverter
from strawberry.types.field import StrawberryField

_NAMES = NameConverter()


def camel(name: str) -> str:
    """first_name -> firstName; a trailing underscore (in_, and_) is dropped."""
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(p.title() for p in rest)


def graphql_fields(cls: type) -> dict[str, StrawberryField]:
    """The fields a client can select on a strawberry type, by GraphQL name."""
    return {_NAMES.get_graphql_name(f): f for f in cls.__strawberry_definition__.fields
            if f.python_name != "data"}
