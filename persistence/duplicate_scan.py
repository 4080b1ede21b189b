"""The duplicate scans: every candidate pair of a type, or of some changed records, stored in
duplicate_candidate for the review queue.

PostgreSQL forms the blocks, set-based: one GROUP BY per blocking key (each email key, each
phone key, each account's contacts; each account domain and name key) hands back the members
of every block of two or more, with their names. Python then compares within each block with
rapidfuzz: a block's family names against each other in one C call per member, keeping the
pairs whose names are alike enough that the block's own evidence could carry them to the
floor of the queue (a shared email carries anything; a shared phone needs names somewhat
alike, a shared company more alike). The few survivors are then scored exactly, with all
their keys, by domain/duplicates.py, and written in one statement.

A key shared by more than MAX_BLOCK records (a switchboard number, info@) is no identity and
forms no block, as in every record-linkage system: it would cost n² comparisons and find
nothing a better key does not.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import asyncpg
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler

from domain.duplicates import FLOOR, Company, Match, Person, score_companies, score_people
from domain.match_keys import latin, name_key

MAX_BLOCK = 200
# The least family-name likeness that a block's own evidence could lift to FLOOR (see the
# weights in domain/duplicates.py): a shared email lifts any pair, a phone needs 0.55 (with a
# company beside it), a company alone 0.7.
LIKENESS = {"email": 0.0, "phone": 0.55, "account": 0.7}

# Blocks of two or more among the active contacts, by kind: a GROUP BY over every key in one
# pass; or, with the changed contacts' ids as $1, only the blocks of their keys, which the
# keys' indexes find.
CONTACT_BLOCKS = """
WITH keyed AS (
  SELECT 'email' AS kind, k, c.id FROM contact c, unnest(c.email_keys) k
  WHERE c.archived_at IS NULL {emails_of}
  UNION ALL SELECT 'phone', k, c.id FROM contact c, unnest(c.phone_keys) k
  WHERE c.archived_at IS NULL {phones_of}
  UNION ALL SELECT 'account', l.account_id::text, l.contact_id FROM account_contact l
  WHERE l.archived_at IS NULL {accounts_of})
SELECT kind, array_agg(id::text) AS ids FROM keyed GROUP BY kind, k
HAVING count(*) BETWEEN 2 AND {max_block} {changed}
"""
CHANGED_BLOCKS = {
    "emails_of": "AND c.email_keys && (SELECT coalesce(array_agg(x), '{}') FROM contact, "
                 "unnest(email_keys) x WHERE id = ANY($1::uuid[]))",
    "phones_of": "AND c.phone_keys && (SELECT coalesce(array_agg(x), '{}') FROM contact, "
                 "unnest(phone_keys) x WHERE id = ANY($1::uuid[]))",
    "accounts_of": "AND l.account_id IN (SELECT account_id FROM account_contact "
                   "WHERE contact_id = ANY($1::uuid[]))",
    "changed": "AND bool_or(id = ANY($1::uuid[]))",
}
ALL_BLOCKS = dict.fromkeys(CHANGED_BLOCKS, "")
CHANGED_ONLY = CHANGED_BLOCKS["changed"]
# The names of the active contacts (all, or those of $1), read once rather than per block;
# archived contacts are left out here, so their blocks' pairs fall away. Ids travel as text
# in the scan: a str hashes in C, a uuid.UUID in Python, and a million of them are hashed.
NAMES = ("SELECT id::text, first_name, last_name, cardinality(email_keys) > 0 "
         "FROM contact WHERE archived_at IS NULL AND ({everyone} OR id = ANY($1::uuid[]))")
ACCOUNT_BLOCKS = """
WITH active AS (SELECT id, name, domain_key, name_key FROM account WHERE archived_at IS NULL),
keyed AS (SELECT 'domain' AS kind, domain_key AS k, id FROM active WHERE domain_key IS NOT NULL
          UNION ALL SELECT 'name', name_key, id FROM active WHERE name_key IS NOT NULL)
