"""`crm seed --demo`: a small, deterministic customer record to explore the API with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Table, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.lifetime_valuation import DEFAULTS
from persistence import analytics_refresh
from persistence.accounts import AccountRow
from persistence.consents import ConsentRow
from persistence.contacts import AccountContactRow, ContactRow
from persistence.directory import is_empty
from persistence.match_columns import row_keys
from persistence.notes import NoteRow
from persistence.partners import PartnerAccountRow, PartnerContactRow, PartnerRow
from persistence.portal import PortalIdentityRow
from persistence.schema import metadata
from persistence.seed.demo_activities import add_activities
from persistence.seed.demo_articles import add_articles
from persistence.seed.demo_cases import CASES as DEMO_CASES
from persistence.seed.demo_cases import add_cases
from persistence.seed.demo_deals import DemoDeals, load_stages
from persistence.seed.demo_leads import add_leads
from persistence.seed.demo_orders import ORDERS as DEMO_ORDERS
from persistence.seed.demo_orders import add_orders
from persistence.seed.demo_surveys import add_surveys
from persistence.seed.generator import (
    CHANNELS,
    PURPOSES,
    STAGES,
    TITLES,
    Generator,
    stable_id,
    stamped,
)
from persistence.territories import TerritoryRow
from persistence.users import UserRow

BASE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
# name -> parent
TERRITORIES = {
    "Global": None, "EMEA": "Global", "Americas": "Global", "APAC": "Global",
    "DACH": "EMEA", "UK & Ireland": "EMEA", "Western Europe": "EMEA", "Nordics": "EMEA",
    "North America": "Americas", "LATAM": "Americas", "Japan": "APAC", "Oceania": "APAC",
    "India": "APAC",
}
COUNTRY_TERRITORY = {
    "US": "North America", "GB": "UK & Ireland", "DE": "DACH", "FR": "Western Europe",
    "NL": "Western Europe", "ES": "Western Europe", "SE": "Nordics", "BR": "LATAM", "MX": "LATAM",
    "JP": "Japan", "AU": "Oceania", "IN": "India",
}
# email -> (name, role, territory)
USERS = {
    "admin@example.com": ("Ada Admin", "admin", "Global"),
    "sales@example.com": ("Sam Sales", "sales", "EMEA"),
    "sales2@example.com": ("Sasha Seller", "sales", "Americas"),
    "marketing@example.com": ("Mara Marketing", "marketing", "Global"),
    "service@example.com": ("Sid Service", "service", "Global"),
    "analyst@example.com": ("Ana Analyst", "analyst", "Global"),
}
PARTNERS = {"Demo Partner": range(0, 10), "Northwind Resellers": range(10, 15)}
ACCOUNTS, CONTACTS = 50, 200
CUSTOMER_EMAIL = "customer@example.com"


def _stamp(kind: str, number, minutes: int, actor: str = "System") -> dict:
    return stamped(kind, number, BASE_TIME + timedelta(minutes=minutes), actor)


class DemoData:
    """Builds every row first, so that the inserts run in one transaction."""

    def __init__(self) -> None:
        self.gen = Generator(seed=2026)
        self.rows: dict[type, list[dict]] = {}

    def add(self, table: type, row: dict) -> dict:
        self.rows.setdefault(table, []).append(row)
        return row

    def build(self) -> DemoData:
        rng = self.gen.rng
        for i, (name, parent) in enumerate(TERRITORIES.items()):
            self.add(TerritoryRow, {**_stamp("territory", name, i), "name": name,
                                    "parent_id": stable_id("territory", parent) if parent else None})
        for i, (email, (name, role, territory)) in enumerate(USERS.items()):
            self.add(UserRow, {**_stamp("user", email, i), "email": email, "name": name,
                               "role": role, "territory_id": stable_id("territory", territory)})
        sales = [stable_id("user", e) for e, u in USERS.items() if u[1] == "sales"]
        staff = [f"User:{stable_id('user', e)}" for e in USERS]
        companies = [self.gen.company(i) for i in range(ACCOUNTS)]
        for i, company in enumerate(companies):
            self.add(AccountRow, {
                **_stamp("account", i, 100 + i), "name": company.name,
                "legal_name": company.legal_name, "industry": company.industry,
                "size": company.size, "website": company.website,
                "parent_id": stable_id("account", i - 1) if i % 10 == 9 else None,
                "owner_id": rng.choice(sales),
                "territory_id": stable_id("territory", COUNTRY_TERRITORY[company.country])})
            for n in range(rng.randrange(1, 4)):
                self._note("Account", stable_id("account", i), f"a{i}-{n}", rng.choice(staff))
        for i in range(CONTACTS):
            company = companies[i % ACCOUNTS] if i % 7 else None  # every 7th person is B2C
            self._contact(i, self.gen.person(i, company), company, rng.choice(sales), staff)
        self._customer(companies[0], sales[0])
        for name, accounts in PARTNERS.items():
            self._partner(name, accounts)
        return self

    def _contact(self, i: int, person, company, owner, staff) -> None:
        rng = self.gen.rng
        contact_id = stable_id("contact", i)
        self.add(ContactRow, {
            **_stamp("contact", i, 200 + i), "first_name": person.first_name,
            "last_name": person.last_name, "emails": person.emails, "phones": person.phones,
            "address": person.address, "lifecycle_stage": rng.choice(STAGES),
            "lead_score": rng.randrange(0, 101), "owner_id": owner,
            "territory_id": stable_id("territory", COUNTRY_TERRITORY[person.country])})
        if company is not None:
            self._link(i % ACCOUNTS, contact_id, f"{i}", rng.choice(TITLES), rng.random() < 0.2)
            if i % 11 == 0:  # some people work with two accounts
                self._link((i + 1) % ACCOUNTS, contact_id, f"{i}b", rng.choice(TITLES), False)
        for n in range(rng.randrange(0, 3)):
            self._note("Contact", contact_id, f"c{i}-{n}", rng.choice(staff))
        for channel, purpose in rng.sample([(c, p) for c in CHANNELS for p in PURPOSES], 2):
            self.add(ConsentRow, {
                **_stamp("consent", f"{i}-{channel}-{purpose}", 300 + i),
                "contact_id": contact_id, "channel": channel, "purpose": purpose,
                "status": "GRANTED" if rng.random() < 0.75 else "WITHDRAWN",
                "recorded_at": BASE_TIME + timedelta(days=rng.randrange(0, 300)),
                "source": rng.choice(("web-form:signup", "import", "portal", "event:expo"))})

    def _link(self, account: int, contact_id, key: str, title: str, decides: bool) -> None:
        self.add(AccountContactRow, {**_stamp("link", key, 500), "job_title": title,
                                     "account_id": stable_id("account", account),
                                     "contact_id": contact_id, "is_decision_maker": decides})

    def _note(self, record_type: str, record_id, key: str, author: str) -> None:
        rng = self.gen.rng
        body = rng.choice(("Called about renewal; follow up next week.",
                           "Asked for a quote on the premium plan.",
                           "Prefers email over phone.", "Met at the spring trade fair.",
                           "Escalated a billing question to finance."))
        self.add(NoteRow, {**_stamp("note", key, 600 + rng.randrange(0, 5000), author),
                           "record_type": record_type, "record_id": record_id, "body": body})

    def _customer(self, company, owner) -> None:
        contact_id = stable_id("contact", "customer")
        self.add(ContactRow, {
            **_stamp("contact", "customer", 199), "first_name": "Casey", "last_name": "Customer",
            "emails": [{"address": CUSTOMER_EMAIL, "primary": True, "label": "personal"}],
            "phones": [{"number": "+447400123400", "primary": True, "label": "mobile"}],
            "address": {"street": "1 High Street", "city": "London", "region": None,
                        "postalCode": "EC1A 1BB", "country": "GB"},
            "lifecycle_stage": "CUSTOMER", "lead_score": 80, "owner_id": owner,
            "territory_id": stable_id("territory", "UK & Ireland")})
        self._link(0, contact_id, "customer", "Office Manager", False)
        self.add(PortalIdentityRow, {**_stamp("portal", CUSTOMER_EMAIL, 0),
                                     "contact_id": contact_id, "email": CUSTOMER_EMAIL})
        self.add(ConsentRow, {**_stamp("consent", "customer-newsletter", 0),
                              "contact_id": contact_id, "channel": "EMAIL",
                              "purpose": "newsletter", "status": "GRANTED",
                              "recorded_at": BASE_TIME, "source": "portal"})

    def _partner(self, name: str, accounts: range) -> None:
        partner_id = stable_id("partner", name)
        self.add(PartnerRow, {**_stamp("partner", name, 0), "name": name})
        account_ids = {stable_id("account", a) for a in accounts}
        for account in accounts:
            self.add(PartnerAccountRow, {**_stamp("partner-account", f"{name}-{account}", 0),
                                         "partner_id": partner_id,
                                         "account_id": stable_id("account", account)})
        contacts = {link["contact_id"] for link in self.rows[AccountContactRow]
                    if link["account_id"] in account_ids}
        for contact_id in sorted(contacts):
            self.add(PartnerContactRow, {**_stamp("partner-contact", f"{name}-{contact_id}", 0),
                                         "partner_id": partner_id, "contact_id": contact_id})



def _territory_reps() -> dict[str, object]:
    """Each territory's sales rep: the sales user of the territory or the nearest one above."""
    reps = {territory: stable_id("user", email) for email, (_, role, territory) in USERS.items()
            if role == "sales"}
    found = {}
    for territory in TERRITORIES:
        place = territory
        while place is not None and place not in reps:
            place = TERRITORIES[place]
        if place is not None:
            found[territory] = reps[place]
    return found


