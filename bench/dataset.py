"""The benchmark's database: one per scale, created, migrated and seeded once, then reused."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from auth.keys import load_or_create_key
from persistence.embedded import embedded_url

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
CONNECT_TIMEOUT = 5
# The staff user the benchmark acts as; Q4's pool lies in its territory, so it may write there.
SALES_USER = "sales@example.com"
Q3_TERRITORY = "DACH"
POOL_SIZE = 2000
# More than the server keeps compiled statements for (2,048), so Q1 measures compiling too.
LOOKUPS = 5000
# Q6's custom field: every contact holds exactly one key, `tier`, so that PostGraphile's
# whole-value condition {"tier": "Gold"} selects what our containment filter selects. About
# one contact in 20 is Gold, one in three Silver, the rest Bronze, fixed by the contact's id.
TIER_FIELD = "tier"
TIER_OPTIONS = ("Gold", "Silver", "Bronze")
Q6_TIER = "Gold"
# uuid5(NAMESPACE_URL, "crm-bench/custom_field/Contact/tier"): the same in every bench database.
TIER_DEFINITION_ID = "744aef35-530d-553d-b9f0-1322a30a20a4"
TIER_OF_CONTACT = """(CASE ('x' || left(md5(id::text), 7))::bit(28)::int % 20
    WHEN 0 THEN 'Gold' WHEN 1 THEN 'Silver' WHEN 2 THEN 'Silver' WHEN 3 THEN 'Silver'
    WHEN 4 THEN 'Silver' WHEN 5 THEN 'Silver' WHEN 6 THEN 'Silver' ELSE 'Bronze' END)"""


@dataclass(frozen=True)
class Fixtures:
    """The records the questions ask about, as raw uuids."""

    contact_id: str
    account_id: str
    account_contacts: int
    territory_id: str
    territory_name: str
    territory_contacts: int
    pool: tuple[str, ...]  # contacts Q4 updates, writable by SALES_USER
    lookups: tuple[str, ...] = ()  # contacts Q1 asks for in turn, so no answer is a repeat
    timeline_account_id: str = ""  # Q5: the account with the longest timeline
    timeline_activities: int = 0
    tier_contacts: int = 0  # Q6: live contacts whose tier is Q6_TIER


def database_name(scale: int) -> str:
    return f"crm_bench_{scale}"


def with_database(url: str, name: str) -> str:
    """The same server URL, pointing at database `name`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def crm_env(url: str, crm_home: Path) -> dict[str, str]:
    """The environment every `crm` command and our server run with. Production refuses to
    generate a signing key, so the bench keeps one in its CRM_HOME and hands it over."""
    key = load_or_create_key(crm_home)
    # One token sends every request: a limit no run reaches keeps the rate limiter's own
    # work in the figures without refusing anything.
    return {**os.environ, "DATABASE_URL": url, "CRM_HOME": str(crm_home), "CRM_ENV": "prod",
            "CRM_RATE_LIMIT": "1000000/second",
            "CRM_JWT_PRIVATE_KEY": json.dumps(key.as_dict(private=True))}


async def _connect(url: str) -> asyncpg.Connection:
    # asyncpg reads postgresql:// URLs, including ?host=/socket/dir for the embedded server.
    return await asyncpg.connect(url, timeout=CONNECT_TIMEOUT)


async def _answers(url: str) -> bool:
    try:
        await (await _connect(url)).close()
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    return True


async def _ensure_database(server_url: str, name: str) -> None:
    conn = await _connect(with_database(server_url, "postgres"))
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def database_url(scale: int, crm_home: Path) -> str:
    """DATABASE_URL's server, else 127.0.0.1:5432 if it answers, else the embedded one."""
    name = database_name(scale)
    server = os.environ.get("DATABASE_URL") or (
        LOCAL_SERVER if asyncio.run(_answers(LOCAL_SERVER)) else None)
    if server is None:
        print(f"bench: no PostgreSQL on 127.0.0.1:5432; using the embedded one in {crm_home}")
        return embedded_url(crm_home, database=name)
    asyncio.run(_ensure_database(server, name))
    return with_database(server, name)