SELECT array_agg(k.id) AS ids, array_agg(a.name) AS names, array_agg(a.domain_key) AS domains
FROM keyed k JOIN active a USING (id) GROUP BY k.kind, k.k
HAVING count(*) BETWEEN 2 AND {max_block} {changed}
"""
STORE = """
INSERT INTO duplicate_candidate (record_type, low_id, high_id, score, reasons)
SELECT $1::text, p.low, p.high, p.score, string_to_array(p.reasons, ',')
FROM unnest($2::uuid[], $3::uuid[], $4::float8[], $5::text[]) AS p(low, high, score, reasons)
WHERE NOT EXISTS (SELECT FROM duplicate_dismissal d WHERE d.record_type = $1::text
                  AND d.low_id = p.low AND d.high_id = p.high)
ON CONFLICT (record_type, low_id, high_id)
DO UPDATE SET score = excluded.score, reasons = excluded.reasons, found_at = now()
"""


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a scan did: records in blocks, pairs compared exactly, pairs stored, seconds."""

    type_name: str
    blocks: int
    compared: int
    stored: int
    seconds: float


def _plain(name: str | None) -> str:
    """Lower case Latin letters, fast for the common ASCII name."""
    if not name:
        return ""
    return name.lower() if name.isascii() else latin(name)


NAMELESS = ("", "")


def alike_pairs(kind: str, ids: list, names: dict) -> Iterable[tuple]:
    """The pairs of a block whose names are alike enough for the block's evidence: family
    names compared in one rapidfuzz call per member, then the given names of those alike."""
    cutoff = LIKENESS[kind]
    if cutoff == 0.0:
        present = [id for id in ids if id in names]
        yield from ((a, b) for i, a in enumerate(present) for b in present[i + 1:])
        return
    # An archived member has no name here: its empty family name is like no other.
    firsts, lasts = zip(*(names.get(id, NAMELESS) for id in ids), strict=True)
    present = ids
    for i in range(len(present) - 1):
        for _, last_alike, j in process.extract(lasts[i], lasts[i + 1:], limit=None,
                                                scorer=JaroWinkler.normalized_similarity,
                                                score_cutoff=cutoff):
            a, b = firsts[i], firsts[i + 1 + j]
            given = (max(JaroWinkler.normalized_similarity(a, b), OSA.normalized_similarity(a, b))
                     if a and b else 0.9)
            if last_alike * given >= cutoff:
                yield present[i], present[i + 1 + j]


def _ordered(a, b):
    """Lower id first (the canonical text of uuids sorts as the uuids do)."""
    return (a, b) if a < b else (b, a)


async def _store(conn: asyncpg.Connection, type_name: str,
                 scored: list[tuple[uuid.UUID, uuid.UUID, Match]]) -> int:
    kept = [(low, high, m) for low, high, m in scored if m.score >= FLOOR]
    if kept:
        await conn.execute(STORE, type_name, [k[0] for k in kept], [k[1] for k in kept],
                           [k[2].score for k in kept], [",".join(k[2].reasons) for k in kept])
    return len(kept)


async def _forget(conn: asyncpg.Connection, type_name: str, changed: list | None) -> None:
    """Drop the stored pairs the scan recomputes: all, or those of the changed records."""
    if changed is None:
        await conn.execute("DELETE FROM duplicate_candidate WHERE record_type = $1", type_name)
    else:
        await conn.execute("DELETE FROM duplicate_candidate WHERE record_type = $1 AND "
                           "(low_id = ANY($2::uuid[]) OR high_id = ANY($2::uuid[]))",
                           type_name, changed)


def _people(blocks, names: dict, members: set[str]) -> dict[str, Person]:
    """The members of the pairs as the scoring sees them, their keys stood for by the blocks
    they are in: two contacts share an email exactly when they share an email block. A
    contact with emails in no block (each its own) still has emails, a key of its own."""
    keys: dict[str, dict[str, set]] = {id: {"email": set(), "phone": set(), "account": set()}
                                       for id in members}
    for n, block in enumerate(blocks):
        for id in block["ids"]:
            if id in keys:
                keys[id][block["kind"]].add(n)
    people = {}
    for id, own in keys.items():
        first, last, has_emails = names[id]
        emails = own["email"] or ({f"own:{id}"} if has_emails else set())
        people[id] = Person(first, last, frozenset(emails), frozenset(own["phone"]),
                            frozenset(own["account"]))
    return people


