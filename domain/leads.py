"""Leads: people and companies not yet qualified, where they came from, and who works them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.accounts import AccountSize
from domain.errors import DomainError, ErrorCode, Problems
from domain.values import clean_text, normalize_country, normalize_email, normalize_phone, normalize_website

DUPLICATE_WINDOW_HOURS = 24  # a second capture of the same email within it adds to the lead


class LeadSource(StrEnum):
    """Where a lead came from."""

    WEB_FORM = "WEB_FORM"
    IMPORT = "IMPORT"
    EVENT = "EVENT"
    REFERRAL = "REFERRAL"
    PARTNER = "PARTNER"
    CAMPAIGN = "CAMPAIGN"


class LeadStatus(StrEnum):
    """How far a lead has come; CONVERTED is reached only by converting it."""

    NEW = "NEW"
    WORKING = "WORKING"
    QUALIFIED = "QUALIFIED"
    DISQUALIFIED = "DISQUALIFIED"
    CONVERTED = "CONVERTED"


REFERENCES = {"owner": "User", "territory": "Territory"}


@dataclass(frozen=True, slots=True)
class LeadLifecycle:
    """A lead's status. People move it among NEW, WORKING, QUALIFIED and DISQUALIFIED; only
    converting makes it CONVERTED, and a converted lead no longer changes."""

    status: LeadStatus

    @classmethod
    def of(cls, values: Mapping) -> LeadLifecycle:
        """A stored lead's lifecycle; NEW when the values hold no status."""
        return cls(LeadStatus(values.get("status") or LeadStatus.NEW))

    @staticmethod
    def settable(value) -> str:
        """A status a person may set: any but CONVERTED, which leadConvert sets."""
        if value is None:
            raise DomainError.one("status", ErrorCode.REQUIRED, "status cannot be empty.")
        if LeadStatus(value) is LeadStatus.CONVERTED:
            raise DomainError.one("status", ErrorCode.INVALID,
                                  "A lead is converted by leadConvert.")
        return LeadStatus(value).value

    def check_changeable(self) -> None:
        if self.status is LeadStatus.CONVERTED:
            raise DomainError.one("id", ErrorCode.CONFLICT, "A converted lead no longer changes.")

    def check_convertible(self) -> None:
        if self.status is LeadStatus.CONVERTED:
            raise DomainError.one("id", ErrorCode.CONFLICT, "This lead is already converted.")
        if self.status is LeadStatus.DISQUALIFIED:
            raise DomainError.one("id", ErrorCode.INVALID, "A disqualified lead is not converted.")

    def convert(self, now: datetime, contact: uuid.UUID, account: uuid.UUID,
                opportunity: uuid.UUID | None) -> dict:
        """The fields converting writes: CONVERTED, when, and what the lead became."""
        self.check_convertible()
        return {"status": LeadStatus.CONVERTED.value, "convertedAt": now,
                "convertedContact": contact, "convertedAccount": account,
                "convertedOpportunity": opportunity}


@dataclass(frozen=True, slots=True)
class AssignmentRule:
    """Leads that match every given condition go to the territory; empty conditions match all."""

    territory_id: object
    country: str | None = None
    industry: str | None = None
    size: str | None = None

    def matches(self, lead: dict) -> bool:
        return all(want is None or (lead.get(field) or "").casefold() == want.casefold()
                   for field, want in (("country", self.country), ("industry", self.industry),
                                       ("size", self.size)))


def territory_for(rules: list[AssignmentRule], lead: dict):
    """The territory of the first rule, in order, that the lead matches; None when none does."""
    return next((rule.territory_id for rule in rules if rule.matches(lead)), None)


def round_robin_pick(users: list, turn: int):
    """The user whose turn it is: turns count from 1, users are in a fixed order."""
    return users[(turn - 1) % len(users)] if users else None


def _score(value) -> int:
    if value is None or not 0 <= value <= 100:
        raise DomainError.one("score", ErrorCode.INVALID, "score runs from 0 to 100.")
    return value


def validate_lead(values: dict, *, creating: bool, capture: bool = False) -> dict:
    """Check and normalise lead fields; every problem is reported at once."""
    problems = Problems()
    clean: dict = {}

    def attempt(field: str, fn) -> None:
        problems.check(values, clean, field, fn)

    for field in ("firstName", "lastName", "title", "company", "industry", "campaign"):
        attempt(field, lambda v, f=field: clean_text(v, f, limit=200))
    attempt("email", lambda v: normalize_email(v, "email").lower() if v else None)
    attempt("country", lambda v: normalize_country(v, "country") if v else None)
    attempt("phone", lambda v: normalize_phone(v, "phone", clean.get("country")) if v else None)
    attempt("website", lambda v: normalize_website(v, "website") if v else None)
    attempt("size", lambda v: AccountSize(v).value if v is not None else None)
    attempt("source", lambda v: LeadSource(v).value if v is not None else None)
    attempt("status", LeadLifecycle.settable)
    attempt("score", _score)
    if creating or capture:
        if (not values.get("email") and not any(p.field == "email" for p in problems.items)
                and (capture or not values.get("phone"))):
            problems.add("email", ErrorCode.REQUIRED,
                             "A lead needs an email" + ("." if capture else " or a phone."))
        if not (values.get("lastName") or values.get("company")):
            problems.add("lastName", ErrorCode.REQUIRED, "A lead needs a lastName or a company.")
    for field in REFERENCES:
        if field in values:
            clean[field] = values[field]
    problems.raise_if_any()
    return clean


def validate_capture_form(values: dict, *, creating: bool) -> dict:
    problems, clean = Problems(), {}
    problems.check(values, clean, "name",
                   lambda v: clean_text(v, "name", required=True, limit=200))
    problems.check(values, clean, "source", lambda v: LeadSource(v or "WEB_FORM").value)
    problems.check(values, clean, "active", lambda v: bool(v))
    if creating:
        problems.require(values, "name")
    problems.raise_if_any()
    return clean


def validate_assignment_rule(values: dict, *, creating: bool) -> dict:
    problems, clean = Problems(), {}

    def position(v):
        if v is None or v < 0:
            raise DomainError.one("position", ErrorCode.INVALID, "position is 0 or more.")
        return v

    problems.check(values, clean, "position", position)
    problems.check(values, clean, "country",
                   lambda v: normalize_country(v, "country") if v else None)
    problems.check(values, clean, "industry", lambda v: clean_text(v, "industry", limit=200))
    problems.check(values, clean, "size", lambda v: AccountSize(v).value if v else None)
    if creating:
        problems.require(values, "position", "territory")
    if "territory" in values:
        if values["territory"] is None:
            problems.add("territory", ErrorCode.REQUIRED, "A rule needs a territory.")
        clean["territory"] = values["territory"]
    problems.raise_if_any()
    return clean