async def _contact_count(url: str) -> int | None:
    conn = await _connect(url)
    try:
        if await conn.fetchval("SELECT to_regclass('contact')") is None:
            return None
        return await conn.fetchval("SELECT count(*) FROM contact")
    finally:
        await conn.close()


async def _has_activities(url: str) -> bool:
    conn = await _connect(url)
    try:
        return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM activity)")
    finally:
        await conn.close()


async def recreate_database(server_url: str, name: str) -> None:
    """An empty database `name` on the server, dropped first if it exists."""
    conn = await _connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _ensure_tiers(url: str) -> int:
    """Q6's custom field: its definition, and each contact's tier, written where missing or
    different, so that a database seeded before custom fields needs no seeding again.
    Returns how many contacts it wrote."""
    conn = await _connect(url)
    try:
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO custom_field (id, kind, name, label, type, required, group_name, "
                "options, created_by, updated_by) VALUES ($1::uuid, 'Contact', $2, 'Tier', "
                "'SINGLE_SELECT', FALSE, 'custom', $3::varchar[], 'bench', 'bench') "
                "ON CONFLICT (kind, name) DO NOTHING", TIER_DEFINITION_ID, TIER_FIELD,
                list(TIER_OPTIONS))
            status = await conn.execute(
                f"UPDATE contact SET custom_fields = jsonb_build_object($1::text, "
                f"{TIER_OF_CONTACT}) WHERE custom_fields IS DISTINCT FROM "
                f"jsonb_build_object($1::text, {TIER_OF_CONTACT})", TIER_FIELD)
        if written := int(status.split()[-1]):
            await conn.execute("ANALYZE contact")
        return written
    finally:
        await conn.close()


def ensure_tiers(url: str) -> None:
    if written := asyncio.run(_ensure_tiers(url)):
        print(f"bench: gave {written:,} contacts their {TIER_FIELD} custom value (Q6)")


def prepare(scale: int, crm_home: Path, venv_bin: Path) -> str:
    """URL of a database holding exactly `scale` generated contacts, seeding it if need be,
    with Q6's custom field defined and filled in."""
    url = _prepare(scale, crm_home, venv_bin)
    ensure_tiers(url)
    return url