async def scan_contacts(conn: asyncpg.Connection, changed: list[uuid.UUID] | None = None
                        ) -> ScanResult:
    """Find and store the candidate pairs of all contacts, or of the `changed` ones."""
    started = time.perf_counter()
    sql = CONTACT_BLOCKS.format(max_block=MAX_BLOCK,
                                **(CHANGED_BLOCKS if changed else ALL_BLOCKS))
    async with conn.transaction():
        # A scan's GROUP BY fits in memory rather than spilling: it is one statement at a time.
        await conn.execute("SET LOCAL work_mem = '256MB'")
        blocks = await conn.fetch(sql, *([changed] if changed else []))
    members = None if changed is None else list({id for b in blocks for id in b["ids"]})
    rows = await conn.fetch(NAMES.format(everyone="TRUE" if changed is None else "FALSE"),
                            members or [])
    names = {row[0]: (_plain(row[1]), _plain(row[2])) for row in rows}
    emailed = {row[0] for row in rows if row[3]}
    wanted = None if changed is None else {str(id) for id in changed}
    pairs: set[tuple[str, str]] = set()
    for block in blocks:
        for a, b in alike_pairs(block["kind"], block["ids"], names):
            if wanted is None or a in wanted or b in wanted:
                pairs.add(_ordered(a, b))
    members = {id for pair in pairs for id in pair}
    people = _people(blocks, {id: (*names[id], id in emailed) for id in members}, members)
    scored = [(a, b, score_people(people[a], people[b])) for a, b in pairs]
    async with conn.transaction():
        await _forget(conn, "Contact", changed)
        stored = await _store(conn, "Contact", scored)
    return ScanResult("Contact", len(blocks), len(scored), stored,
                      time.perf_counter() - started)


async def scan_accounts(conn: asyncpg.Connection, changed: list[uuid.UUID] | None = None
                        ) -> ScanResult:
    """Find and store the candidate pairs of all accounts, or of the `changed` ones."""
    started = time.perf_counter()
    sql = ACCOUNT_BLOCKS.format(max_block=MAX_BLOCK, changed=CHANGED_ONLY if changed else "")
    blocks = await conn.fetch(sql, *([changed] if changed else []))
    wanted = None if changed is None else set(changed)
    companies: dict[uuid.UUID, Company] = {}
    pairs: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for block in blocks:
        ids = block["ids"]
        for id, name, domain in zip(ids, block["names"], block["domains"], strict=True):
            companies[id] = Company(name, domain)
        pairs.update(_ordered(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]
                     if wanted is None or a in wanted or b in wanted)
    scored = [(a, b, score_companies(companies[a], companies[b])) for a, b in pairs]
    async with conn.transaction():
        await _forget(conn, "Account", changed)
        stored = await _store(conn, "Account", scored)
    return ScanResult("Account", len(blocks), len(scored), stored,
                      time.perf_counter() - started)



async def refresh_name_keys(conn: asyncpg.Connection, ids: list[uuid.UUID]) -> int:
    """Rewrite the name keys of these contacts where they are not what their names give: a
    safety net for rows written past the stores (an import's COPY, SQL by hand)."""
    rows = await conn.fetch("SELECT id, first_name, last_name, name_key FROM contact "
                            "WHERE id = ANY($1::uuid[])", ids)
    stale = [(r["id"], key) for r in rows
             if (key := name_key(r["first_name"], r["last_name"])) != r["name_key"]]
    if stale:
        await conn.execute("UPDATE contact c SET name_key = v.k FROM unnest($1::uuid[], "
                           "$2::text[]) AS v(id, k) WHERE c.id = v.id",
                           [s[0] for s in stale], [s[1] for s in stale])
    return len(stale)
