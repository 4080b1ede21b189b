"""Custom fields: what a company adds to its contacts, accounts, deals, leads and cases.

A definition names a field of one kind of record, its type, its options and validation, and
the policy group it joins. Its values live with the record; each is checked against the
definition when it is written, and a definition that changes never rewrites or drops a
value: values that no longer fit are reported (`misfit`), not lost.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from domain.decimals import parse_decimal
from domain.errors import DomainError, ErrorCode, Problems
from domain.moments import parse_date
from domain.values import MAX_LONG_TEXT, clean_text, normalize_email, normalize_phone

NAME = re.compile(r"^[a-z][A-Za-z0-9]{0,39}$")
MAX_OPTIONS = 100
MAX_URL = 2000
DEFAULT_GROUP = "custom"  # the group of each kind that holds custom fields unless told
VALUES = "customFields"  # a record's field holding its values; problems are at VALUES.<name>


class CustomFieldType(StrEnum):
    """What a custom field holds."""

    TEXT = "TEXT"
    NUMBER = "NUMBER"
    DECIMAL = "DECIMAL"
    DATE = "DATE"
    BOOLEAN = "BOOLEAN"
    SINGLE_SELECT = "SINGLE_SELECT"
    MULTI_SELECT = "MULTI_SELECT"
    URL = "URL"
    EMAIL = "EMAIL"
    PHONE = "PHONE"


SELECTS = (CustomFieldType.SINGLE_SELECT, CustomFieldType.MULTI_SELECT)
RANGED = (CustomFieldType.NUMBER, CustomFieldType.DECIMAL)


@dataclass(frozen=True)
class Definition:
    """A custom field as the rules need it."""

    name: str
    type: CustomFieldType
    group: str = DEFAULT_GROUP
    required: bool = False
    options: tuple[str, ...] = ()
    max_length: int | None = None
    minimum: str | None = None  # a decimal, for NUMBER and DECIMAL
    maximum: str | None = None

    def clean(self, value: Any) -> Any:
        """The value as stored (JSON), or INVALID / REQUIRED at customFields.<name>."""
        field = f"{VALUES}.{self.name}"
        if value is None or value == "" or value == []:
            if self.required:
                raise DomainError.one(field, ErrorCode.REQUIRED, f"{self.name} is required.")
            return None
        try:
            return _CLEAN[self.type](self, value, field)
        except (TypeError, ValueError):
            raise DomainError.one(field, ErrorCode.INVALID,
                                  f"{self.name} holds a {self.type.value.lower()}.") from None

    def misfit(self, value: Any) -> str | None:
        """Why a stored value no longer fits this definition, or None when it does."""
        try:
            self.clean(value)
        except DomainError as exc:
            return exc.problems[0].message
        return None


def definition_of(fields: dict[str, Any]) -> Definition:
    """A definition from its fields by their API names (name, type, group, maxLength...)."""
    return Definition(name=fields["name"], type=CustomFieldType(fields["type"]),
                      group=fields["group"], required=fields["required"],
                      options=tuple(fields["options"] or ()), max_length=fields["maxLength"],
                      minimum=fields["minimum"], maximum=fields["maximum"])


def _text(d: Definition, value, field: str) -> str:
    if not isinstance(value, str):
        raise TypeError
    return clean_text(value, field, required=True, limit=d.max_length or MAX_LONG_TEXT)


def _number(d: Definition, value, field: str) -> int | float | Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal) \
            or not math.isfinite(value):
        raise TypeError
    _within(d, parse_decimal(str(value), field), field)
    return value


def _decimal(d: Definition, value, field: str) -> Decimal:
    """Stored as an exact JSON number (PostgreSQL keeps JSON numbers as numeric), so that
    it compares and sorts as a number; shown as a string, as every decimal of the API is."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise TypeError
    number = parse_decimal(str(value), field)
    _within(d, number, field)
    return Decimal(format(number.normalize(), "f"))  # one spelling per number: 12.50 is 12.5


def _within(d: Definition, number, field: str) -> None:
    low = parse_decimal(d.minimum) if d.minimum is not None else None
    high = parse_decimal(d.maximum) if d.maximum is not None else None
    if (low is not None and number < low) or (high is not None and number > high):
        raise DomainError.one(field, ErrorCode.INVALID,
                              f"{d.name} lies between {d.minimum or '-∞'} and {d.maximum or '∞'}.")


