"""Domain names a person can trust at a glance: no label that mixes scripts or passes for Latin.

Each label of a domain is read in Unicode (an `xn--` label is decoded from punycode; one that
does not decode is refused). Digits, hyphens and combining marks belong to every script. A
label is refused when

- its letters come from more than one script, except the mixes one writing system uses (Han
  with Hiragana and Katakana, with Hangul, or with Bopomofo, each optionally with Latin: the
  "highly restrictive" level of Unicode TS #39), e.g. "pаypal" with a Cyrillic "а";
- or it is written in one script other than Latin and every letter of it looks like a Latin
  letter or digit (a whole-script confusable), e.g. Cyrillic "аррӏе" for "apple" - unless the
  top-level label is in that same script ("рус.рф"), where no Latin name can be meant.

So "пример.рф", "яндекс.com", "münchen.de" and "東京タワー.jp" are accepted.
"""

from __future__ import annotations

import string

import idna
from confusable_homoglyphs import categories, confusables

from domain.errors import DomainError, ErrorCode

NEUTRAL = frozenset({"COMMON", "INHERITED"})
LATIN = "LATIN"
# Scripts that one writing system mixes within a word (Unicode TS #39, section 5.2).
JOINT_SCRIPTS = (frozenset({LATIN, "HAN", "HIRAGANA", "KATAKANA"}),
                 frozenset({LATIN, "HAN", "HANGUL"}),
                 frozenset({LATIN, "HAN", "BOPOMOFO"}))
_LATIN_LOOKS = frozenset(string.ascii_lowercase + string.digits)


def _unicode(label: str) -> str:
    """The label as people read it; IDNAError for a broken punycode label."""
    return idna.decode(label) if label.lower().startswith("xn--") else label.lower()


def _scripts(label: str) -> frozenset[str]:
    return frozenset(categories.alias(c) for c in label) - NEUTRAL


def _looks_latin(char: str) -> bool:
    """Whether a letter has a basic Latin letter or digit among its look-alikes (Unicode's
    confusables), as Cyrillic "а", "р" and "е" have "a", "p" and "e"."""
    found = confusables.is_confusable(char, preferred_aliases=[LATIN]) or []
    return any(h["c"] in _LATIN_LOOKS for f in found for h in f["homoglyphs"])


def _problem(label: str, top_scripts: frozenset[str]) -> str | None:
    """Why a label cannot be trusted, or None."""
    if label.isascii():
        return None  # Latin letters, digits and hyphens only
    scripts = _scripts(label)
    if len(scripts) > 1 and not any(scripts <= joint for joint in JOINT_SCRIPTS):
        names = " and ".join(sorted(s.title() for s in scripts))
        return f"its label {label!r} mixes scripts ({names})"
    if len(scripts) == 1 and LATIN not in scripts and top_scripts != scripts and all(
            _looks_latin(c) for c in label if categories.alias(c) not in NEUTRAL):
        return (f"its label {label!r} is written in {next(iter(scripts)).title()} letters that "
                f"all look like Latin ones")
    return None


def check_hostname(hostname: str, field: str) -> None:
    """Refuse a domain name with a label that mixes scripts or passes for a Latin one."""
    if hostname.isascii() and "xn--" not in hostname.lower():
        return  # Latin letters, digits and hyphens only: nothing to mix or mistake
    try:
        labels = [_unicode(label) for label in hostname.rstrip(".").split(".")]
    except idna.IDNAError:
        raise DomainError.one(field, ErrorCode.INVALID,
                              f"{hostname!r} has a label that is not valid punycode.") from None
    top_scripts = _scripts(labels[-1])
    for label in labels:
        problem = _problem(label, top_scripts)
        if problem:
            raise DomainError.one(field, ErrorCode.INVALID,
                                  f"The domain {hostname!r} is refused: {problem}.")
