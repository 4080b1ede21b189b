"""What hangs on the contacts of an imported batch: their companies (found or created, and
linked with the job title and decision-maker flag), their tags and their consents. Each
statement works on the whole staged batch; what it adds is recorded for undo (a company it
creates by its audit entry, as import_contacts says)."""

from __future__ import annotations

import uuid

import asyncpg

from domain.access import Access
from domain.tags import DEFAULT_COLOUR
from persistence.accounts import ACCOUNT
from persistence.spec import read_sql, write_sql
from persistence.sql import Builder

# The contact a staged row wrote: created, or matched and kept (filled in or unchanged).
WRITTEN = "s.outcome IN ('created', 'updated', 'unchanged')"
CONTACT_ID = "coalesce(s.new_id, s.match_id)"
# What hangs on a contact the import created goes with it when the import is undone (the
# contact is archived): undo needs to know only what the import added to existing contacts.
_OF_EXISTING = "NOT EXISTS (SELECT 1 FROM import_stage n WHERE n.new_id = l.contact_id)"


def _account_match(access: Access, b: Builder) -> str:
    seen = f"a.archived_at IS NULL AND {read_sql(ACCOUNT.spec, access, 'a', b)}"

    def oldest(condition: str) -> str:
        # OFFSET 0 keeps the planner from walking accounts in created_at order (see
        # import_contacts._oldest).
        return (f"(SELECT m.id FROM (SELECT a.id, a.created_at FROM account a WHERE {condition} "
                f"AND {seen} OFFSET 0) m ORDER BY m.created_at, m.id LIMIT 1)")

    return (f"coalesce((SELECT a.id FROM account a WHERE k.external_id IS NOT NULL "
            f"AND a.external_id = k.external_id AND {seen}), "
            f"{oldest('k.domain_key IS NOT NULL AND a.domain_key = k.domain_key')}, "
            f"{oldest('k.name_key IS NOT NULL AND a.name_key = k.name_key')})")


async def companies(db: asyncpg.Connection, access: Access, job_id: uuid.UUID, actor: str,
                    owner: uuid.UUID | None) -> None:
    """Find or create each company of the batch once, then link its contacts to it."""
    await db.execute(
        f"CREATE TEMP TABLE import_company ON COMMIT DROP AS SELECT DISTINCT ON (company_key) "
        f"company_key AS key, company_name AS name, company_website AS website, "
        f"company_external_id AS external_id, company_domain_key AS domain_key, "
        f"company_name_key AS name_key, NULL::uuid AS account_id, NULL::uuid AS new_id "
        f"FROM import_stage s WHERE company_key IS NOT NULL AND {WRITTEN} "
        f"ORDER BY company_key, line")
    b = Builder()
    await db.execute(f"UPDATE import_company k SET account_id = {_account_match(access, b)}",
                     *b.params)
    await db.execute("UPDATE import_company SET new_id = gen_random_uuid() "
                     "WHERE account_id IS NULL AND name IS NOT NULL")
    await db.execute(
        "INSERT INTO account (id, created_by, updated_by, owner_id, name, website, external_id, "
        "domain_key, name_key) SELECT new_id, $1, $1, $2, name, website, external_id, "
        "domain_key, name_key FROM import_company WHERE new_id IS NOT NULL", actor, owner)
    await db.execute(
        "INSERT INTO audit_entry (id, record_type, record_id, parent_id, action, changes, "
        "created_by, updated_by) SELECT gen_random_uuid(), 'Account', new_id, $1, 'create', "
        "(SELECT jsonb_object_agg(k, jsonb_build_object('before', NULL, 'after', v)) FROM "
        "jsonb_each(jsonb_build_object('name', name, 'website', website, "
        "'externalId', external_id, 'owner', $3::uuid::text)) e(k, v) WHERE v <> 'null'), $2, $2 "
        "FROM import_company WHERE new_id IS NOT NULL", job_id, actor, owner)
    # A link changes the account too: an existing account the importer may not write
    # keeps its contacts as they are.
    b = Builder()
    await db.execute(
        f"UPDATE import_company k SET account_id = NULL WHERE new_id IS NULL "
        f"AND account_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM account a "
        f"WHERE a.id = k.account_id AND {write_sql(ACCOUNT.spec, access, 'a', b)})", *b.params)
    b = Builder()
    job, who = b.bind(job_id), b.bind(actor)
    await db.execute(
        f"WITH linked AS (INSERT INTO account_contact (id, account_id, contact_id, job_title, "
        f"is_decision_maker, created_by, updated_by) "
        f"SELECT gen_random_uuid(), coalesce(k.new_id, k.account_id), {CONTACT_ID}, s.job_title, "
        f"coalesce(s.is_decision_maker, false), {who}, {who} FROM import_stage s "
        f"JOIN import_company k ON k.key = s.company_key "
        f"WHERE {WRITTEN} AND coalesce(k.new_id, k.account_id) IS NOT NULL "
        f"ON CONFLICT (account_id, contact_id) DO NOTHING "
        f"RETURNING id, account_id, contact_id, job_title, is_decision_maker), "
        f"audited AS (INSERT INTO audit_entry (id, record_type, record_id, parent_id, action, "
        f"changes, created_by, updated_by) SELECT gen_random_uuid(), 'AccountContact', l.id, "
        f"l.contact_id, 'link', jsonb_build_object('account', jsonb_build_object('before', "
        f"NULL, 'after', l.account_id), 'jobTitle', jsonb_build_object('before', NULL, "
        f"'after', l.job_title), 'isDecisionMaker', jsonb_build_object('before', NULL, "
        f"'after', l.is_decision_maker)), {who}, {who} FROM linked l WHERE {_OF_EXISTING}) "
        f"INSERT INTO import_record (job_id, record_type, record_id, action, before, version) "
        f"SELECT {job}, 'AccountContact', l.id, 'created', '{{}}', 1 FROM linked l "
        f"WHERE {_OF_EXISTING}", *b.params)


