"""What every kind of row shares when it is normalised: its errors, the options, the mapping
compiled to column positions, and reading a row's cells with every problem noted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from domain.errors import DomainError, ErrorCode
from domain.imports.cells import CellError, country_code, tag_names
from domain.imports.mapping import CONSENT, CUSTOM, Mapping

if TYPE_CHECKING:
    from domain.imports.survey_responses import SurveyQuestions

MAX_TEXT = 200
UNDECODED = "\ufffd"  # what reading makes of a byte the file's encoding has no character for
T = TypeVar("T")


# The codes of a RowError this library gives (the pipeline may add its own, e.g. a custom
# field's), each explained in RowError's docstring.
ROW_ERROR_CODES = ("REQUIRED", "INVALID", "UNKNOWN_COUNTRY", "TOO_LONG", "EXTRA_CELLS",
                   "ENCODING")


@dataclass(frozen=True, slots=True)
class RowError:
    """One thing wrong with a row. Codes: REQUIRED (a value the row must have is missing),
    INVALID (not a value of the column's field: an email, a phone number, a website, a yes or
    no, a stage, a score), UNKNOWN_COUNTRY, TOO_LONG, EXTRA_CELLS (more cells than headers,
    usually a delimiter inside an unquoted value), ENCODING (bytes the file's encoding cannot
    decode)."""

    line: int
    column: str | None  # the header, as in the file
    value: str | None  # the cell's text
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Options:
    """How to read a file's rows; default_region (ISO alpha-2, e.g. "DE") is the country of a
    phone number without a + on a row without a country; `survey` is what a file of survey
    responses answers."""

    default_region: str | None = None
    survey: SurveyQuestions | None = None

    def __post_init__(self) -> None:
        """A default region given as "de" or "Germany" becomes "DE"; an unknown one is INVALID
        on defaultRegion, before any row is read."""
        if self.default_region is not None:
            try:
                code = country_code(self.default_region)
            except CellError as exc:
                raise DomainError.one("defaultRegion", ErrorCode.INVALID, exc.message) from None
            object.__setattr__(self, "default_region", code)


@dataclass(frozen=True, slots=True)
class Plan:
    """A mapping as column positions: single targets, and the columns of repeatable ones."""

    single: dict[str, tuple[int, str]]
    custom: tuple[tuple[int, str, str], ...]  # (position, header, field name)
    consents: tuple[tuple[int, str, str, str], ...]  # (position, header, channel, purpose)
    tags: tuple[tuple[int, str], ...]
    decoded: tuple[tuple[int, str], ...]  # (position, header) of every mapped column
    width: int
    positions: dict[str, int]  # header -> position, to give a row's errors in the file's order
    groups: frozenset[str]  # the GROUPS some column fills; a row skips the others at no cost


GROUPS = {"address": {"street", "city", "region", "postalCode", "country"},
          "company": {"company", "companyWebsite", "companyExternalId"},
          "emails": {"email", "email2"}, "phones": {"phone", "phone2", "mobile"}}
_plans: dict[int, tuple[Mapping, Plan]] = {}


def plan_of(mapping: Mapping) -> Plan:
    """The compiled mapping; kept while the mapping is in use, since every row of a file has
    the same one."""
    known = _plans.get(id(mapping))
    if known is not None and known[0] is mapping:
        return known[1]
    single, custom, consents, tags = {}, [], [], []
    for position, (header, target) in enumerate(mapping.columns.items()):
        if target.startswith(CUSTOM):
            custom.append((position, header, target[len(CUSTOM):]))
        elif target.startswith(CONSENT):
            channel, _, purpose = target[len(CONSENT):].partition(":")
            consents.append((position, header, channel, purpose))
        elif target == "tags":
            tags.append((position, header))
        elif target != "ignore":
            single[target] = (position, header)
    mapped = tuple((position, header) for position, (header, target)
                   in enumerate(mapping.columns.items()) if target != "ignore")
    plan = Plan(single, tuple(custom), tuple(consents), tuple(tags), mapped, len(mapping.columns),
                {header: position for position, header in enumerate(mapping.columns)},
                frozenset(group for group, targets in GROUPS.items() if targets & single.keys()))
    if len(_plans) > 32:
        _plans.clear()
    _plans[id(mapping)] = (mapping, plan)
    return plan


class RowReader:
    """One row's cells by target, noting each bad cell as a RowError."""

    __slots__ = ("line", "cells", "plan", "errors")

    def __init__(self, line: int, cells: list[str], plan: Plan) -> None:
        self.line = line
        self.cells = cells
        self.plan = plan
        self.errors: list[RowError] = []
        for position, header in plan.decoded:
            if UNDECODED in cells[position]:
                self.error(header, cells[position], "ENCODING", f"{header} holds bytes that are "
                           "not in the file's encoding: save the file as UTF-8.")
        if len(cells) > plan.width:
            extra = [c for c in cells[plan.width:] if c.strip()]
            if extra:
                self.error(None, extra[0], "EXTRA_CELLS", f"The row has {len(cells)} cells, "
                           f"the header {plan.width}: quote a value that holds the delimiter.")

    def sorted_errors(self) -> list[RowError]:
        """The row's errors, left to right as its columns; none when the row is valid."""
        if len(self.errors) > 1:
            self.errors.sort(key=lambda e: self.plan.positions.get(e.column, -1))
        return self.errors

    def error(self, header: str | None, value: str | None, code: str, message: str) -> None:
        self.errors.append(RowError(self.line, header, value, code, message))

    def raw(self, target: str) -> tuple[str | None, str | None]:
        """(trimmed text or None when blank, header) of the column mapped to `target`."""
        column = self.plan.single.get(target)
        if column is None:
            return None, None
        value = self.cells[column[0]].strip()
        return (value or None), column[1]

    def text(self, target: str, limit: int = MAX_TEXT) -> str | None:
        value, header = self.raw(target)
        if value is not None and len(value) > limit:
            self.error(header, value, "TOO_LONG", f"{header} is longer than {limit} characters.")
            return None
        return value

    def parsed(self, target: str, parse: Callable[[str], T]) -> T | None:
        """`parse` of the cell, or None when it is blank or wrong (the error noted)."""
        value, header = self.raw(target)
        if value is None:
            return None
        return self.checked(header, value, parse)

    def checked(self, header: str | None, value: str, parse: Callable[[str], T]) -> T | None:
        try:
            return parse(value)
        except CellError as exc:
            self.error(header, value, exc.code, exc.message)
        except DomainError as exc:
            problem = exc.problems[0]
            self.error(header, value, problem.code.value, problem.message)
        return None

    def address(self) -> dict | None:
        """{"street", "city", "region", "postalCode", "country"} or None when all are blank."""
        address = {"street": self.text("street"), "city": self.text("city"),
                   "region": self.text("region"), "postalCode": self.text("postalCode", 20),
                   "country": self.parsed("country", country_code)}
        return address if any(address.values()) else None

    def custom(self) -> dict[str, str]:
        cells = self.cells
        return {name: cells[p].strip() for p, _, name in self.plan.custom if cells[p].strip()}

    def tags(self) -> list[str]:
        names: dict[str, str] = {}
        for position, header in self.plan.tags:
            value = self.cells[position].strip()
            for name in (self.checked(header, value, tag_names) or []) if value else ():
                names.setdefault(name.casefold(), name)
        return list(names.values())
