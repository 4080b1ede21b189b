"""What a field reads besides the values it returns: the fields it filters, searches, groups
or aggregates by.

A value the caller may not read as a field must not reach it as a grouping key, a count or
a sum either. So each such field declares, as "Type.field" names of the policy, what it reads
always and what each argument (or each value of an enum argument) adds; the declaration is
checked before the field resolves, refused as FORBIDDEN at the field's path, and read by the
tests from the schema, so that a new grouping is covered as soon as it is declared.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types.field import StrawberryField

from api.schema.errors import forbidden_field
from api.schema.naming import camel
from domain.access import Access

FieldNames = tuple[str, ...]  # "Opportunity.owner", ...


class Reads(FieldExtension):
    """The policy fields a field reads: `always`, when an argument is given (`arguments`, by
    GraphQL argument name), and per value of an enum argument (`values`, by value name)."""

    def __init__(self, always: FieldNames = (), arguments: Mapping[str, FieldNames] | None = None,
                 values: Mapping[str, Mapping[str, FieldNames]] | None = None) -> None:
        self.always = always
        self.arguments = arguments or {}
        self.values = values or {}
        self._keywords: dict[str, str] = {}  # GraphQL argument name -> the resolver's keyword

    def apply(self, strawberry_field: StrawberryField) -> None:
        self._keywords = {a.graphql_name or camel(a.python_name): a.python_name
                          for a in strawberry_field.arguments}

    def read_by(self, arguments: Mapping[str, Any]) -> FieldNames:
        """What the field reads with these arguments (by GraphQL name; enums by value name, a
        list of them by each)."""
        names = list(self.always)
        for argument, fields in self.arguments.items():
            if arguments.get(argument) not in (None, strawberry.UNSET):
                names.extend(fields)
        for argument, by_value in self.values.items():
            value = arguments.get(argument)
            for one in value if isinstance(value, list) else () if value is None else (value,):
                names.extend(by_value[one.name if isinstance(one, Enum) else one])
        return tuple(dict.fromkeys(names))

    def denied(self, access: Access, kwargs: Mapping[str, Any]) -> tuple[str, str] | None:
        """The first (type, field) read with these resolver arguments that the caller may not
        read, if any."""
        given = {name: kwargs.get(keyword) for name, keyword in self._keywords.items()}
        for name in self.read_by(given):
            type_name, field_name = name.split(".")
            if not access.can_read(type_name, field_name):
                return type_name, field_name
        return None

    def allows(self, access: Access, kwargs: Mapping[str, Any]) -> bool:
        return self.denied(access, kwargs) is None

    def check(self, access: Access, kwargs: Mapping[str, Any]) -> None:
        denied = self.denied(access, kwargs)
        if denied is not None:
            raise forbidden_field(*denied)

    def resolve(self, next_, source, info: strawberry.Info, **kwargs):
        self.check(info.context.access, kwargs)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_, source, info: strawberry.Info, **kwargs):
        self.check(info.context.access, kwargs)
        return await next_(source, info, **kwargs)


def reads_of(strawberry_field: StrawberryField) -> Reads | None:
    """The field's declaration, if it has one."""
    return next((e for e in strawberry_field.extensions if isinstance(e, Reads)), None)
