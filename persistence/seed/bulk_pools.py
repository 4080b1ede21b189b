"""What the bulk seed draws its rows from: shares, pools of names and numbers, stable ids."""

from __future__ import annotations

import hashlib
import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from itertools import accumulate
from typing import TYPE_CHECKING

import phonenumbers

from persistence.partners import PartnerRow
from persistence.seed import demo
from persistence.seed.generator import CHANNELS, COUNTRIES, NAMESPACE, PURPOSES, stable_id
from persistence.territories import TerritoryRow
from persistence.users import UserRow

if TYPE_CHECKING:
    from persistence.seed.bulk_leads import SeededAccount

HISTORY = timedelta(days=3 * 365)
START = demo.BASE_TIME - HISTORY  # contacts are created evenly from here to demo.BASE_TIME
SETUP_TIME = START - timedelta(days=30)
CONTACTS_PER_SALES_USER = 20_000
B2C_SHARE = 1 / 8
SHARED_SHARE = 0.04  # a slot filled by a contact of the previous account
PARENT_SHARE = 0.1
OWN_NOTE_SHARE = 0.7
# Numbers drawn per country: contacts share them, more of them the larger the data set.
PHONES_PER_COUNTRY = 1000
# Accounts of 1..20 contacts, small ones more common: the mean of about 8.8 gives N/10 accounts.
ACCOUNT_SIZES = tuple(range(1, 21))
ACCOUNT_SIZE_WEIGHTS = tuple(accumulate(30 - size for size in ACCOUNT_SIZES))
COUNTRY_CODES = tuple(COUNTRIES)
CONSENT_PAIRS = tuple((channel, purpose) for channel in CHANNELS for purpose in PURPOSES)
CONSENT_SOURCES = ("web-form:signup", "import", "portal", "event:expo")
NOTE_BODIES = (
    "Called about renewal; follow up next week.", "Asked for a quote on the premium plan.",
    "Prefers email over phone.", "Met at the spring trade fair.",
    "Escalated a billing question to finance.", "Requested a product demo for the team.",
    "Budget approved for next quarter.", "Moved to a new office; address updated.",
    "Interested in the partner programme.", "Complained about delivery times.",
    "Signed the annual contract.", "Asked to be contacted after the holidays.",
)
# Syllables for surnames beyond the base list, so that lookups by last name see variety.
SURNAME_ROOTS = (
    "Ander Bald Bren Cald Dorn Ell Falk Garr Hald Holm Ivar Kast Kell Lind Lov Mald Mor Nord "
    "Oster Pell Quinn Rad Ros Sand Sel Stav Thor Ull Vald Wend Zell Abel Bert Carr Dahl Eck "
    "Fitz Gust Hart Jans"
).split()
SURNAME_ENDINGS = (
    "son sen berg strom ov ev ski ez es ini ello ley ton man mann er ard ot well wood field "
    "ford by holm quist"
).split()
SYLLABLE_SURNAMES = tuple(sorted({root + ending for root in SURNAME_ROOTS
                                  for ending in SURNAME_ENDINGS}))
PARTNER_NAMES = tuple(demo.PARTNERS)
LEAVES = tuple(name for name in demo.TERRITORIES if name not in set(demo.TERRITORIES.values()))
_NAMESPACE = NAMESPACE.bytes


def stable_hex(kind: str, number: int | str) -> str:
    """stable_id(kind, number) as 32 hex digits, which asyncpg copies as a uuid."""
    # The bits of uuid.uuid5, without building a UUID object for each of millions of rows.
    digest = bytearray(hashlib.sha1(_NAMESPACE + f"{kind}:{number}".encode()).digest()[:16])
    digest[6] = digest[6] & 0x0F | 0x50
    digest[8] = digest[8] & 0x3F | 0x80
    return digest.hex()


@cache
def local_part(name: str) -> str:
    """A name as it appears in an email address."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def phone_pool(per_country: int = PHONES_PER_COUNTRY) -> dict[str, tuple[str, ...]]:
    """Valid E.164 mobile numbers per country, checked once rather than once per row."""
    pool = {}
    for country, (_, example) in COUNTRIES.items():
        draw, numbers = random.Random(country), set()
        for _ in range(per_country):
            number = phonenumbers.parse(example[:-5] + f"{draw.randrange(100_000):05d}")
            if phonenumbers.is_valid_number(number):
                numbers.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
        if not numbers:
            raise ValueError(f"no valid phone numbers near {example} for {country}")
        pool[country] = tuple(sorted(numbers))
    return pool


def stamp(row_id, at: datetime, actor: str = "System", updated: datetime | None = None) -> tuple:
    return (row_id, at, updated or at, actor, actor, 1, None)


def fixed_rows(users: dict[str, tuple[str, str, str]], user_ids: dict[str, uuid.UUID],
               territory_ids: dict[str, uuid.UUID]) -> dict[str, list[tuple]]:
    """Territories as in the demo, the users (email -> name, role, territory), and the demo
    partners, made a month before the first contact."""

    def minute(n: int) -> datetime:
        return SETUP_TIME + timedelta(minutes=n)

    return {
        TerritoryRow.__tablename__: [
            stamp(territory_ids[name], minute(n))
            + (name, territory_ids[parent] if parent else None)
            for n, (name, parent) in enumerate(demo.TERRITORIES.items())],
        UserRow.__tablename__: [
            stamp(user_ids[email], minute(60 + n))
            + (email, name, role, territory_ids[territory], True)
            for n, (email, (name, role, territory)) in enumerate(users.items())],
        PartnerRow.__tablename__: [
            stamp(stable_id("partner", name), minute(1440)) + (name,)
            for name in demo.PARTNERS],
    }


def ancestors(territory: str) -> list[str]:
    chain = [territory]
    while demo.TERRITORIES[chain[-1]]:
        chain.append(demo.TERRITORIES[chain[-1]])
    return chain


@dataclass(slots=True)
class AccountDraft:
    """An account being filled with contacts while its rows are drawn."""

    id: str
    owner: uuid.UUID
    country: str
    domain: str
    partner: str | None
    size: int
    seen: SeededAccount  # what the leads drawn beside its contacts know of it
    contacts: list[str] = field(default_factory=list)  # every link, counted against size
    own: list[str] = field(default_factory=list)  # contacts created for this account
