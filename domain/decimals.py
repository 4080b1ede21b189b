"""Decimal numbers as text: one strict grammar for amounts, quantities, prices and filters.

A decimal is an optional minus, digits, and optionally a point followed by digits:
`1250`, `-3.5`, `0.01`. Nothing else: no plus sign, exponent, digit separator, space,
NaN or Infinity, at most 28 digits in all (the precision of Python's decimal arithmetic,
so sums of accepted values stay exact). Each field then says whether it may be negative
and how many decimals it keeps.
"""

from __future__ import annotations

import re
from decimal import Decimal

from domain.errors import DomainError, ErrorCode

MAX_DIGITS = 28
EXAMPLE = 'e.g. "1250.50" or "-3"'
_GRAMMAR = re.compile(r"-?(\d+)(?:\.(\d+))?", re.ASCII)
_NOT_FINITE = re.compile(r"[+-]?(nan|snan|inf|infinity)", re.IGNORECASE)


def _invalid(field: str | None, message: str) -> DomainError:
    return DomainError.one(field, ErrorCode.INVALID, message)


def _why_not(text: str) -> str:
    """What keeps the text from the grammar, in the words a person would use."""
    if not text.strip():
        return "it is empty"
    if _NOT_FINITE.fullmatch(text.strip()):
        return "it is not a finite number"
    if text != text.strip() or any(c.isspace() for c in text):
        return "it has spaces"
    if "," in text:
        return "it has a comma; the decimal point is '.', and digits have no separators"
    if "_" in text or "'" in text:
        return "it has a digit separator; write the digits together"
    if "e" in text.lower():
        return "it has an exponent; write the digits out"
    if text.startswith("+"):
        return "it has a plus sign"
    return "it is not written as digits with an optional minus and decimal point"


def parse_decimal(text: object, field: str | None = None) -> Decimal:
    """The number a decimal text stands for, or INVALID saying what is wrong with it."""
    if not isinstance(text, str):
        raise _invalid(field, f"A decimal is written as a string, {EXAMPLE}; not {text!r}.")
    match = _GRAMMAR.fullmatch(text)
    if match is None:
        raise _invalid(field, f"{text[:40]!r} is not a decimal: {_why_not(text)} ({EXAMPLE}).")
    whole, fraction = match.groups()
    if len(whole) + len(fraction or "") > MAX_DIGITS:
        raise _invalid(field, f"A decimal has at most {MAX_DIGITS} digits.")
    value = Decimal(text)
    return value if value else Decimal(0).quantize(value)  # -0 and 0 are one number


def check_digits(value: Decimal, whole_digits: int, decimals: int,
                 field: str | None = None) -> Decimal:
    """The value, if it has at most `whole_digits` digits before the point and `decimals`
    after it, as a numeric(whole_digits + decimals, decimals) column holds."""
    _, digits, exponent = value.normalize().as_tuple()  # trailing zeros are no digits
    after = max(0, -int(exponent))
    before = max(0, len(digits) + int(exponent)) if value else 0
    if before > whole_digits or after > decimals:
        raise _invalid(field, f"At most {whole_digits} digits before the decimal point and "
                              f"{decimals} after it; {value} has more.")
    return value


def as_decimal(raw: object, field: str | None = None) -> Decimal:
    """A finite Decimal from a parsed value or from text in the grammar above."""
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise _invalid(field, f"{field or 'A decimal'} is not a finite number.")
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return Decimal(raw)
    return parse_decimal(raw, field)