async def tags(db: asyncpg.Connection, kind: str, job_id: uuid.UUID, actor: str,
               create_missing: bool, id_sql: str = CONTACT_ID, written: str = WRITTEN) -> None:
    """Tag the written records; a tag not yet known is created when the importer may."""
    if create_missing:
        await db.execute(
            f"INSERT INTO tag (id, kind, name, colour, created_by, updated_by) "
            f"SELECT gen_random_uuid(), $1::text, t.name, $2::text, $3::text, $3::text "
            f"FROM (SELECT DISTINCT ON (lower(wanted.tag)) wanted.tag AS name "
            f"FROM import_stage s, unnest(s.tags) wanted(tag) WHERE {written} "
            f"ORDER BY lower(wanted.tag), wanted.tag) t WHERE NOT EXISTS (SELECT 1 FROM tag g "
            f"WHERE g.kind = $1::text AND lower(g.name) = lower(t.name) AND g.archived_at IS NULL)",
            kind, DEFAULT_COLOUR, actor)
    await db.execute(
        f"WITH tagged AS (INSERT INTO tagging (id, tag_id, record_id, created_by, updated_by) "
        f"SELECT gen_random_uuid(), g.id, {id_sql}, $2, $2 FROM import_stage s "
        f"CROSS JOIN LATERAL unnest(s.tags) wanted(tag) JOIN tag g ON g.kind = $3::text "
        f"AND lower(g.name) = lower(wanted.tag) AND g.archived_at IS NULL WHERE {written} "
        f"ON CONFLICT (tag_id, record_id) DO NOTHING RETURNING id, record_id AS contact_id) "
        f"INSERT INTO import_record (job_id, record_type, record_id, action, before, version) "
        f"SELECT $1, 'Tagging', l.id, 'created', '{{}}', 1 FROM tagged l "
        f"WHERE {_OF_EXISTING}", job_id, actor, kind)


async def consents(db: asyncpg.Connection, job_id: uuid.UUID, actor: str) -> None:
    """Record the file's consent answers where the contact has none yet for that channel and
    purpose: an answer the contact gave is never overwritten by a file."""
    await db.execute(
        f"WITH given AS (INSERT INTO consent (id, contact_id, channel, purpose, status, source, "
        f"recorded_at, created_by, updated_by) SELECT DISTINCT ON ({CONTACT_ID}, c ->> 0, "
        f"c ->> 1) gen_random_uuid(), {CONTACT_ID}, c ->> 0, c ->> 1, CASE WHEN (c ->> 2)::boolean "
        f"THEN 'GRANTED' ELSE 'WITHDRAWN' END, 'import:' || $1::uuid::text, now(), $2, $2 "
        f"FROM import_stage s CROSS JOIN LATERAL jsonb_array_elements(s.consents) c "
        f"WHERE {WRITTEN} ORDER BY {CONTACT_ID}, c ->> 0, c ->> 1, s.line "
        f"ON CONFLICT (contact_id, channel, purpose) DO NOTHING RETURNING id, contact_id) "
        f"INSERT INTO import_record (job_id, record_type, record_id, action, before, version) "
        f"SELECT $1::uuid, 'Consent', l.id, 'created', '{{}}', 1 FROM given l "
        f"WHERE {_OF_EXISTING}", job_id, actor)
