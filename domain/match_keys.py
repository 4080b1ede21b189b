"""Blocking keys for duplicate detection: values two cards of the same person or company share.

A key is cheap to compare and indexed, so that finding the candidates of a record is a lookup,
and the full scan compares records only within a block. The fuzzy comparison inside a block is
domain/duplicates.py's.

- Emails: the address, trimmed and in lower case. PostgreSQL computes the same key for the
  generated column contact.email_keys (lower(btrim(address))), so both sides must agree.
- Phones: the digits of the stored E.164 number (the write path has normalised it already),
  without the extension: two people behind one switchboard share the number, which the
  scoring weighs.
- Names: metaphone of the family name plus the first initial of the given name, "SM0|J".
  Metaphone rather than Soundex: Soundex keeps only the first letter and three consonant
  classes, so a base of a million contacts gets few, huge blocks; metaphone keeps the whole
  consonant skeleton (Smith and Smyth agree, Smith and Snyder do not), and NYSIIS, which also
  keeps more, changes with more single-letter typos (measured on the seed's surnames).
  Names are transliterated to Latin first (Иванов -> Ivanov), because Cyrillic names are common
  and metaphone reads only Latin letters.
- Accounts: the registrable domain of the website (or of a non-personal email) without www,
  and the name without legal suffixes (GmbH, Inc., ООО...) and punctuation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import jellyfish

# Russian, Ukrainian and Belarusian letters, after the common passport-style romanisation.
_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў",
    ("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya "
     "i yi ye g u").split(),
    strict=True,
))
_CYRILLIC["ъ"] = _CYRILLIC["ь"] = ""
_NOT_LETTER = re.compile(r"[^a-z]+")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_NOT_DIGIT = re.compile(r"\D+")

# Legal forms, in lower case after transliteration: ООО reads as "ooo", АО as "ao".
LEGAL_SUFFIXES = frozenset(
    "gmbh mbh ag kg ug ohg se inc incorporated corp corporation co company llc llp lp ltd "
    "limited plc sa sas sarl srl spa sl bv nv ab as oy aps kk pty pvt ooo oao zao pao ao ip "
    "tov pp".split()
)
# Mail providers whose domain names no company: an account's domain never comes from them.
PERSONAL_MAIL_DOMAINS = frozenset(
    "gmail.com googlemail.com outlook.com hotmail.com live.com msn.com yahoo.com icloud.com "
    "me.com aol.com proton.me protonmail.com gmx.de gmx.net web.de t-online.de yandex.ru "
    "ya.ru mail.ru bk.ru list.ru inbox.ru rambler.ru ukr.net".split()
)
# Suffixes under which each name is a different owner: second-level registries under a
# country code (example.co.uk registers "example"), shared hosts whose subdomains are their
# customers' sites, and the documentation domains, whose subdomains stand for unrelated
# organisations in examples and test data.
_SECOND_LEVEL = frozenset(
    "co.uk org.uk ac.uk gov.uk com.au net.au org.au co.nz co.jp ne.jp or.jp com.br com.mx "
    "com.ar com.tr com.cn com.hk com.sg co.in co.za co.kr co.il com.ua org.ua spb.ru msk.ru "
    "com.ru github.io gitlab.io herokuapp.com myshopify.com wixsite.com blogspot.com "
    "example.com example.org example.net".split()
)


def latin(text: str) -> str:
    """Lower-case Latin letters for any name: Cyrillic transliterated, diacritics dropped."""
    lowered = text.strip().lower()
    if lowered.isascii():
        return lowered
    lowered = lowered.replace("ß", "ss")
    spelled = "".join(_CYRILLIC.get(ch, ch) for ch in lowered)
    decomposed = unicodedata.normalize("NFKD", spelled)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def email_key(address: str) -> str:
    """The key of an email address: trimmed, in lower case (as contact.email_keys holds it)."""
    return address.strip().lower()


def phone_key(number: str) -> str:
    """The key of a stored phone number: its digits, as contact.phone_keys holds them."""
    return _NOT_DIGIT.sub("", number)


def family_key(last_name: str | None) -> str | None:
    """The family name's half of a name key: its metaphone; None if it has no letters."""
    family = _NOT_LETTER.sub("", latin(last_name or ""))
    return jellyfish.metaphone(family) if family else None


def initial_key(first_name: str | None) -> str:
    """The given name's half of a name key: its first Latin letter in upper case, or ""."""
    return _NOT_LETTER.sub("", latin(first_name or ""))[:1].upper()


def name_key(first_name: str | None, last_name: str | None) -> str | None:
    """Metaphone of the family name and the given name's initial, e.g. "SM0|J"; None if no name."""
    family = family_key(last_name)
    return None if family is None else f"{family}|{initial_key(first_name)}"


@dataclass(frozen=True, slots=True)
class ContactKeys:
    """The blocking keys of one contact."""

    emails: tuple[str, ...]
    phones: tuple[str, ...]
    name: str | None


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def contact_keys(first_name: str | None, last_name: str | None,
                 emails: list[dict] | None, phones: list[dict] | None) -> ContactKeys:
    """A contact's keys from its columns as stored (emails/phones as their JSON lists)."""
    return ContactKeys(
        emails=_unique(email_key(e.get("address") or "") for e in emails or ()),
        phones=_unique(phone_key(p.get("number") or "") for p in phones or ()),
        name=name_key(first_name, last_name),
    )


@dataclass(frozen=True, slots=True)
class AccountKeys:
    """The blocking keys of one account."""

    domain: str | None
    name: str | None


def registrable_domain(host: str) -> str | None:
    """example.co.uk for www.shop.example.co.uk; None for a host that is no domain name."""
    labels = [label for label in host.strip().strip(".").lower().split(".") if label]
    if len(labels) < 2 or labels[-1].isdigit():
        return None
    keep = 3 if ".".join(labels[-2:]) in _SECOND_LEVEL and len(labels) >= 3 else 2
    return ".".join(labels[-keep:])


def website_domain(website: str | None) -> str | None:
    """The registrable domain of a website address, with or without its scheme."""
    value = (website or "").strip()
    if not value:
        return None
    try:
        host = urlsplit(value if "://" in value else "https://" + value).hostname
    except ValueError:
        return None
    return registrable_domain(host) if host else None


def company_name_key(name: str | None) -> str | None:
    """A company name without legal suffixes and punctuation: "ООО «Ромашка»" -> "romashka"."""
    words = _NOT_WORD.sub(" ", latin(name or "")).split()
    kept = [w for w in words if w not in LEGAL_SUFFIXES]
    return " ".join(kept) or None


def account_keys(name: str | None, website: str | None,
                 emails: Iterable[str] = ()) -> AccountKeys:
    """An account's keys: the website's domain, else a non-personal email's; the name key."""
    domain = website_domain(website)
    if domain is None:
        for address in emails:
            host = email_key(address).rpartition("@")[2]
            candidate = registrable_domain(host) if host else None
            if candidate and candidate not in PERSONAL_MAIL_DOMAINS:
                domain = candidate
                break
    return AccountKeys(domain=domain, name=company_name_key(name))
