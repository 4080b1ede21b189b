"""Rows for `crm seed --contacts N`: tuples per table, in the column order of bulk.COLUMNS.

One seeded random stream drives every draw in a fixed order, contact by contact, so the
same N and seed give the same rows whatever the chunk size.
"""

from __future__ import annotations

import uuid
from collections import defaultdict, deque
from datetime import datetime, timedelta

import orjson

from domain.match_keys import company_name_key, name_key, website_domain
from persistence.accounts import AccountRow
from persistence.consents import ConsentRow
from persistence.contacts import AccountContactRow, ContactRow
from persistence.notes import NoteRow
from persistence.partners import PartnerAccountRow, PartnerContactRow
from persistence.portal import PortalIdentityRow
from persistence.seed import demo
from persistence.seed.bulk_deals import BulkDeals
from persistence.seed.bulk_history import BulkHistory, Rows
from persistence.seed.bulk_leads import BulkLeads, SeededAccount, SeededContact
from persistence.seed.bulk_pools import (
    ACCOUNT_SIZE_WEIGHTS,
    ACCOUNT_SIZES,
    B2C_SHARE,
    CONSENT_PAIRS,
    CONSENT_SOURCES,
    CONTACTS_PER_SALES_USER,
    COUNTRY_CODES,
    HISTORY,
    LEAVES,
    NOTE_BODIES,
    OWN_NOTE_SHARE,
    PARENT_SHARE,
    PARTNER_NAMES,
    PHONES_PER_COUNTRY,
    SETUP_TIME,
    SHARED_SHARE,
    START,
    SYLLABLE_SURNAMES,
    AccountDraft,
    ancestors,
    fixed_rows,
    local_part,
    phone_pool,
    stable_hex,
    stamp,
)
from persistence.seed.bulk_purchases import BulkPurchases
from persistence.seed.bulk_surveys import BulkSurveys
from persistence.seed.demo_deals import StageInfo
from persistence.seed.generator import (
    COUNTRIES,
    FIRST_NAMES,
    LAST_NAMES,
    PERSONAL_DOMAINS,
    STAGES,
    STREETS,
    TITLES,
    Generator,
    stable_id,
)