def _boolean(d: Definition, value, field: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError
    return value


def _date(d: Definition, value, field: str) -> str:
    return parse_date(value, field).isoformat()


def _single(d: Definition, value, field: str) -> str:
    if value not in d.options:
        raise DomainError.one(field, ErrorCode.INVALID,
                              f"{d.name} is one of {', '.join(d.options)}.")
    return value


def _multi(d: Definition, value, field: str) -> list[str]:
    if not isinstance(value, list) or len(set(value)) != len(value):
        raise TypeError
    for item in value:
        _single(d, item, field)
    return [o for o in d.options if o in value]  # in the definition's order


def _url(d: Definition, value, field: str) -> str:
    parts = urlsplit(value.strip()) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname \
            or len(value) > MAX_URL:
        raise DomainError.one(field, ErrorCode.INVALID, f"{d.name} is an http(s) address.")
    return value.strip()


_CLEAN = {
    CustomFieldType.TEXT: _text, CustomFieldType.NUMBER: _number,
    CustomFieldType.DECIMAL: _decimal, CustomFieldType.DATE: _date,
    CustomFieldType.BOOLEAN: _boolean, CustomFieldType.SINGLE_SELECT: _single,
    CustomFieldType.MULTI_SELECT: _multi, CustomFieldType.URL: _url,
    CustomFieldType.EMAIL: lambda d, v, f: normalize_email(v, f),
    CustomFieldType.PHONE: lambda d, v, f: normalize_phone(v, f),
}


def validate_definition(values: dict, *, creating: bool, stored: dict | None = None) -> dict:
    """A definition's name (camelCase, fixed once created), label, type, options, validation,
    and whether it is required; its group is checked against the policy by the use case."""
    problems, clean = Problems(), {}
    merged = {**(stored or {}), **values}
    if creating:
        problems.check(values, clean, "name", _name)
        problems.check(values, clean, "kind", lambda v: v)
    elif "name" in values or "kind" in values:
        problems.add("name", ErrorCode.INVALID,
                     "A custom field keeps its name and kind: its values are stored under them.")
    problems.check(values, clean, "label", lambda v: clean_text(v, "label", required=True))
    problems.check(values, clean, "type", _type)
    problems.check(values, clean, "required", lambda v: bool(v))
    problems.check(values, clean, "group", lambda v: clean_text(v, "group") or DEFAULT_GROUP)
    problems.check(values, clean, "options", _options)
    problems.check(values, clean, "maxLength", _max_length)
    for bound in ("minimum", "maximum"):
        problems.check(values, clean, bound,
                       lambda v, b=bound: None if v is None else str(parse_decimal(v, b)))
    if creating:
        problems.require(clean, "name", "kind", "label", "type")
        clean.setdefault("group", DEFAULT_GROUP)
        clean.setdefault("required", False)
    kind = {**merged, **clean}.get("type")
    if kind in {s.value for s in SELECTS} and not {**merged, **clean}.get("options"):
        problems.add("options", ErrorCode.REQUIRED, "A select needs its options.")
    problems.raise_if_any()
    return clean


def _type(value) -> str:
    if value is None:
        raise DomainError.one("type", ErrorCode.REQUIRED, "A custom field has a type.")
    return CustomFieldType(value).value


def _name(value: str) -> str:
    if not isinstance(value, str) or not NAME.match(value):
        raise DomainError.one("name", ErrorCode.INVALID, "A name is camelCase: a letter, then "
                              "letters and digits, at most 40.")
    return value


def _options(value: list[str] | None) -> list[str]:
    options = [clean_text(o, "options", required=True, limit=100) for o in value or []]
    if len(options) > MAX_OPTIONS or len(set(options)) != len(options):
        raise DomainError.one("options", ErrorCode.INVALID,
                              f"At most {MAX_OPTIONS} options, each once.")
    return options


def _max_length(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= MAX_LONG_TEXT:
        raise DomainError.one("maxLength", ErrorCode.INVALID,
                              f"maxLength lies between 1 and {MAX_LONG_TEXT}.")
    return value


def clean_values(definitions: dict[str, tuple[Definition, bool]], given: dict[str, Any],
                 stored: dict[str, Any], *, creating: bool = False) -> dict[str, Any]:
    """The record's custom values after `given` (name -> value; null clears), every problem
    reported at customFields.<name> at once. `definitions` are those the caller reads, each
    with whether it writes the field's group: any other field does not exist for it
    (NOT_FOUND), and one it reads but may not write is FORBIDDEN. A new record (`creating`)
    needs every required field the caller writes; one it may not write it cannot give, so
    its absence stops nothing. Stored values of other fields stay as they are, whether or
    not they still fit."""
    problems, merged = Problems(), dict(stored)
    for name, value in given.items():
        definition, writable = definitions.get(name, (None, False))
        if definition is None:
            problems.add(f"{VALUES}.{name}", ErrorCode.NOT_FOUND,
                         f"No custom field {name} on this kind of record.")
            continue
        if not writable:
            problems.add(f"{VALUES}.{name}", ErrorCode.FORBIDDEN, f"You may not set {name}.")
            continue
        try:
            cleaned = definition.clean(value)
        except DomainError as exc:
            problems.absorb(exc)
            continue
        if cleaned is None:
            merged.pop(name, None)
        else:
            merged[name] = cleaned
    if creating:
        for name, (definition, writable) in definitions.items():
            if definition.required and writable and name not in given:
                problems.add(f"{VALUES}.{name}", ErrorCode.REQUIRED, f"{name} is required.")
    problems.raise_if_any()
    return merged


@dataclass(frozen=True)
class CheckedValues:
    """A record's custom values before and after a change that clean_values allowed. The
    use case writes them by its own right, since each value's own group was checked, and
    audits only the values that changed: {customFields: ({name: before}, {name: after})}."""

    stored: dict[str, Any]
    merged: dict[str, Any]

    def changes(self) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
        """The audit entry's part; empty when no value changed."""
        changed = sorted(n for n in {*self.merged, *self.stored}
                         if self.merged.get(n) != self.stored.get(n))
        if not changed:
            return {}
        return {VALUES: ({n: self.stored.get(n) for n in changed},
                         {n: self.merged.get(n) for n in changed})}