def _uniform(table: Table, rows: list[dict]) -> list[dict]:
    """Rows of one table with the same keys, as one multi-row insert needs: a nullable column
    some rows leave out is null in them (case comments and calls share the activity table)."""
    keys = {k for row in rows for k in row}
    nullable = {k for k in keys if table.c[k].nullable}
    return [{**dict.fromkeys(nullable - row.keys()), **row} for row in rows]


async def seed_demo(conn: AsyncConnection) -> dict[str, int] | None:
    """Load the demo into an empty database; None when it already holds data."""
    if not await is_empty(conn):
        return None
    data = DemoData().build()
    DemoDeals(data, await load_stages(conn), BASE_TIME).add_all(
        data.rows[AccountRow], data.rows[AccountContactRow])
    add_leads(data, BASE_TIME, COUNTRY_TERRITORY, _territory_reps())
    add_activities(data, BASE_TIME, BASE_TIME + timedelta(days=300))
    standard_book = (await conn.execute(text(
        "SELECT id FROM price_book WHERE is_standard"))).scalar()
    add_orders(data, BASE_TIME, standard_book, data.rows[AccountRow])
    add_articles(data, BASE_TIME)
    agents = [stable_id("user", e) for e, u in USERS.items() if u[1] in ("service", "admin")]
    add_cases(data, BASE_TIME + timedelta(days=300), agents, data.rows[AccountRow],
              data.rows[AccountContactRow])
    add_surveys(data, BASE_TIME)
    for row_class, type_name in ((ContactRow, "Contact"), (AccountRow, "Account")):
        for row in data.rows[row_class]:
            row.update(row_keys(type_name, row))
    by_table = {row_class.__table__: rows for row_class, rows in data.rows.items()}
    # In the order of the foreign keys, so that every reference lands after what it names.
    for table in metadata.sorted_tables:
        if by_table.get(table):
            await conn.execute(insert(table), _uniform(table, by_table[table]))
    # New orders are numbered after the demo's.
    await conn.execute(text(f"SELECT setval('order_number', {DEMO_ORDERS})"))
    await conn.execute(text(f"SELECT setval('case_number', {DEMO_CASES})"))
    # The demo shows its analytics from the start, as of the moment it is loaded.
    raw = await conn.get_raw_connection()
    await analytics_refresh.refresh(raw.driver_connection, "EUR", datetime.now(UTC), DEFAULTS)
    return {table.name: len(rows) for table, rows in by_table.items()}
