"""Which field each column of an import file fills: guessed from the headers (in English, German
and Russian, ignoring case, spaces and punctuation), or given explicitly as JSON.

Some targets belong to one file's context rather than to its record: a survey's questions are
answered in `answer:<key>` columns. They come in as `extra`, {header word: target}, which
both guesses from and accepts as targets."""

from __future__ import annotations

import re
from collections.abc import Collection
from collections.abc import Mapping as Words
from dataclasses import dataclass

from domain.consents import PURPOSE, ConsentChannel
from domain.errors import DomainError, ErrorCode, Problems
from domain.imports.synonyms import ACCOUNT_WORDS, CONTACT_WORDS, SURVEY_RESPONSE_WORDS

CONTACT_TARGETS = frozenset({
    "externalId", "firstName", "lastName", "fullName", "email", "email2", "phone", "phone2",
    "mobile", "street", "city", "region", "postalCode", "country", "lifecycleStage",
    "leadScore", "company", "companyWebsite", "companyExternalId", "jobTitle",
    "isDecisionMaker", "tags", "ignore",
})
ACCOUNT_TARGETS = frozenset({
    "externalId", "name", "legalName", "website", "industry", "size", "tier", "street", "city",
    "region", "postalCode", "country", "tags", "ignore",
})
# Who answered (one of email, externalId and contact, the contact's id), when, and about what;
# the answers themselves are the survey's own targets (extra).
SURVEY_RESPONSE_TARGETS = frozenset({
    "email", "externalId", "contact", "comment", "respondedAt", "case", "order", "product",
    "ignore",
})
TARGETS = {"contact": CONTACT_TARGETS, "account": ACCOUNT_TARGETS,
           "surveyResponse": SURVEY_RESPONSE_TARGETS}
# Targets that a second column of the same kind spills over into.
SECOND = {"email": "email2", "phone": "phone2"}
# Targets more than one column may fill: their values are collected, not overwritten.
REPEATABLE = frozenset({"ignore", "tags"})
CUSTOM = "custom:"
CONSENT = "consent:"
_NOT_WORD = re.compile(r"[\W_]+")
_NUMBERED = re.compile(r"^(.*?)(\d+)$")
_CONSENT_HEADER = re.compile(r"^consent[\s:_-]+([a-z]+)[\s:_-]+([a-z0-9_]+)$", re.IGNORECASE)


def header_key(header: str) -> str:
    """The header as compared with the synonyms: case-folded, without spaces or punctuation."""
    return _NOT_WORD.sub("", header.casefold()).replace("ё", "е")


SYNONYMS = {record: {header_key(word): target for target, words in table.items() for word in words}
            for record, table in (("contact", CONTACT_WORDS), ("account", ACCOUNT_WORDS),
                                  ("surveyResponse", SURVEY_RESPONSE_WORDS))}


@dataclass(frozen=True, slots=True)
class Mapping:
    """Header -> target for every column of the file, in the file's order ("ignore" for a
    column no field takes); `record` is "contact", "account" or "surveyResponse"."""

    columns: dict[str, str]
    record: str = "contact"


def guess_mapping(headers: list[str], custom_fields: Collection[str] = (),
                  record: str = "contact", extra: Words[str, str] | None = None) -> Mapping:
    """The likeliest target of each header; a header nothing matches is ignored, and so is a
    second column for a target already taken (but a second email or phone fills email2 or
    phone2). `extra` words name the file's own targets, before the record's."""
    synonyms = SYNONYMS[record] | {header_key(w): t for w, t in (extra or {}).items()}
    custom = {header_key(name): name for name in custom_fields}
    taken: set[str] = set()
    columns: dict[str, str] = {}
    for header in headers:
        target = _guess(header, synonyms, custom, record, set((extra or {}).values()))
        if target in taken and target not in REPEATABLE:
            target = SECOND.get(target, "ignore")
            if target in taken:
                target = "ignore"
        taken.add(target)
        columns[header] = target
    return Mapping(columns, record)


def _guess(header: str, synonyms: dict[str, str], custom: dict[str, str], record: str,
           extra_targets: Collection[str]) -> str:
    explicit = _explicit_target(header.strip(), custom.values(), record, extra_targets)
    if explicit:
        return explicit
    key = header_key(header)
    if key in custom:
        return CUSTOM + custom[key]
    if key in synonyms:
        return synonyms[key]
    numbered = _NUMBERED.match(key)
    if numbered and numbered.group(1) in synonyms:
        base = synonyms[numbered.group(1)]
        if numbered.group(2) == "1":
            return base
        if numbered.group(2) == "2" and base in SECOND:
            return SECOND[base]
    return "ignore"