class BulkRows:
    """The fixed rows (territories, users, partners), then contacts with all that hangs on them."""

    def __init__(self, contacts: int, seed: int = 42,
                 stages: dict[str, list[StageInfo]] | None = None,
                 standard_book=None, phones_per_country: int = PHONES_PER_COUNTRY,
                 orders_per_contact: float = 0) -> None:
        self.total, self.made = contacts, 0
        self.deals = BulkDeals(stages or {}, seed, stamp, stable_hex)
        self.history = BulkHistory(seed, standard_book, stamp, stable_hex)
        self.purchases = BulkPurchases(self.history, seed, orders_per_contact)
        self.leads, self.surveys = BulkLeads(stages or {}, seed), BulkSurveys(seed)
        self.gen = Generator(seed)
        self.rng = self.gen.rng
        self.phones = phone_pool(phones_per_country)
        self.step = HISTORY / contacts
        self.accounts = self.links = 0
        self.account: AccountDraft | None = None
        self.previous: AccountDraft | None = None
        self.roots: deque[str] = deque(maxlen=50)
        self.territory_ids = {name: stable_id("territory", name) for name in demo.TERRITORIES}
        self.rows: Rows = defaultdict(list)
        self.fixed = self._fixed_rows(max(1, round(contacts / CONTACTS_PER_SALES_USER)))
        self.fixed |= self.history.fixed_rows(SETUP_TIME) | self.surveys.fixed_rows(SETUP_TIME)

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
        self.owners = {leaf: tuple(u for u, t in sales if t in ancestors(leaf))
                       or tuple(u for u, _ in sales) for leaf in LEAVES}
        return fixed_rows(users, user_ids, self.territory_ids)

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

    def _open_account(self) -> AccountDraft:
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
        account = AccountDraft(account_id, rng.choice(self.owners[territory]), company.country,
                           company.domain, partner,
                           rng.choices(ACCOUNT_SIZES, cum_weights=ACCOUNT_SIZE_WEIGHTS)[0],
                           SeededAccount(account_id, company.name, company.industry, company.size,
                                         company.website, self.territory_ids[territory]))
        at = self._time(self.made) - timedelta(hours=rng.randrange(1, 72))
        self.rows[AccountRow.__tablename__].append(stamp(account_id, at) + (
            company.name, company.legal_name, company.industry, company.size, company.website,
            parent, account.owner, self.territory_ids[territory],
            company_name_key(company.name), website_domain(company.website)))
        if partner:
            self.rows[PartnerAccountRow.__tablename__].append(
                stamp(stable_hex("partner-account", f"{partner}-{n}"), at)
                + (stable_id("partner", partner), account_id))
        for k in range(rng.randrange(1, 4)):
            self._note("Account", account_id, f"a{n}-{k}", at, account.owner)
        self._close_account(self.account)
        self.previous, self.account = self.account, account
        return account

    def _close_account(self, account: AccountDraft | None) -> None:
        """An account's deals, made once all its contacts are known."""
        if account is not None:
            territory = self.territory_ids[demo.COUNTRY_TERRITORY[account.country]]
            self.deals.for_account(self.rows, account.id, account.owner, territory,
                                   account.country, account.contacts, self._time(self.made))
            self.history.for_account(self.rows, account.id, account.owner, territory,
                                     account.contacts, self._time(self.made))

    def _contact(self, account: AccountDraft | None) -> None:
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
        local = f"{local_part(first)}.{local_part(last)}{i}"
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
        self.rows[ContactRow.__tablename__].append(stamp(contact_id, created, updated=updated) + (
            first, last, orjson.dumps(emails).decode(), orjson.dumps(phones).decode(),
            orjson.dumps(address).decode(), rng.choice(STAGES), rng.randrange(101), owner,
            self.territory_ids[territory], name_key(first, last)))
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
        self._beside(SeededContact(contact_id, created, first, last, emails[0]["address"].lower(),
                                   phones[0]["number"], country, owner,
                                   self.territory_ids[territory], account and account.seen))

    def _customer(self, account: AccountDraft) -> None:
        """The portal customer of the demo, so `crm token --role customer` works here too."""
        contact_id, at = stable_hex("contact", "customer"), self._time(0)
        self.rows[ContactRow.__tablename__].append(stamp(contact_id, at) + (
            "Casey", "Customer",
            orjson.dumps([{"address": demo.CUSTOMER_EMAIL, "primary": True,
                           "label": "personal"}]).decode(),
            orjson.dumps([{"number": "+447400123400", "primary": True,
                           "label": "mobile"}]).decode(),
            orjson.dumps({"street": "1 High Street", "city": "London", "region": None,
                          "postalCode": "EC1A 1BB", "country": "GB"}).decode(),
            "CUSTOMER", 80, account.owner, self.territory_ids["UK & Ireland"],
            name_key("Casey", "Customer")))
        account.own.append(contact_id)
        self._link(account, contact_id, at, register=True, title="Office Manager")
        self.rows[PortalIdentityRow.__tablename__].append(
            stamp(stable_hex("portal", demo.CUSTOMER_EMAIL), at)
            + (contact_id, None, None, demo.CUSTOMER_EMAIL))
        self._consent(contact_id, "customer-newsletter", at, "EMAIL", "newsletter", "GRANTED",
                      "portal")
        self._beside(SeededContact(contact_id, at, "Casey", "Customer", demo.CUSTOMER_EMAIL,
                                   "+447400123400", "GB", account.owner,
                                   self.territory_ids["UK & Ireland"], account.seen))

    def _beside(self, contact: SeededContact) -> None:
        """The orders, leads and survey responses of a contact, each from a stream of its own."""
        self.purchases.for_contact(self.rows, contact.id, contact.account and contact.account.id,
                                   contact.owner, contact.territory_id, contact.created)
        self.leads.for_contact(self.rows, contact)
        self.surveys.for_contact(self.rows, contact)

    def _link(self, account: AccountDraft, contact_id: str, at: datetime, *, register: bool,
              title: str | None = None) -> None:
        rng = self.rng
        self.links += 1
        account.contacts.append(contact_id)
        self.rows[AccountContactRow.__tablename__].append(
            stamp(stable_hex("link", self.links), at)
            + (account.id, contact_id, title or rng.choice(TITLES), rng.random() < 0.2))
        if account.partner and register:
            self.rows[PartnerContactRow.__tablename__].append(
                stamp(stable_hex("partner-contact", f"{account.partner}-{contact_id}"), at)
                + (stable_id("partner", account.partner), contact_id))

    def _note(self, record_type: str, record_id: str, key: str, after: datetime,
              owner: uuid.UUID) -> None:
        rng = self.rng
        author = (self.authors[owner] if rng.random() < OWN_NOTE_SHARE
                  else rng.choice(self.staff_authors))
        at = min(after + timedelta(minutes=rng.randrange(10, 200_000)), demo.BASE_TIME)
        self.rows[NoteRow.__tablename__].append(
            stamp(stable_hex("note", key), at, author)
            + (record_type, record_id, rng.choice(NOTE_BODIES)))

    def _consent(self, contact_id: str, key: str, at: datetime, channel: str, purpose: str,
                 status: str, source: str) -> None:
        self.rows[ConsentRow.__tablename__].append(
            stamp(stable_hex("consent", key), at)
            + (contact_id, channel, purpose, status, at, source))
