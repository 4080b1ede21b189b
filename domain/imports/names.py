"""People's names as written in import files: trimmed, their case fixed only when the whole
name is in one case ("JOHN SMITH", "john smith"), and a full name split into first and last."""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s+")
# Where a new capital starts within a name: after a space, a hyphen or an apostrophe
# ("Anne-Marie", "O'Brien").
_PARTS = re.compile(r"([\s\-'’])")
# Lower-case particles of surnames, kept lower-case inside a name ("Ludwig van Beethoven").
PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos",
                       "das", "du", "la", "le", "ten", "ter", "zu", "y", "bin", "ibn"})
# Russian patronymics end so; "Иванов Иван Иванович" is written surname first.
_PATRONYMIC = re.compile(r"(ович|евич|ич|овна|евна|ична|инична)$", re.IGNORECASE)


def clean_name(raw: str) -> str:
    """Trimmed, inner runs of spaces made one, and the case fixed when all of it is in one
    case; a name in mixed case ("mcDonald", "DiCaprio") is kept as written."""
    name = _SPACES.sub(" ", raw.strip())
    if name.isupper() or name.islower():
        return _capitalised(name)
    return name


def _capitalised(name: str) -> str:
    parts = _PARTS.split(name.lower())
    words = []
    for index, part in enumerate(parts):
        if index and part in PARTICLES and parts[index - 1] == " ":
            words.append(part)
        else:
            words.append(part[:1].upper() + part[1:])
    return "".join(words)


def split_full_name(raw: str) -> tuple[str | None, str | None]:
    """(first name, last name) of a full name: "Smith, John" and "Иванов Иван Иванович" put the
    surname first; else the last word is the surname, with its particles ("Jean de la
    Fontaine"). One word is a surname."""
    name = clean_name(raw)
    if not name:
        return None, None
    if "," in name:
        last, _, first = name.partition(",")
        return first.strip() or None, last.strip() or None
    words = name.split(" ")
    if len(words) == 1:
        return None, words[0]
    if len(words) == 3 and _PATRONYMIC.search(words[2]):
        return f"{words[1]} {words[2]}", words[0]
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:])
