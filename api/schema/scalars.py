"""Scalars whose text form is fixed, so that every read path renders them identically, and
whose parsers are strict, so that a value the record cannot hold never reaches a resolver.

A value that does not parse is refused with code INVALID and a message saying why (for
dates and times, naming the accepted range), wherever it is given: an argument, an input
field or a filter operand.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from graphql import GraphQLError, StringValueNode, ValueNode, print_ast

from domain.decimals import parse_decimal
from domain.errors import DomainError, ErrorCode
from domain.moments import DATE_RANGE, TIME_RANGE, format_time, parse_date, parse_time


class _Literal:
    """A literal that is not a string, shown in messages as it was written."""

    def __init__(self, node: ValueNode) -> None:
        self.text = print_ast(node)

    def __repr__(self) -> str:
        return self.text


def _strict(parse: Callable[[object], Any]):
    """parse_value and parse_literal from one domain parser; its problems become INVALID."""

    def parse_value(value: object, node: ValueNode | None = None) -> Any:
        try:
            return parse(value)
        except DomainError as exc:
            raise GraphQLError(str(exc), node, extensions={
                "code": ErrorCode.INVALID.value}) from None

    def parse_literal(node: ValueNode, _variables: dict | None = None) -> Any:
        # Only a string literal can be one of these values; a number or an enum is refused.
        return parse_value(node.value if isinstance(node, StringValueNode) else _Literal(node),
                           node)

    return {"parse_value": parse_value, "parse_literal": parse_literal}


DateTime = strawberry.scalar(
    name="DateTime",
    description="A moment in time, RFC 3339: written in UTC as 2026-01-05T09:00:00.000000Z; "
                f"accepted with any offset (seconds required). {TIME_RANGE}.",
    serialize=format_time,
    **_strict(parse_time),
)

Date = strawberry.scalar(
    name="Date",
    description=f"A calendar day, YYYY-MM-DD. {DATE_RANGE}.",
    serialize=date.isoformat,
    **_strict(parse_date),
)

DecimalNumber = strawberry.scalar(
    name="Decimal",
    description="A decimal number as a string: an optional minus, digits, and optionally a "
                "point and more digits, e.g. \"1250.50\"; at most 28 digits, no exponent, "
                "spaces or separators. Each field says how many decimals it keeps.",
    serialize=str,
    **_strict(parse_decimal),
)

SCALARS = {datetime: DateTime, date: Date, Decimal: DecimalNumber}
