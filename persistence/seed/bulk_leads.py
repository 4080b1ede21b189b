"""Leads for `crm seed --contacts N`: about one for every two contacts, over the same history,
in the statuses and with the timings that the lead funnel (persistence/funnel.py) counts.

Leads are drawn beside each contact from a random stream of their own (see bulk_deals), so
adding them changed no other row, and the same contacts give the same leads whether they are
being generated or read back from a database seeded before leads were part of the seed
(bulk_backfill). Some contacts at an account are a converted lead: created days before the
contact, mostly qualified first, and converted when the contact was created, at the contact's
first account, most often opening a new-business deal there (bulk_lead_deals). The other
leads never became contacts: people and companies of their own, in the contact's country,
territory and owner, and NEW, WORKING, QUALIFIED or DISQUALIFIED by their source and age.

The funnel learns when a lead was qualified from its audit trail, so each status change is
written as the entry the API writes: `update` to QUALIFIED or DISQUALIFIED, and `convert`.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import orjson

from persistence.audit import AuditEntryRow
from persistence.base import jsonable
from persistence.leads import LeadRow
from persistence.seed import demo
from persistence.seed.bulk_history import Rows
from persistence.seed.bulk_lead_deals import LeadDeals
from persistence.seed.bulk_pools import B2C_SHARE, START, local_part, phone_pool, stable_hex, stamp
from persistence.seed.demo_deals import StageInfo
from persistence.seed.generator import COMPANY_WORDS, FIRST_NAMES, INDUSTRIES, LAST_NAMES, SIZES, TITLES

LEADS_PER_CONTACT = 0.5
# source -> (its share of the leads, the share of its leads qualified): referrals qualify
# best, bought lists worst.
SOURCES = {"WEB_FORM": (0.34, 0.30), "CAMPAIGN": (0.20, 0.25), "EVENT": (0.12, 0.40),
           "REFERRAL": (0.10, 0.60), "PARTNER": (0.08, 0.50), "IMPORT": (0.16, 0.15)}
CONVERTED_SHARE = 0.45  # of the qualified leads
UNQUALIFIED_CONVERSIONS = 0.15  # of the converted: converted straight from WORKING
DEAL_SHARE = 0.85  # of the converted: a deal opened on conversion
LATER_DISQUALIFIED = 0.3  # of the qualified leads never converted
UNASSIGNED_SHARE = 0.3  # of the NEW leads: no owner yet
# Medians of the log-normal days from created to qualified, from qualified to converted,
# and to disqualified; and how widely they spread.
QUALIFY_DAYS, CONVERT_DAYS, DROP_DAYS, SPREAD = 6, 12, 20, 0.8
FRESH = timedelta(days=30)  # younger leads not qualified are mostly still NEW or WORKING
CAMPAIGN_THEMES = ("Webinar series", "Product launch", "Newsletter", "Paid search", "Free trial")
EVENTS = ("Spring expo", "Autumn summit", "Partner day", "Roadshow")
LEAD = LeadRow.__tablename__
AUDIT = AuditEntryRow.__tablename__


@dataclass(frozen=True, slots=True)
class SeededAccount:
    """A contact's first account, as the leads drawn beside the contact see it."""

    id: str | uuid.UUID
    name: str
    industry: str | None
    size: str | None
    website: str | None
    territory_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class SeededContact:
    """A contact as the leads and survey responses drawn beside it see it: the same whether it
    was just generated or is read back from a database seeded before (bulk_backfill)."""

    id: str | uuid.UUID
    created: datetime
    first_name: str | None
    last_name: str
    email: str | None  # the primary address, lower-cased as contact.primary_email is
    phone: str | None  # the primary number
    country: str | None
    owner: uuid.UUID | None
    territory_id: uuid.UUID | None
    account: SeededAccount | None


@cache
def _phones() -> dict[str, tuple[str, ...]]:
    return phone_pool()


