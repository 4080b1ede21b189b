"""A planted set for duplicate detection: near-duplicates of existing contacts, and look-alikes
that are other people, each pair labelled, to measure recall and precision.

A near-duplicate is what a second card of the same person looks like in a CRM: a typo in a
name, the email in another case, the phone written another way (brought back to E.164 by the
same normalisation as every write), some of the channels missing, the same company or not;
it always keeps one of email, phone or company, since a card that shares nothing but a name
with another is a namesake as far as anyone can tell. The look-alikes are the hard negatives:
a relative sharing the home phone, a colleague behind the same switchboard, a namesake.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, replace

import phonenumbers

from domain.values import normalize_phone


@dataclass(frozen=True, slots=True)
class Card:
    """A contact as the planted set reads and writes it."""

    first_name: str | None
    last_name: str
    emails: tuple[dict, ...]
    phones: tuple[dict, ...]
    account_id: object | None = None


def typo(name: str, rng: random.Random) -> str:
    """One slip of the keyboard after the first letter: a letter replaced, dropped, doubled
    or two letters swapped."""
    if len(name) < 3:
        return name + rng.choice(string.ascii_lowercase)
    at = rng.randrange(1, len(name) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return name[:at] + rng.choice(string.ascii_lowercase) + name[at + 1:]
    if kind == 1:
        return name[:at] + name[at + 1:]
    if kind == 2:
        return name[:at] + name[at] + name[at:]
    return name[:at] + name[at + 1] + name[at] + name[at + 2:]


def written_otherwise(e164: str, rng: random.Random) -> str:
    """The number as a person would type it (national or spaced international form), brought
    back to E.164 by the API's own normalisation."""
    parsed = phonenumbers.parse(e164)
    region = phonenumbers.region_code_for_number(parsed)
    style = rng.choice((phonenumbers.PhoneNumberFormat.NATIONAL,
                        phonenumbers.PhoneNumberFormat.INTERNATIONAL))
    typed = phonenumbers.format_number(parsed, style)
    return normalize_phone(typed, "phones", region)


def _recased(address: str, rng: random.Random) -> str:
    local, _, domain = address.partition("@")
    return rng.choice((address.upper(), f"{local.title()}@{domain}", f"{local}@{domain.upper()}"))


def near_duplicate(card: Card, rng: random.Random) -> Card:
    """A second card of the same person."""
    first, last = card.first_name, card.last_name
    if rng.random() < 0.8:
        if first and rng.random() < 0.3:
            first = typo(first, rng)
        else:
            last = typo(last, rng)
    keep = {"email": rng.random() < 0.6 and bool(card.emails),
            "phone": rng.random() < 0.6 and bool(card.phones),
            "company": rng.random() < 0.5 and card.account_id is not None}
    if not any(keep.values()):
        present = [k for k, ok in (("email", card.emails), ("phone", card.phones),
                                   ("company", card.account_id)) if ok]
        keep[rng.choice(present)] = True
    emails = (({"address": _recased(card.emails[0]["address"], rng), "primary": True,
                "label": "work"},) if keep["email"] else ())
    phones = (({"number": written_otherwise(card.phones[0]["number"], rng), "primary": True,
                "label": "mobile"},) if keep["phone"] else ())
    return Card(first, last, emails, phones, card.account_id if keep["company"] else None)


def look_alike(card: Card, rng: random.Random, first_names: tuple[str, ...],
               last_names: tuple[str, ...], n: int) -> Card:
    """Another person who resembles `card`: a relative on the same phone, a colleague on the
    same switchboard, or a namesake elsewhere; `n` makes their own address unique."""
    kind = rng.randrange(3)
    own_email = ({"address": f"planted.other{n}@example.net", "primary": True,
                  "label": "personal"},)
    other_first = rng.choice([f for f in first_names if f[:1] != (card.first_name or "")[:1]])
    if kind == 0 and card.phones:  # a relative: same family name and home phone
        return Card(other_first, card.last_name, own_email, card.phones[:1], None)
    if kind == 1 and card.phones and card.account_id is not None:  # a colleague
        return Card(other_first, rng.choice(last_names), own_email, card.phones[:1],
                    card.account_id)
    return replace(card, emails=own_email, phones=(), account_id=None)  # a namesake
