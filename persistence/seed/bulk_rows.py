"""Rows for `crm seed --contacts N`: tuples per table, in the column order of bulk.COLUMNS.

One seeded random stream drives every draw in a fixed order, contact by contact, so the
same N and seed give the same rows whatever the chunk size.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from itertools import accumulate

import orjson
import phonenumbers

from persistence.accounts import AccountRow
from persistence.consents import ConsentRow
from persistence.contacts import AccountContactRow, ContactRow
from persistence.notes import NoteRow
from persistence.partners import PartnerAccountRow, PartnerContactRow, PartnerRow
from persistence.portal import PortalIdentityRow
from persistence.seed import demo
from persistence.seed.bulk_deals import BulkDeals
from persistence.seed.bulk_history import BulkHistory
from persistence.seed.demo_deals import StageInfo
from persistence.seed.generator import (
    CHANNELS,
    COUNTRIES,
    FIRST_NAMES,
    LAST_NAMES,
    NAMESPACE,
    PERSONAL_DOMAINS,
    PURPOSES,
    STAGES,
    STREETS,
    TITLES,
    Generator,
    stable_id,
)
from persistence.territories import TerritoryRow
from persistence.users import UserRow

Rows = dict[str, list[tuple]]

HISTORY = timedelta(days=3 * 365)
START = demo.BASE_TIME - HISTORY  # contacts are created evenly from here to demo.BASE_TIME
SETUP_TIME = START - timedelta(days=30)
CONTACTS_PER_SALES_USER = 20_000
B2C_SHARE = 1 / 8
SHARED_SHARE = 0.04  # a slot filled by a contact of the previous account
PARENT_SHARE = 0.1
OWN_NOTE_SHARE = 0.7
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
def _local_part(name: str) -> str:
    """A name as it appears in an email address."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def phone_pool(per_country: int = 1000) -> dict[str, tuple[str, ...]]:
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


def _stamp(row_id, at: datetime, actor: str = "System", updated: datetime | None = None) -> tuple:
    return (row_id, at, updated or at, actor, actor, 1, None)


def _ancestors(territory: str) -> list[str]:
    chain = [territory]
    while demo.TERRITORIES[chain[-1]]:
        chain.append(demo.TERRITORIES[chain[-1]])
    return chain


@dataclass(slots=True)
class _Account:
    id: str
    owner: uuid.UUID
    country: str
    domain: str
    partner: str | None
    size: int
    contacts: list[str] = field(default_factory=list)  # every link, counted against size
    own: list[str] = field(default_factory=list)  # contacts created for this account


