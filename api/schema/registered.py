"""The GraphQL class of every record type, as an attribute named after the type. A lazy
reference to this module (`refer_to`) resolves, when the schema is built, to whichever class
registered that name with `fields.record_type`, so types that refer to each other in circles
need not import each other."""

from __future__ import annotations

from typing import Annotated

import strawberry


def refer_to(type_name: str):
    """The annotation of a field that holds a record of `type_name`."""
    return Annotated[type_name, strawberry.lazy(__name__)]
