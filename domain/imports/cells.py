"""Reading one cell of an import file as a value of its field: a country, a yes or no, a stage,
a score, a list of tags. Each reader returns the value, or raises CellError with the code and
message for the row's error."""

from __future__ import annotations

import gettext
import re
from enum import StrEnum
from functools import cache, lru_cache

import pycountry

from domain.accounts import AccountSize
from domain.contacts import LifecycleStage
from domain.errors import DomainError
from domain.tags import NAME_LIMIT
from domain.values import normalize_country, normalize_website


class CellError(Exception):
    """Why a cell's text is no value of its field; `code` is the RowError's code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_SPACES = re.compile(r"\s+")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_EXTENSION_WORD = re.compile(r"\s*\b(?:durchwahl|nebenstelle|apparat|app|dw|durchw|"
                             r"внутренний|внутр|вн|добавочный)\b\.?\s*", re.IGNORECASE)
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "x", "on", "granted", "opt-in", "optin",
                        "ja", "j", "wahr", "да", "д", "✓", "✔"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "off", "denied", "withdrawn", "opt-out",
                         "optout", "nein", "falsch", "нет", "н"})
# Names pycountry does not know in any of its languages, yet people write.
COUNTRY_ALIASES = {
    "uk": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "großbritannien": "GB", "england und wales": "GB",
    "великобритания": "GB", "англия": "GB", "russia": "RU", "russland": "RU", "россия": "RU",
    "рф": "RU", "сша": "US", "америка": "US", "usa": "US", "u.s.": "US", "u.s.a.": "US",
    "holland": "NL", "turkey": "TR", "türkei": "TR", "турция": "TR", "ivory coast": "CI",
    "macedonia": "MK", "swaziland": "SZ", "burma": "MM", "белоруссия": "BY",
    "weißrussland": "BY", "korea": "KR", "south korea": "KR", "südkorea": "KR",
    "южная корея": "KR", "vatican": "VA", "czech republic": "CZ", "persia": "IR",
}
TRANSLATED = ("de", "ru")  # the languages of country names besides English
LIFECYCLE_WORDS = {
    "subscriber": "SUBSCRIBER", "abonnent": "SUBSCRIBER", "подписчик": "SUBSCRIBER",
    "lead": "LEAD", "лид": "LEAD", "interessent": "LEAD",
    "prospect": "PROSPECT", "potential customer": "PROSPECT", "потенциальный клиент": "PROSPECT",
    "customer": "CUSTOMER", "client": "CUSTOMER", "kunde": "CUSTOMER", "клиент": "CUSTOMER",
    "покупатель": "CUSTOMER",
    "churned": "CHURNED", "former customer": "CHURNED", "ehemaliger kunde": "CHURNED",
    "бывший клиент": "CHURNED", "ушедший": "CHURNED",
}


def _key(text: str) -> str:
    return _SPACES.sub(" ", text.strip().casefold()).replace("ё", "е")


@cache
def _country_names() -> dict[str, str]:
    """Every name of every country that pycountry knows, in English, German and Russian, and
    its codes, to the country's alpha-2 code."""
    names: dict[str, str] = {}
    translations = [gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang],
                                        fallback=True) for lang in TRANSLATED]
    for country in pycountry.countries:
        spellings = [getattr(country, a, None) for a in ("name", "official_name", "common_name")]
        for spelling in filter(None, spellings):
            names[_key(spelling)] = country.alpha_2
            for translation in translations:
                names.setdefault(_key(translation.gettext(spelling)), country.alpha_2)
        for code in (country.alpha_2, country.alpha_3, country.numeric):
            names[code.casefold()] = country.alpha_2
    names.update({_key(alias): code for alias, code in COUNTRY_ALIASES.items()})
    return names


@lru_cache(maxsize=4096)
def country_code(raw: str) -> str:
    """The ISO 3166-1 alpha-2 code of a country written as a code (alpha-2, alpha-3, numeric)
    or by its name in English, German or Russian; cached, since a file names few countries."""
    code = _country_names().get(_key(raw))
    if code is None:
        try:
            code = pycountry.countries.lookup(raw.strip()).alpha_2
        except LookupError:
            raise CellError("UNKNOWN_COUNTRY", f"Unknown country {raw!r}: give its ISO 3166 "
                            "code or its English name.") from None
    try:
        return normalize_country(code, "country")
    except DomainError:
        raise CellError("UNKNOWN_COUNTRY", f"{raw!r} has no telephone numbering plan "
                        "of its own, so no contact can live there.") from None


@lru_cache(maxsize=4096)
def website(raw: str) -> str:
    """The website as https://...; cached, since the rows of one company repeat it."""
    return normalize_website(raw, "website")


def with_extension_marked(raw: str) -> str:
    """The phone number with an extension word libphonenumber does not know ("Durchwahl",
    "App.", "вн.") written as "ext.": it would read the letters as a vanity number's digits
    ("DW 12" as 3912) and quietly dial another number."""
    if not _HAS_LETTER.search(raw):
        return raw
    return _EXTENSION_WORD.sub(" ext. ", raw)


def yes_or_no(raw: str) -> bool:
    """yes/no, true/false, 1/0, x, granted/denied, ja/nein, да/нет."""
    word = raw.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("INVALID", f"{raw!r} is neither yes nor no.")


def _enum_value(raw: str, enum: type[StrEnum], words: dict[str, str]) -> str:
    key = _key(raw)
    value = words.get(key) or key.upper().replace(" ", "_")
    if value in enum.__members__:
        return value
    raise CellError("INVALID", f"{raw!r} is not one of {', '.join(enum)}.")


def lifecycle_stage(raw: str) -> str:
    return _enum_value(raw, LifecycleStage, LIFECYCLE_WORDS)


def account_size(raw: str) -> str:
    return _enum_value(raw, AccountSize, {})


def lead_score(raw: str) -> int:
    """A whole number from 0 to 100 ("85", "85.0")."""
    text = raw.strip()
    try:
        number = float(text)
    except ValueError:
        raise CellError("INVALID", f"{raw!r} is not a number.") from None
    if not number.is_integer() or not 0 <= number <= 100:
        raise CellError("INVALID", f"{raw!r}: a lead score is a whole number from 0 to 100.")
    return int(number)


def tag_names(raw: str) -> list[str]:
    """The tags of one cell, separated by ";" (or "," when there is no ";"), each once."""
    parts = raw.split(";") if ";" in raw else raw.split(",")
    names: dict[str, str] = {}
    for part in parts:
        name = _SPACES.sub(" ", part.strip())
        if len(name) > NAME_LIMIT:
            raise CellError("TOO_LONG", f"Tag {name!r} is longer than {NAME_LIMIT} characters.")
        if name:
            names.setdefault(name.casefold(), name)
    return list(names.values())