class BulkRows:
    """The fixed rows (territories, users, partners), then contacts with all that hangs on them."""

    def __init__(self, contacts: int, seed: int = 42,
                 stages: dict[str, list[StageInfo]] | None = None,
                 standard_book=None) -> None:
        self.total, self.made = contacts, 0
        self.deals = BulkDeals(stages or {}, seed, _stamp, stable_hex)
        self.history = BulkHistory(seed, standard_book, _stamp, stable_hex)
        self.gen = Generator(seed)
        self.rng = self.gen.rng
        self.phones = phone_pool()
        self.step = HISTORY / contacts
        self.accounts = self.links = 0
        self.account: _Account | None = None
        self.previous: _Account | None = None
        self.roots: deque[str] = deque(maxlen=50)
        self.territory_ids = {name: stable_id("territory", name) for name in demo.TERRITORIES}
        self.rows: Rows = defaultdict(list)
        self.fixed = self._fixed_rows(max(1, round(contacts / CONTACTS_PER_SALES_USER)))
        self.fixed |= self.history.fixed_rows(SETUP_TIME)

    @property
    def done(self) -> bool:
        return self.made >= self.total

    def _fixed_rows(self, extra_sales: int) -> Rows:
        """Territories and users as in the demo, extra sales users, and the demo partners."""
        rng = self.rng
        users = dict(demo.USERS)
        for n in range(1, extra_sales + 1):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            users[f"sales.{n}@example.com"] = (name, "sales", LEAVES[(n - 1) % len(LEAVES)])
        user_ids = {email: stable_id("user", email) for email in users}
        self.authors = {user_ids[e]: f"User:{user_ids[e]}" for e in users}
        self.staff_authors = tuple(self.authors.values())
        sales = [(user_ids[e], territory) for e, (_, role, territory) in users.items()
                 if role == "sales"]
        # Owners come from the leaf or a region above it, so record rules see realistic data.
        self.owners = {leaf: tuple(u for u, t in sales if t in _ancestors(leaf))
                       or tuple(u for u, _ in sales) for leaf in LEAVES}

        def minute(n: int) -> datetime:
            return SETUP_TIME + timedelta(minutes=n)

        return {
            TerritoryRow.__tablename__: [
                _stamp(self.territory_ids[name], minute(n))
                + (name, self.territory_ids[parent] if parent else None)
                for n, (name, parent) in enumerate(demo.TERRITORIES.items())],
            UserRow.__tablename__: [
                _stamp(user_ids[email], minute(60 + n))
                + (email, name, role, self.territory_ids[territory], True)
                for n, (email, (name, role, territory)) in enumerate(users.items())],
            PartnerRow.__tablename__: [
                _stamp(stable_id("partner", name), minute(1440)) + (name,)
                for name in demo.PARTNERS],
        }

    def chunk(self, contacts: int) -> Rows:
        """The rows of the next `contacts` contacts, and of the accounts they open."""
        self.rows = defaultdict(list)
        end = min(self.total, self.made + contacts)
        while self.made < end:
            self._next_slot()
        if self.done:
            self._close_account(self.account)
        return self.rows

    def _next_slot(self) -> None:
        rng = self.rng
        if self.made and rng.random() < B2C_SHARE:
            self._contact(None)
            return
        account = self.account
        if account is None or len(account.contacts) == account.size:
            account = self._open_account()
        previous = self.previous
        if account.contacts and previous and rng.random() < SHARED_SHARE:
            # Only the previous account's own contacts, so a contact has at most two accounts
            # and the check below is enough to keep partner registrations unique.
            shared = rng.choice(previous.own)
            if shared not in account.contacts:
                # Already registered when the previous account belongs to the same partner.
                self._link(account, shared, self._time(self.made),
                           register=previous.partner != account.partner)
                return
        self._contact(account)

    def _time(self, contact: int) -> datetime:
        return START + self.step * contact

    def _open_account(self) -> _Account:
        rng, n = self.rng, self.accounts
        self.accounts += 1
        company = self.gen.company(n)
        account_id = stable_hex("account", n)
        territory = demo.COUNTRY_TERRITORY[company.country]
        parent = rng.choice(self.roots) if self.roots and rng.random() < PARENT_SHARE else None
        if parent is None:
            self.roots.append(account_id)
        percentile = int(rng.random() * 100)  # one percent of accounts per partner
        partner = PARTNER_NAMES[percentile] if percentile < len(PARTNER_NAMES) else None
        account = _Account(account_id, rng.choice(self.owners[territory]), company.country,
                           company.domain, partner,
                           rng.choices(ACCOUNT_SIZES, cum_weights=ACCOUNT_SIZE_WEIGHTS)[0])
        at = self._time(self.made) - timedelta(hours=rng.randrange(1, 72))
        self.rows[AccountRow.__tablename__].append(_stamp(account_id, at) + (
            company.name, company.legal_name, company.industry, company.size, company.website,
            parent, account.owner, self.territory_ids[territory]))
        if partner:
            self.rows[PartnerAccountRow.__tablename__].append(
                _stamp(stable_hex("partner-account", f"{partner}-{n}"), at)
                + (stable_id("partner", partner), account_id))
        for k in range(rng.randrange(1, 4)):
            self._note("Account", account_id, f"a{n}-{k}", at, account.owner)
        self._close_account(self.account)
        self.previous, self.account = self.account, account
        return account

    def _close_account(self, account: _Account | None) -> None:
        """An account's deals, made once all its contacts are known."""
        if account is not None:
            territory = self.territory_ids[demo.COUNTRY_TERRITORY[account.country]]
            self.deals.for_account(self.rows, account.id, account.owner, territory,
                                   account.country, account.contacts, self._time(self.made))
            self.history.for_account(self.rows, account.id, account.owner, territory,
                                     account.contacts, self._time(self.made))

    def _contact(self, account: _Account | None) -> None:
        rng, i = self.rng, self.made
        self.made += 1
        if i == 0:
            self._customer(account)
            return
        first = rng.choice(FIRST_NAMES)
        roll = rng.random()
        last = (rng.choice(LAST_NAMES) if roll < 0.6 else rng.choice(SYLLABLE_SURNAMES)
                if roll < 0.9 else f"{rng.choice(LAST_NAMES)}-{rng.choice(LAST_NAMES)}")
        country = (account.country if account and rng.random() < 0.8
                   else rng.choice(COUNTRY_CODES))
        local = f"{_local_part(first)}.{_local_part(last)}{i}"
        emails = []
        if account:
            emails.append({"address": f"{local}@{account.domain}", "primary": True,
                           "label": "work"})
        if not account or rng.random() < 0.3:
            emails.append({"address": f"{local}@{rng.choice(PERSONAL_DOMAINS)}",
                           "primary": not emails, "label": "personal"})
        pool = self.phones[country]
        phones = [{"number": rng.choice(pool), "primary": True, "label": "mobile"}]
        if rng.random() < 0.25:
            phones.append({"number": rng.choice(pool), "primary": False, "label": "office"})
        address = {"street": f"{rng.randrange(1, 300)} {rng.choice(STREETS)}",
                   "city": rng.choice(COUNTRIES[country][0]), "region": None,
                   "postalCode": f"{rng.randrange(10000, 99999)}", "country": country}
        territory = demo.COUNTRY_TERRITORY[country]
        owner = (account.owner if account and rng.random() < 0.85
                 else rng.choice(self.owners[territory]))
        created = self._time(i)
        updated = (min(created + timedelta(days=rng.randrange(1, 400)), demo.BASE_TIME)
                   if rng.random() < 0.3 else created)
        contact_id = stable_hex("contact", i)
        self.rows[ContactRow.__tablename__].append(_stamp(contact_id, created, updated=updated) + (
            first, last, orjson.dumps(emails).decode(), orjson.dumps(phones).decode(),
            orjson.dumps(address).decode(), rng.choice(STAGES), rng.randrange(101), owner,
            self.territory_ids[territory]))
        if account:
            account.own.append(contact_id)
            self._link(account, contact_id, created, register=True)
        for k in range(rng.randrange(3)):
            self._note("Contact", contact_id, f"c{i}-{k}", created, owner)
        for channel, purpose in rng.sample(CONSENT_PAIRS, rng.randrange(1, 4)):
            recorded = min(created + timedelta(days=rng.randrange(300)), demo.BASE_TIME)
            self._consent(contact_id, f"{i}-{channel}-{purpose}", recorded, channel, purpose,
                          "GRANTED" if rng.random() < 0.75 else "WITHDRAWN",
                          rng.choice(CONSENT_SOURCES))

    def _customer(self, account: _Account) -> None:
        """The portal customer of the demo, so `crm token --role customer` works here too."""
        contact_id, at = stable_hex("contact", "customer"), self._time(0)
        self.rows[ContactRow.__tablename__].append(_stamp(contact_id, at) + (
            "Casey", "Customer",
            orjson.dumps([{"address": demo.CUSTOMER_EMAIL, "primary": True,
                           "label": "personal"}]).decode(),
            orjson.dumps([{"number": "+447400123400", "primary": True,
                           "label": "mobile"}]).decode(),
            orjson.dumps({"street": "1 High Street", "city": "London", "region": None,
                          "postalCode": "EC1A 1BB", "country": "GB"}).decode(),
            "CUSTOMER", 80, account.owner, self.territory_ids["UK & Ireland"]))
        account.own.append(contact_id)
        self._link(account, contact_id, at, register=True, title="Office Manager")
        self.rows[PortalIdentityRow.__tablename__].append(
            _stamp(stable_hex("portal", demo.CUSTOMER_EMAIL), at)
            + (contact_id, None, None, demo.CUSTOMER_EMAIL))
        self._consent(contact_id, "customer-newsletter", at, "EMAIL", "newsletter", "GRANTED",
                      "portal")

    def _link(self, account: _Account, contact_id: str, at: datetime, *, register: bool,
              title: str | None = None) -> None:
        rng = self.rng
        self.links += 1
        account.contacts.append(contact_id)
        self.rows[AccountContactRow.__tablename__].append(
            _stamp(stable_hex("link", self.links), at)
            + (account.id, contact_id, title or rng.choice(TITLES), rng.random() < 0.2))
        if account.partner and register:
            self.rows[PartnerContactRow.__tablename__].append(
                _stamp(stable_hex("partner-contact", f"{account.partner}-{contact_id}"), at)
                + (stable_id("partner", account.partner), contact_id))

    def _note(self, record_type: str, record_id: str, key: str, after: datetime,
              owner: uuid.UUID) -> None:
        rng = self.rng
        author = (self.authors[owner] if rng.random() < OWN_NOTE_SHARE
                  else rng.choice(self.staff_authors))
        at = min(after + timedelta(minutes=rng.randrange(10, 200_000)), demo.BASE_TIME)
        self.rows[NoteRow.__tablename__].append(
            _stamp(stable_hex("note", key), at, author)
            + (record_type, record_id, rng.choice(NOTE_BODIES)))

    def _consent(self, contact_id: str, key: str, at: datetime, channel: str, purpose: str,
                 status: str, source: str) -> None:
        self.rows[ConsentRow.__tablename__].append(
            _stamp(stable_hex("consent", key), at)
            + (contact_id, channel, purpose, status, at, source))