def as_uuid(value: str | uuid.UUID) -> uuid.UUID:
    """A seeded id, which the rows hold as 32 hex digits or as read back, as a UUID."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


class BulkLeads:
    """Draws the leads beside each contact, in contact order."""

    def __init__(self, stages: dict[str, list[StageInfo]], seed: int) -> None:
        self.rng = random.Random(seed * 7919 + 4)
        self.deals = LeadDeals(stages.get("NEW_BUSINESS", []), self.rng)
        self.made = 0
        qualified = sum(share * q for share, q in SOURCES.values())
        converted = LEADS_PER_CONTACT * qualified * CONVERTED_SHARE  # per contact
        # Only a contact at an account was converted from a lead: conversion needs one.
        self.conversion_chance = converted / (1 - B2C_SHARE)
        self.others = LEADS_PER_CONTACT - converted  # per contact, never converted
        self.sources = tuple(SOURCES)
        # Converted leads came from each source by its share of conversions, the others by
        # what remains, so that over all leads each source has its share and qualified share.
        self.converted_weights = [share * q for share, q in SOURCES.values()]
        self.other_weights = [share * (1 - q * CONVERTED_SHARE) for share, q in SOURCES.values()]
        self.qualified_given = {source: q * (1 - CONVERTED_SHARE) / (1 - q * CONVERTED_SHARE)
                                for source, (_, q) in SOURCES.items()}

    def for_contact(self, rows: Rows, contact: SeededContact) -> None:
        rng = self.rng
        if contact.account is not None and rng.random() < self.conversion_chance:
            self._converted(rows, contact)
        for _ in range(math.floor(self.others) + (rng.random() < self.others % 1)):
            self._other(rows, contact)

    def _days(self, median: float) -> timedelta:
        return timedelta(days=self.rng.lognormvariate(math.log(median), SPREAD))

    def _campaign(self, source: str, created: datetime) -> str | None:
        if source == "CAMPAIGN":
            quarter = (created.month - 1) // 3 + 1
            return f"{self.rng.choice(CAMPAIGN_THEMES)} {created.year} Q{quarter}"
        return f"{self.rng.choice(EVENTS)} {created.year}" if source == "EVENT" else None

    def _converted(self, rows: Rows, contact: SeededContact) -> None:
        """The lead the contact was converted from, when the contact was created."""
        rng, account = self.rng, contact.account
        source = rng.choices(self.sources, self.converted_weights)[0]
        to_qualify, to_convert = self._days(QUALIFY_DAYS), self._days(CONVERT_DAYS)
        converted = contact.created
        # A contact of the history's first days was a lead for a shorter while.
        scale = min(1.0, (converted - START) / (to_qualify + to_convert))
        created = converted - (to_qualify + to_convert) * scale
        qualified = (None if rng.random() < UNQUALIFIED_CONVERSIONS
                     else created + to_qualify * scale)
        campaign = self._campaign(source, created)
        deal = (self.deals.open(rows, contact, converted, campaign)
                if self.deals.stages and rng.random() < DEAL_SHARE else None)
        changes = [] if qualified is None else [(qualified, "update",
                                                 {"status": ("WORKING", "QUALIFIED")})]
        changes.append((converted, "convert", {
            "status": ("WORKING" if qualified is None else "QUALIFIED", "CONVERTED"),
            "convertedAt": (None, converted), "convertedContact": (None, as_uuid(contact.id)),
            "convertedAccount": (None, as_uuid(account.id)),
            "convertedOpportunity": (None, deal and as_uuid(deal))}))
        self._lead(rows, created, contact.owner, changes, (
            contact.first_name, contact.last_name, contact.email, contact.phone,
            rng.choice(TITLES), account.name, account.industry, account.size, contact.country,
            account.website, source, campaign, "CONVERTED", rng.randrange(55, 101),
            contact.owner, contact.territory_id, converted, contact.id, account.id, deal))

    def _other(self, rows: Rows, contact: SeededContact) -> None:
        """A lead that never became a contact, arriving about when the contact did."""
        rng = self.rng
        source = rng.choices(self.sources, self.other_weights)[0]
        created = min(contact.created + timedelta(hours=rng.uniform(0, 48)), demo.BASE_TIME)
        campaign = self._campaign(source, created)
        status, changes = "WORKING", []
        if rng.random() < self.qualified_given[source]:
            qualified = created + self._days(QUALIFY_DAYS)
            if qualified <= demo.BASE_TIME:  # else it is being worked still
                status, changes = "QUALIFIED", [(qualified, "update",
                                                 {"status": ("WORKING", "QUALIFIED")})]
                if rng.random() < LATER_DISQUALIFIED:
                    self._drop(changes, qualified, "QUALIFIED")
        else:
            roll = rng.random()
            if demo.BASE_TIME - created < FRESH:
                status = "NEW" if roll < 0.5 else "WORKING"
            elif roll < 0.1:
                status = "NEW"
            elif roll >= 0.4:
                self._drop(changes, created, "WORKING")
        if changes and changes[-1][2]["status"][1] == "DISQUALIFIED":
            status = "DISQUALIFIED"
        owner = (None if status == "NEW" and rng.random() < UNASSIGNED_SHARE
                 else contact.owner)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        words = rng.sample(COMPANY_WORDS, 2)
        domain = f"{local_part(words[0])}{local_part(words[1])}-{self.made}.example.com"
        pool = _phones().get(contact.country or "")
        self._lead(rows, created, owner, changes, (
            first, last, f"{local_part(first)}.{local_part(last)}@{domain}",
            rng.choice(pool) if pool else None, rng.choice(TITLES), " ".join(words),
            rng.choice(INDUSTRIES), rng.choice(SIZES), contact.country, f"https://www.{domain}",
            source, campaign, status,
            rng.randrange(40, 96) if changes and status != "DISQUALIFIED"
            else rng.randrange(0, 71),
            owner, contact.territory_id, None, None, None, None))

    def _drop(self, changes: list, after: datetime, before: str) -> None:
        """Disqualify the lead some days `after`, unless that lies beyond the present."""
        dropped = after + self._days(DROP_DAYS)
        if dropped <= demo.BASE_TIME:
            changes.append((dropped, "update", {"status": (before, "DISQUALIFIED")}))

    def _lead(self, rows: Rows, created: datetime, owner: uuid.UUID | None, changes: list,
              values: tuple) -> None:
        """The lead's row and the audit entries of its changes, made by its owner."""
        n = self.made
        self.made += 1
        lead_id = stable_hex("lead", n)
        actor = f"User:{owner}" if owner else "System"
        updated = changes[-1][0] if changes else created
        rows[LEAD].append((lead_id, created, updated, "System", actor if changes else "System",
                           1 + len(changes), None) + values)
        for k, (at, action, change) in enumerate(changes):
            body = {field: {"before": jsonable(before), "after": jsonable(after)}
                    for field, (before, after) in change.items()}
            rows[AUDIT].append(stamp(stable_hex("lead-audit", f"{n}-{k}"), at, actor) + (
                "Lead", lead_id, None, action, orjson.dumps(body).decode()))


# Columns after the stamp, in the order the rows above hold them.
COLUMNS = {
    LEAD: ("first_name", "last_name", "email", "phone", "title", "company", "industry", "size",
           "country", "website", "source", "campaign", "status", "score", "owner_id",
           "territory_id", "converted_at", "converted_contact_id", "converted_account_id",
           "converted_opportunity_id"),
    AUDIT: ("record_type", "record_id", "parent_id", "action", "changes"),
}
