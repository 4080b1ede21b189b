"""Tags: labels a team puts on its records (`VIP`, `Renewal risk`), one vocabulary per kind."""

from __future__ import annotations

import re
from enum import StrEnum

from domain.errors import DomainError, ErrorCode, Problems
from domain.values import clean_text

NAME_LIMIT = 50
DEFAULT_COLOUR = "#9E9E9E"  # a neutral grey until someone picks one
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class TaggableKind(StrEnum):
    """The kinds of record that carry tags; each kind has its own tags."""

    CONTACT = "Contact"
    ACCOUNT = "Account"
    OPPORTUNITY = "Opportunity"
    LEAD = "Lead"
    CASE = "Case"


def validate_tag(values: dict, *, creating: bool, stored: dict | None = None) -> dict:
    """A name and a kind to create; a colour `#RRGGBB`, grey unless given. The kind never
    changes: the records carrying the tag are of that kind."""
    problems, clean = Problems(), {}
    problems.check(values, clean, "name",
                   lambda v: clean_text(v, "name", required=True, limit=NAME_LIMIT))
    problems.check(values, clean, "colour", _colour)
    if creating:
        problems.check(values, clean, "kind", lambda v: TaggableKind(v).value if v else None)
        problems.require(clean, "name", "kind")
        clean.setdefault("colour", DEFAULT_COLOUR)
    elif "kind" in values:
        problems.add("kind", ErrorCode.INVALID, "A tag's kind cannot change: create a new tag.")
    problems.raise_if_any()
    return clean


def _colour(value: str | None) -> str:
    if value is None or not COLOUR.match(value):
        raise DomainError.one("colour", ErrorCode.INVALID, "A colour is written #RRGGBB.")
    return value.upper()
