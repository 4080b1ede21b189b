"""Duplicate candidates of one record, read under the caller's access: by the blocking keys,
only records the caller may read, and only through keys made of fields it may read.

A candidate found through a block the caller could not use would itself tell something (an
email shared with a record one may not read the emails of), so the blocks follow the field
policy as the reasons do: a role that may not read emails neither finds by them nor learns
SAME_EMAIL. The scoring is domain/duplicates.py's; this module loads what it compares.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from domain.access import Access
from domain.duplicates import Company, Person
from domain.match_keys import AccountKeys, ContactKeys, company_name_key
from persistence.record_types import SPECS
from persistence.spec import read_sql
from persistence.sql import Builder, limit_sql

# At most this many rows per block: a key shared by more is a switchboard or a role address,
# and the best candidates share more than one key anyway.
PER_BLOCK = 50
PAIR_TYPES = ("Contact", "Account")


class Rows(Protocol):
    async def rows(self, sql: str, params) -> list[dict]: ...


def pair(a: uuid.UUID, b: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """An unordered pair as the tables hold it: lower id first."""
    return (a, b) if a < b else (b, a)


def _sees(access: Access, type_name: str, *fields: str) -> bool:
    return all(access.can_read(type_name, f) for f in fields)


def _not_dismissed(type_name: str, subject: uuid.UUID | None, t: str, b: Builder) -> str:
    if subject is None:
        return "TRUE"
    return (f"NOT EXISTS (SELECT FROM duplicate_dismissal d WHERE d.record_type = "
            f"{b.bind(type_name)} AND d.low_id = least({t}.id, {b.bind(subject)}) "
            f"AND d.high_id = greatest({t}.id, {b.bind(subject)}))")


class DuplicateStore:
    """Candidates and their comparable data, on a transaction or a reader alike."""

    def __init__(self, db: Rows, access: Access) -> None:
        self.db = db
        self.access = access

    def _person(self, row: dict[str, Any]) -> Person:
        a = self.access
        names = _sees(a, "Contact", "firstName", "lastName")
        return Person(
            first_name=row["first_name"] if names else None,
            last_name=row["last_name"] if names else None,
            emails=frozenset(row["email_keys"] or ()) if _sees(a, "Contact", "emails") else None,
            phones=frozenset(row["phone_keys"] or ()) if _sees(a, "Contact", "phones") else None,
            companies=(frozenset(row["companies"]) if _sees(a, "Contact", "accounts")
                       else None),
            names_visible=names,
        )

    def _company(self, row: dict[str, Any]) -> Company:
        a = self.access
        return Company(name=row["name"] if _sees(a, "Account", "name") else None,
                       domain=row["domain_key"] if _sees(a, "Account", "website") else None)

    async def _read(self, type_name: str, blocks: list[str], b: Builder,
                    subject: uuid.UUID | None) -> list[dict]:
        """The readable, active records of any block (each `t`-aliased WHERE clause), the
        subject and the pairs dismissed with it left out."""
        spec = SPECS[type_name]
        if not blocks:
            return []
        rule = read_sql(spec, self.access, "t", b)
        found = " UNION ".join(
            f"(SELECT t.id FROM {spec.name} t WHERE {block} AND t.archived_at IS NULL "
            f"AND {rule} LIMIT {PER_BLOCK})" for block in blocks)
        columns = ("t.first_name, t.last_name, t.email_keys, t.phone_keys, t.name_key, ARRAY(SELECT "
                   "l.account_id FROM account_contact l WHERE l.contact_id = t.id AND "
                   "l.archived_at IS NULL) AS companies" if type_name == "Contact"
                   else "t.name, t.domain_key")
        mine = "TRUE" if subject is None else f"t.id <> {b.bind(subject)}"
        return await self.db.rows(
            f"SELECT t.id, {columns} FROM {spec.name} t WHERE t.id IN ({found}) AND {mine} "
            f"AND {_not_dismissed(type_name, subject, 't', b)}", b.params)

    async def person(self, id: uuid.UUID) -> Person | None:
        """A contact the caller may read, as the scoring sees it."""
        rows = await self._read("Contact", ["t.id = " + (b := Builder()).bind(id)], b, None)
        return self._person(rows[0]) if rows else None

    async def company(self, id: uuid.UUID) -> Company | None:
        """An account the caller may read, as the scoring sees it."""
        rows = await self._read("Account", ["t.id = " + (b := Builder()).bind(id)], b, None)
        return self._company(rows[0]) if rows else None

    async def people_like(self, keys: ContactKeys, companies: Iterable[uuid.UUID] = (),
                          subject: uuid.UUID | None = None) -> list[tuple[uuid.UUID, Person]]:
        """Readable contacts sharing a key the caller may use with `keys` or an account."""
        a, b, blocks = self.access, Builder(), []
        if keys.emails and _sees(a, "Contact", "emails"):
            blocks.append(f"t.email_keys && {b.bind(list(keys.emails))}::text[]")
        if keys.phones and _sees(a, "Contact", "phones"):
            blocks.append(f"t.phone_keys && {b.bind(list(keys.phones))}::text[]")
        if keys.name and _sees(a, "Contact", "firstName", "lastName"):
            blocks.append(f"t.name_key = {b.bind(keys.name)}")
        if (companies := list(companies)) and _sees(a, "Contact", "accounts"):
            blocks.append(f"t.id IN (SELECT l.contact_id FROM account_contact l WHERE "
                          f"l.account_id = ANY({b.bind(companies)}::uuid[]) "
                          f"AND l.archived_at IS NULL)")
        rows = await self._read("Contact", blocks, b, subject)
        return [(row["id"], self._person(row)) for row in rows]

    async def companies_like(self, keys: AccountKeys, subject: uuid.UUID | None = None
                             ) -> list[tuple[uuid.UUID, Company]]:
        """Readable accounts sharing the domain or the name key with `keys`."""
        a, b, blocks = self.access, Builder(), []
        if keys.domain and _sees(a, "Account", "website"):
            blocks.append(f"t.domain_key = {b.bind(keys.domain)}")
        if keys.name and _sees(a, "Account", "name"):
            blocks.append(f"t.name_key = {b.bind(keys.name)}")
        rows = await self._read("Account", blocks, b, subject)
        return [(row["id"], self._company(row)) for row in rows]

    async def dismiss(self, type_name: str, a: uuid.UUID, b: uuid.UUID) -> bool:
        """Record the pair as no duplicate and drop it from the candidates; False when it
        was dismissed before."""
        low, high = pair(a, b)
        await self.db.rows("DELETE FROM duplicate_candidate WHERE record_type = $1 "
                           "AND low_id = $2 AND high_id = $3", [type_name, low, high])
        rows = await self.db.rows(
            "INSERT INTO duplicate_dismissal (record_type, low_id, high_id, dismissed_by) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING low_id",
            [type_name, low, high, str(self.access.actor)])
        return bool(rows)

    async def hold(self, keys: Iterable[str]) -> None:
        """Transaction locks on these keys, in one order: of two concurrent creations of one
        person, the second waits for the first to commit, then finds it."""
        if keys := sorted(set(keys)):
            await self.db.rows("SELECT pg_advisory_xact_lock(hashtext('duplicate:' || k)) "
                               "FROM unnest($1::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n",
                               [keys])

    async def subject_keys(self, type_name: str, id: uuid.UUID
                           ) -> tuple[ContactKeys | AccountKeys, list[uuid.UUID]] | None:
        """The stored keys of a record the caller may read, and its accounts (contacts)."""
        b = Builder()
        rows = await self._read(type_name, [f"t.id = {b.bind(id)}"], b, None)
        if not rows:
            return None
        row = rows[0]
        if type_name == "Account":
            return AccountKeys(row["domain_key"], company_name_key(row["name"])), []
        return (ContactKeys(tuple(row["email_keys"] or ()), tuple(row["phone_keys"] or ()),
                            row["name_key"]), list(row["companies"]))


@dataclass(frozen=True, slots=True)
class StoredPair:
    """A candidate pair as the review queue lists it."""

    low_id: uuid.UUID
    high_id: uuid.UUID
    score: float
    reasons: tuple[str, ...]


async def candidate_page(db: Rows, access: Access, type_name: str, min_score: float, first: int,
                         after: tuple[float, uuid.UUID, uuid.UUID] | None
                         ) -> tuple[list[StoredPair], bool]:
    """A page of stored candidate pairs of which the caller may read both records, best
    first, after the keyset position `after`; and whether more follow."""
    spec, b = SPECS[type_name], Builder()
    seek = ""
    if after is not None:
        score, low, high = after
        # (score, low, high) below the cursor in (score DESC, low ASC, high ASC) order
        seek = (f"AND (p.score < {b.bind(score)} OR (p.score = {b.bind(score)} AND "
                f"(p.low_id, p.high_id) > ({b.bind(low)}, {b.bind(high)})))")
    both = " AND ".join(
        f"EXISTS (SELECT FROM {spec.name} {t} WHERE {t}.id = p.{end} AND {t}.archived_at IS NULL "
        f"AND {read_sql(spec, access, t, b)})" for t, end in (("lo", "low_id"), ("hi", "high_id")))
    rows = await db.rows(
        f"SELECT p.low_id, p.high_id, p.score, p.reasons FROM duplicate_candidate p "
        f"WHERE p.record_type = {b.bind(type_name)} AND p.score >= {b.bind(min_score)} {seek} "
        f"AND {both} ORDER BY p.score DESC, p.low_id, p.high_id LIMIT {limit_sql(first + 1)}",
        b.params)
    pairs = [StoredPair(r["low_id"], r["high_id"], r["score"], tuple(r["reasons"]))
             for r in rows[:first]]
    return pairs, len(rows) > first
