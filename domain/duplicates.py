"""Duplicate scoring: how likely two contacts (or two accounts) are one person (or company).

The blocks (domain/match_keys.py) say which pairs to compare; this module compares them, with
rapidfuzz, and answers a score in 0..1 and the reasons behind it. Pure: the callers pass what
they loaded, and only what the reader may see, since a reason is itself information ("these
two share an email" tells something about an email one may not read).

Contacts are scored as log-odds, the way record linkage weighs evidence (Fellegi-Sunter):
each shared email, phone or company adds what it says for "the same person", and the names
add or subtract by how alike they are. So a shared phone with a different given name (a
family's landline, a switchboard) stays below the threshold, and a typo in a name with the
same email, or the same phone, or the same company, is above it. The weights were chosen by
hand on a planted set (tests/unit/test_duplicate_scoring.py builds one in memory; the
bench, bench/duplicates.py, plants one in seeded data): recall and precision of about 0.98
at DEFAULT_THRESHOLD.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from domain.match_keys import company_name_key, latin

DEFAULT_THRESHOLD = 0.8
# A pair below this is not worth showing at all, not even to a reviewer lowering minScore.
FLOOR = 0.5
# Company names that differ in a number (Branch 12, Branch 14) count as this much less alike.
DIFFERENT_NUMBERS = 0.6
# The name similarity from which a name counts as "similar" in the reasons.
SIMILAR_NAME = 0.85

# Log-odds of "the same person": a base rate, then each piece of evidence.
PRIOR = -4.0
NAME_PIVOT = 0.62  # names this alike are neither for nor against
NAME_FOR = 9.0  # per unit of name similarity above the pivot
NAME_AGAINST = 14.0  # below it: different names speak louder than alike ones
SAME_EMAIL = 5.0
SAME_PHONE = 3.6
SAME_COMPANY = 3.2
# A number shared within one company is its switchboard: the company then adds only this.
SAME_COMPANY_AND_PHONE = 1.0
# Both cards have emails and none in common: two people more often than one with two addresses.
OTHER_EMAILS = -1.5


class Reason(StrEnum):
    """Why two records may be duplicates."""

    SAME_EMAIL = "SAME_EMAIL"
    SAME_PHONE = "SAME_PHONE"
    SIMILAR_NAME = "SIMILAR_NAME"
    SAME_COMPANY = "SAME_COMPANY"
    SAME_DOMAIN = "SAME_DOMAIN"


@dataclass(frozen=True, slots=True)
class Person:
    """What the scoring may use of a contact: None for what the reader may not see.

    emails and phones hold keys (match_keys.email_key / phone_key); companies the ids of the
    accounts the contact is linked to."""

    first_name: str | None
    last_name: str | None
    emails: frozenset[str] | None = None
    phones: frozenset[str] | None = None
    companies: frozenset[object] | None = None
    names_visible: bool = True


@dataclass(frozen=True, slots=True)
class Company:
    """What the scoring may use of an account: its keys, or None for what is not visible."""

    name: str | None
    domain: str | None


@dataclass(frozen=True, slots=True)
class Match:
    """A score in 0..1 and its reasons, strongest first."""

    score: float
    reasons: tuple[Reason, ...] = field(default=())


@lru_cache(maxsize=65536)
def _plain(name: str | None) -> str:
    # Cached: a scan meets the same few thousand names in most of its pairs.
    return " ".join(latin(name or "").replace("-", " ").split())


def _similar(a: str, b: str) -> float:
    # Jaro-Winkler undervalues a swap in a short name (Lea, Lae): one edit counts there too.
    return max(JaroWinkler.normalized_similarity(a, b), OSA.normalized_similarity(a, b))


def name_similarity(a: Person, b: Person) -> float | None:
    """How alike two people's names are, 0..1; None when either has no visible family name.

    The family and given names are compared apart (Jaro-Winkler, made for typos in names)
    and multiplied, so that Jane Smith and John Smith are not alike; a missing given name
    counts as a near match, and first and last name swapped are recognised."""
    if not (a.names_visible and b.names_visible):
        return None
    a_last, b_last = _plain(a.last_name), _plain(b.last_name)
    if not a_last or not b_last:
        return None
    a_first, b_first = _plain(a.first_name), _plain(b.first_name)
    if a_first and b_first:
        given = _similar(a_first, b_first)
        swapped = _similar(a_first, b_last) * _similar(a_last, b_first)
    else:
        given, swapped = 0.9, 0.0
    return max(_similar(a_last, b_last) * given, swapped)


def _shared(a: Collection | None, b: Collection | None) -> bool:
    return bool(a and b and not set(a).isdisjoint(b))


def score_people(a: Person, b: Person) -> Match:
    """The likelihood that two contacts are one person, and why."""
    similarity = name_similarity(a, b)
    same_phone = _shared(a.phones, b.phones)
    evidence = [(Reason.SAME_EMAIL, SAME_EMAIL, _shared(a.emails, b.emails)),
                (Reason.SAME_PHONE, SAME_PHONE, same_phone),
                (Reason.SAME_COMPANY, SAME_COMPANY_AND_PHONE if same_phone else SAME_COMPANY,
                 _shared(a.companies, b.companies))]
    logit = PRIOR + sum(weight for _, weight, shared in evidence if shared)
    if a.emails and b.emails and not evidence[0][2]:
        logit += OTHER_EMAILS
    if similarity is not None:
        lean = similarity - NAME_PIVOT
        logit += (NAME_FOR if lean >= 0 else NAME_AGAINST) * lean
    reasons = [reason for reason, _, shared in evidence if shared]
    if similarity is not None and similarity >= SIMILAR_NAME:
        reasons.append(Reason.SIMILAR_NAME)
    return Match(round(1 / (1 + math.exp(-logit)), 4), tuple(reasons))


def _numbers(name: str | None) -> set[str]:
    return {word for word in (name or "").split() if word.isdigit()}


def score_companies(a: Company, b: Company) -> Match:
    """The likelihood that two accounts are one company: same domain, alike names."""
    a_name, b_name = company_name_key(a.name), company_name_key(b.name)
    similarity = fuzz.token_sort_ratio(a_name, b_name) / 100 if a_name and b_name else 0.0
    if _numbers(a_name) != _numbers(b_name):
        similarity *= DIFFERENT_NUMBERS  # Branch 12 and Branch 14 are two branches
    same_domain = bool(a.domain and a.domain == b.domain)
    score = 0.6 + 0.4 * similarity if same_domain else 0.9 * similarity ** 2
    reasons = ([Reason.SAME_DOMAIN] if same_domain else []) + (
        [Reason.SIMILAR_NAME] if similarity >= SIMILAR_NAME else [])
    return Match(round(score, 4), tuple(reasons))
