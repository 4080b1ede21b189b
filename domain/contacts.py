"""Contacts: people, and the rules their fields obey."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import DomainError, ErrorCode, Problems
from domain.values import (
    address_from_input,
    clean_text,
    emails_from_input,
    phones_from_input,
)


class LifecycleStage(StrEnum):
    """Where a person stands in their relationship with the company."""

    SUBSCRIBER = "SUBSCRIBER"
    LEAD = "LEAD"
    PROSPECT = "PROSPECT"
    CUSTOMER = "CUSTOMER"
    CHURNED = "CHURNED"


REFERENCES = {"owner": "User", "territory": "Territory"}


def validate_contact(values: dict, *, creating: bool, stored_country: str | None = None) -> dict:
    """Check and normalise contact fields; every problem is reported at once.

    `values` holds only the fields being set. Emails arrive as lists of
    (address, primary, label), phones of (number, primary, label, extension); the result
    holds them as JSON-ready dicts, primary first.
    """
    problems = Problems()
    clean: dict = {}

    def attempt(field: str, fn) -> None:
        problems.check(values, clean, field, fn)

    attempt("firstName", lambda v: clean_text(v, "firstName"))
    attempt("lastName", lambda v: clean_text(v, "lastName", required=True))
    attempt("externalId", lambda v: clean_text(v, "externalId"))
    if creating:
        problems.require(values, "lastName")
    attempt("address", lambda v: address_from_input(**v).as_json() if v is not None else None)
    region = (clean.get("address") or {}).get("country") or stored_country
    attempt("emails", lambda v: [e.as_json() for e in emails_from_input(v or [])])
    attempt("phones", lambda v: [p.as_json() for p in phones_from_input(v or [], region)])
    attempt("lifecycleStage", lambda v: _required_enum(v, LifecycleStage, "lifecycleStage"))
    attempt("leadScore", _lead_score)
    for field in ("owner", "territory"):
        if field in values:
            clean[field] = values[field]
    problems.raise_if_any()
    return clean


def _required_enum(value, enum, field):
    if value is None:
        raise DomainError.one(field, ErrorCode.REQUIRED, f"{field} cannot be empty.")
    return enum(value).value


def _lead_score(value) -> int:
    if value is None:
        raise DomainError.one("leadScore", ErrorCode.REQUIRED, "leadScore cannot be empty.")
    if not 0 <= value <= 100:
        raise DomainError.one("leadScore", ErrorCode.INVALID, "leadScore runs from 0 to 100.")
    return value
