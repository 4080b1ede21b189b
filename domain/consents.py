"""Consents: a contact's permission to be reached on a channel for a purpose."""

from __future__ import annotations

import re
from enum import StrEnum

from domain.errors import DomainError, ErrorCode, Problems
from domain.values import clean_text


class ConsentChannel(StrEnum):
    """How a contact may be reached."""

    EMAIL = "EMAIL"
    SMS = "SMS"
    PHONE = "PHONE"
    POST = "POST"
    PUSH = "PUSH"


class ConsentStatus(StrEnum):
    """The latest decision the contact made."""

    GRANTED = "GRANTED"
    WITHDRAWN = "WITHDRAWN"


PURPOSE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


def validate_consent(purpose: str, source: str) -> tuple[str, str]:
    """Purposes are short slugs such as `newsletter`; the source says where consent was given."""
    problems = Problems()
    clean_purpose = purpose.strip().lower()
    if not PURPOSE.match(clean_purpose):
        problems.add("purpose", ErrorCode.INVALID,
                     "purpose is a slug of 2-64 lower-case letters, digits and underscores.")
    try:
        clean_source = clean_text(source, "source", required=True)
    except DomainError as exc:
        problems.absorb(exc)
    problems.raise_if_any()
    return clean_purpose, clean_source
