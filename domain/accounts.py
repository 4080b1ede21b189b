"""Accounts: organisations, and the rules their fields obey."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import Problems
from domain.values import clean_text, normalize_website


class AccountSize(StrEnum):
    """Headcount band of an organisation."""

    SOLO = "SOLO"
    SMALL = "SMALL"
    MEDIUM = "MEDIUM"
    LARGE = "LARGE"
    ENTERPRISE = "ENTERPRISE"


REFERENCES = {"parent": "Account", "owner": "User", "territory": "Territory"}


def validate_account(values: dict, *, creating: bool) -> dict:
    """Check and normalise account fields; every problem is reported at once."""
    problems = Problems()
    clean: dict = {}

    def attempt(field: str, fn) -> None:
        problems.check(values, clean, field, fn)

    attempt("name", lambda v: clean_text(v, "name", required=True))
    if creating:
        problems.require(values, "name")
    attempt("legalName", lambda v: clean_text(v, "legalName"))
    attempt("externalId", lambda v: clean_text(v, "externalId"))
    attempt("industry", lambda v: clean_text(v, "industry", limit=100))
    attempt("size", lambda v: AccountSize(v).value if v is not None else None)
    attempt("website", lambda v: normalize_website(v, "website") if v else None)
    attempt("tier", lambda v: clean_text(v, "tier", limit=40))
    for field in ("parent", "owner", "territory"):
        if field in values:
            clean[field] = values[field]
    problems.raise_if_any()
    return clean
