"""One batch of imported accounts, written set-based like contacts (persistence.import_contacts):
staged, matched against the accounts the importer reads (external id, then the website's
domain, then the name without its legal form), created or filled in, each record audited and
a filled-in one recorded for undo."""

from __future__ import annotations

import uuid

import asyncpg

from domain.access import Access
from persistence import import_contacts as contacts
from persistence.accounts import ACCOUNT
from persistence.import_contacts import fills_recorded
from persistence.spec import read_sql
from persistence.sql import Builder

STAGE_COLUMNS = ("line", "lines", "external_id", "name", "legal_name", "website", "industry",
                 "size", "tier", "custom", "tags", "domain_key", "name_key")
# Rows start current, as import_contacts.CREATE_STAGE says why.
CREATE_STAGE = """
CREATE TEMP TABLE import_stage (
    line int PRIMARY KEY, lines int[] NOT NULL, external_id text, name text NOT NULL,
    legal_name text, website text, industry text, size text, tier text, custom jsonb NOT NULL,
    tags text[] NOT NULL, domain_key text, name_key text, match_id uuid, new_id uuid,
    refused text, pending boolean NOT NULL DEFAULT true, current boolean NOT NULL DEFAULT true,
    outcome text
) ON COMMIT DROP
"""
_SAME_SOURCE = "(a.external_id IS NULL OR s.external_id IS NULL OR a.external_id = s.external_id)"
FIELDS = (("externalId", "external_id"), ("legalName", "legal_name"), ("website", "website"),
          ("industry", "industry"), ("size", "size"), ("tier", "tier"))


async def stage(db: asyncpg.Connection, records: list[tuple]) -> None:
    await db.execute("SET LOCAL jit = off")
    await db.execute("DROP TABLE IF EXISTS import_stage")
    await db.execute(CREATE_STAGE)
    await db.copy_records_to_table("import_stage", records=records, columns=STAGE_COLUMNS)


def _match_sql(access: Access, b: Builder, only_external: bool) -> str:
    seen = f"a.archived_at IS NULL AND {read_sql(ACCOUNT.spec, access, 'a', b)}"

    def oldest(condition: str) -> str:
        return (f"(SELECT m.id FROM (SELECT a.id, a.created_at FROM account a WHERE {condition} "
                f"AND {_SAME_SOURCE} AND {seen} OFFSET 0) m ORDER BY m.created_at, m.id LIMIT 1)")

    by_external = (f"(SELECT a.id FROM account a WHERE s.external_id IS NOT NULL "
                   f"AND a.external_id = s.external_id AND {seen})")
    if only_external:
        return by_external
    return (f"coalesce({by_external}, "
            f"{oldest('s.domain_key IS NOT NULL AND a.domain_key = s.domain_key')}, "
            f"{oldest('s.name_key IS NOT NULL AND a.name_key = s.name_key')})")


async def match(db: asyncpg.Connection, access: Access, mode: str) -> None:
    await contacts.mark_matches(db, access, mode, _match_sql, ACCOUNT.spec)


async def create(db: asyncpg.Connection, job_id: uuid.UUID, actor: str,
                 owner: uuid.UUID | None) -> None:
    await db.execute("UPDATE import_stage SET new_id = gen_random_uuid(), outcome = 'created' "
                     "WHERE current AND match_id IS NULL")
    await db.execute(
        "INSERT INTO account (id, created_by, updated_by, owner_id, external_id, name, "
        "legal_name, website, industry, size, tier, custom_fields, domain_key, name_key) "
        "SELECT new_id, $1, $1, $2, external_id, name, legal_name, website, industry, size, tier, "
        "custom, domain_key, name_key FROM import_stage WHERE current AND new_id IS NOT NULL",
        actor, owner)
    fields = ", ".join(f"'{name}', s.{column}" for name, column in FIELDS)
    await db.execute(
        f"INSERT INTO audit_entry (id, record_type, record_id, parent_id, action, changes, "
        f"created_by, updated_by) SELECT gen_random_uuid(), 'Account', s.new_id, $1, 'create', "
        f"(SELECT jsonb_object_agg(k, jsonb_build_object('before', NULL, 'after', v)) "
        f"FROM jsonb_each(jsonb_build_object('name', s.name, {fields}, 'owner', $3::uuid::text, "
        f"'customFields', nullif(s.custom, '{{}}'::jsonb), 'tags', "
        f"nullif(to_jsonb(s.tags), '[]'::jsonb))) e(k, v) WHERE v <> 'null'), $2, $2 "
        f"FROM import_stage s WHERE s.current AND s.new_id IS NOT NULL", job_id, actor, owner)


_BEFORE = ", ".join(f"'{name}', a.{column}" for name, column in FIELDS)
_AFTER = ", ".join(f"'{name}', coalesce(a.{column}, s.{column})" for name, column in FIELDS)
_SET = ", ".join(f"{column} = d.after ->> '{name}'" for name, column in FIELDS)
# The matched accounts are looked up by id, as import_contacts._FILL does contacts.
_FILL = f"""
WITH diff AS (
    SELECT a.id, s.line, f.after, (SELECT jsonb_object_agg(x.key, jsonb_build_object(
               'before', f.before -> x.key, 'after', x.value)) FROM jsonb_each(f.after) x
           WHERE x.value IS DISTINCT FROM f.before -> x.key) AS changes,
           CASE WHEN a.website IS NULL THEN s.domain_key ELSE a.domain_key END AS domain_key
    FROM import_stage s CROSS JOIN LATERAL (SELECT * FROM account a WHERE a.id = s.match_id
                                            OFFSET 0) a
    CROSS JOIN LATERAL (SELECT jsonb_build_object({_BEFORE}, 'customFields', a.custom_fields)
                        AS before, jsonb_build_object({_AFTER}, 'customFields',
                        s.custom || a.custom_fields) AS after) f
    WHERE s.current AND s.match_id IS NOT NULL
),
written AS (
    UPDATE account a SET {_SET}, custom_fields = d.after -> 'customFields',
        domain_key = d.domain_key, version = a.version + 1, updated_at = now(), updated_by = $2
    FROM diff d WHERE a.id = d.id AND d.changes IS NOT NULL
    RETURNING a.id, a.version, d.changes, d.line
),
{fills_recorded("Account")}"""


async def fill(db: asyncpg.Connection, job_id: uuid.UUID, actor: str) -> None:
    await contacts.fill(db, job_id, actor, _FILL)