def _explicit_target(header: str, custom_fields: Collection[str], record: str,
                     extra_targets: Collection[str]) -> str | None:
    """A header that names its target itself: "custom:industryCode", "consent:EMAIL:newsletter",
    one of the file's own targets ("answer:reliability_p")."""
    if header.lower().startswith(CUSTOM) and header[len(CUSTOM):] in custom_fields:
        return header
    if header in extra_targets:
        return header
    consent = _CONSENT_HEADER.match(header) if record == "contact" else None
    if consent and consent.group(1).upper() in ConsentChannel.__members__:
        purpose = consent.group(2).lower()
        if PURPOSE.match(purpose):
            return f"{CONSENT}{consent.group(1).upper()}:{purpose}"
    return None


def mapping_from_json(data: dict, headers: list[str], custom_fields: Collection[str] = (),
                      record: str = "contact", extra: Words[str, str] | None = None) -> Mapping:
    """An explicit mapping, {header: target} (or {"columns": {header: target}}); a header it
    does not name is ignored. DomainError names every unknown header and bad target; the
    targets of `extra` are targets too."""
    extra_targets = set((extra or {}).values())
    given = data.get("columns", data) if isinstance(data, dict) else None
    problems = Problems()
    if not isinstance(given, dict):
        raise DomainError.one("mapping", ErrorCode.INVALID,
                              'A mapping is a JSON object of "header": "target".')
    taken: dict[str, str] = {}
    chosen: dict[str, str] = {}
    for named, target in given.items():
        header = _column(named, headers)
        if header is None:
            problems.add(named, ErrorCode.NOT_FOUND, f"The file has no column {named!r}.")
            continue
        chosen[header] = target
        problem = target_problem(target, custom_fields, record, extra_targets)
        if problem:
            problems.add(header, ErrorCode.INVALID, problem)
        elif target in taken and target not in REPEATABLE:
            problems.add(header, ErrorCode.INVALID,
                         f"{taken[target]!r} and {header!r} both map to {target}.")
        taken.setdefault(target, header)
    if record == "contact" and not {"lastName", "fullName"} & set(taken):
        problems.add("mapping", ErrorCode.REQUIRED, "Map a column to lastName or fullName.")
    if record == "account" and "name" not in taken:
        problems.add("mapping", ErrorCode.REQUIRED, "Map a column to name.")
    problems.raise_if_any()
    return Mapping({header: chosen.get(header, "ignore") for header in headers}, record)


def _column(named: str, headers: list[str]) -> str | None:
    """The header `named` names: itself, or the one header that reads the same but for case,
    spaces and punctuation ("email" for "E-Mail")."""
    if named in headers:
        return named
    key = header_key(named)
    alike = [header for header in headers if header_key(header) == key]
    return alike[0] if len(alike) == 1 else None


def target_problem(target, custom_fields: Collection[str], record: str = "contact",
                   extra_targets: Collection[str] = ()) -> str | None:
    """Why `target` is no target for a `record` column, or None when it is one."""
    if not isinstance(target, str):
        return "A target is a string."
    if target in TARGETS[record] or target in extra_targets:
        return None
    if target.startswith(CUSTOM):
        name = target[len(CUSTOM):]
        return None if name in custom_fields else f"No custom field {name!r} on a {record}."
    if target.startswith(CONSENT) and record == "contact":
        channel, _, purpose = target[len(CONSENT):].partition(":")
        if channel not in ConsentChannel.__members__:
            return f"No consent channel {channel!r}: one of {', '.join(ConsentChannel)}."
        if not PURPOSE.match(purpose):
            return "A consent purpose is a slug of 2-64 lower-case letters, digits and underscores."
        return None
    known = sorted(TARGETS[record] | set(extra_targets))
    if record == "surveyResponse":
        return f"Unknown target {target!r}: one of {', '.join(known)}."
    return (f"Unknown target {target!r}: one of {', '.join(known)}, "
            "custom:<name>" + (", consent:<CHANNEL>:<purpose>." if record == "contact" else "."))