def _prepare(scale: int, crm_home: Path, venv_bin: Path) -> str:
    url = database_url(scale, crm_home)
    env = crm_env(url, crm_home)
    subprocess.run([venv_bin / "crm", "migrate"], env=env, check=True, timeout=300)
    count = asyncio.run(_contact_count(url))
    if count == scale and asyncio.run(_has_activities(url)):
        print(f"bench: reusing {database_name(scale)}, which holds {scale:,} contacts")
        return url
    if count == scale:
        # Seeded before the data set had activities: the bench's own database, made afresh.
        print(f"bench: {database_name(scale)} predates activities; seeding it again")
        asyncio.run(recreate_database(with_database(url, "postgres"), database_name(scale)))
        subprocess.run([venv_bin / "crm", "migrate"], env=env, check=True, timeout=300)
        count = 0
    if count:
        sys.exit(f"bench: {database_name(scale)} holds {count:,} contacts, not {scale:,}; "
                 f"drop it (dropdb {database_name(scale)}) and run again")
    # About 10,000 contacts a second; allow a generous multiple before giving up.
    subprocess.run([venv_bin / "crm", "seed", "--contacts", str(scale)], env=env, check=True,
                   timeout=600 + scale // 100)
    return url


FIXTURES_SQL = {
    "contact": "SELECT id::text FROM contact WHERE archived_at IS NULL ORDER BY id LIMIT 1",
    "lookups": "SELECT id::text FROM contact WHERE archived_at IS NULL ORDER BY id LIMIT $1",
    # Q2 wants an account with 20 contacts; the bulk seed makes 1 to 20, so take the largest.
    "account": """
        SELECT account_id::text, count(*) FROM account_contact WHERE archived_at IS NULL
        GROUP BY account_id ORDER BY count(*) DESC, account_id LIMIT 1""",
    # Contacts live only in leaf territories; fall back to the fullest one if DACH is empty.
    "territory": """
        SELECT t.id::text, t.name, count(c.id) FROM territory t JOIN contact c
          ON c.territory_id = t.id AND c.archived_at IS NULL
        GROUP BY t.id, t.name ORDER BY t.name <> $1, count(c.id) DESC LIMIT 1""",
    # Q5 wants a long timeline that PostGraphile can ask for too: an account whose contacts'
    # activities all name the account, and whose deals have none (its own condition suffices).
    "timeline": """
        WITH longest AS (
            SELECT account_id, count(*) AS n FROM activity
            WHERE account_id IS NOT NULL AND archived_at IS NULL
            GROUP BY account_id ORDER BY count(*) DESC, account_id LIMIT 200)
        SELECT t.account_id::text, t.n FROM longest t
        WHERE NOT EXISTS (
            SELECT 1 FROM account_contact l JOIN activity b ON b.contact_id = l.contact_id
            WHERE l.account_id = t.account_id AND l.archived_at IS NULL
              AND b.archived_at IS NULL AND b.account_id IS DISTINCT FROM t.account_id)
          AND NOT EXISTS (
            SELECT 1 FROM opportunity o JOIN activity b ON b.opportunity_id = o.id
            WHERE o.account_id = t.account_id)
        ORDER BY t.n DESC, t.account_id LIMIT 1""",
    "pool": """
        WITH RECURSIVE reach AS (
            SELECT territory_id AS id FROM app_user WHERE lower(email) = $1
            UNION SELECT t.id FROM territory t JOIN reach ON t.parent_id = reach.id)
        SELECT c.id::text FROM contact c
        WHERE c.archived_at IS NULL AND c.id <> $2::uuid
          AND (c.territory_id IN (SELECT id FROM reach)
               OR c.owner_id = (SELECT id FROM app_user WHERE lower(email) = $1))
        ORDER BY c.id LIMIT $3""",
    "tier": """
        SELECT count(*) FROM contact
        WHERE custom_fields @> jsonb_build_object($1::text, $2::text) AND archived_at IS NULL""",
}


async def _fixtures(url: str) -> Fixtures:
    conn = await _connect(url)
    try:
        contact_id = await conn.fetchval(FIXTURES_SQL["contact"])
        account_id, account_contacts = await conn.fetchrow(FIXTURES_SQL["account"])
        territory = await conn.fetchrow(FIXTURES_SQL["territory"], Q3_TERRITORY)
        pool = await conn.fetch(FIXTURES_SQL["pool"], SALES_USER, contact_id, POOL_SIZE)
        lookups = await conn.fetch(FIXTURES_SQL["lookups"], LOOKUPS)
        timeline = await conn.fetchrow(FIXTURES_SQL["timeline"])
        tier_contacts = await conn.fetchval(FIXTURES_SQL["tier"], TIER_FIELD, Q6_TIER)
    finally:
        await conn.close()
    return Fixtures(contact_id, account_id, account_contacts, territory[0], territory[1],
                    territory[2], tuple(r[0] for r in pool), tuple(r[0] for r in lookups),
                    *(timeline or ("", 0)), tier_contacts)


def fixtures(url: str) -> Fixtures:
    """Pick the contact, account, territory and update pool the questions use."""
    found = asyncio.run(_fixtures(url))
    if len(found.pool) < 100:
        sys.exit(f"bench: only {len(found.pool)} contacts are writable by {SALES_USER}; "
                 "Q4 needs a pool of at least 100")
    return found


async def _versions(url: str, ids: tuple[str, ...]) -> dict[str, int]:
    conn = await _connect(url)
    try:
        rows = await conn.fetch("SELECT id::text, version FROM contact WHERE id = ANY($1::uuid[])",
                                list(ids))
    finally:
        await conn.close()
    return {r[0]: r[1] for r in rows}


def versions(url: str, ids: tuple[str, ...]) -> dict[str, int]:
    """The current version of each contact in the pool, read just before a Q4 run."""
    return asyncio.run(_versions(url, ids))
