"""One batch of imported contacts, written set-based: the rows are copied into a staging table,
matched against the contacts the importer reads (external id, then email, phone, then name
key at the same company), and created or filled in by a few statements, each record with its
audit entry (whose trigger announces it on the change feed); a filled-in record has its line
in import_record too, with the values undo puts back (a created one's "create" entry, the
job its parent, is all undo needs).

Filling in never overwrites: a value already stored stays, an empty field takes the file's,
and new emails and phones join the stored ones as secondary entries.
"""

from __future__ import annotations

import uuid

import asyncpg

from domain.access import Access
from persistence.contacts import CONTACT
from persistence.spec import Spec, read_sql, write_sql
from persistence.sql import Builder

STAGE_COLUMNS = (
    "line", "lines", "external_id", "first_name", "last_name", "emails", "phones", "address",
    "lifecycle_stage", "lead_score", "custom", "tags", "consents", "job_title",
    "is_decision_maker", "company_key", "company_name", "company_website",
    "company_external_id", "company_domain_key", "company_name_key", "email_keys",
    "phone_keys", "name_key",
)
CREATE_STAGE = """
CREATE TEMP TABLE import_stage (
    line int PRIMARY KEY, lines int[] NOT NULL, external_id text, first_name text,
    last_name text NOT NULL, emails jsonb NOT NULL, phones jsonb NOT NULL, address jsonb,
    lifecycle_stage text, lead_score int, custom jsonb NOT NULL, tags text[] NOT NULL,
    consents jsonb NOT NULL, job_title text, is_decision_maker boolean, company_key text,
    company_name text, company_website text, company_external_id text,
    company_domain_key text, company_name_key text, email_keys text[] NOT NULL,
    phone_keys text[] NOT NULL, name_key text,
    match_id uuid, new_id uuid, refused text, pending boolean NOT NULL DEFAULT true,
    current boolean NOT NULL DEFAULT true, outcome text
) ON COMMIT DROP
"""
# Rows start current (in the pass under way), as nearly all go in the first pass: a flag
# changed rewrites the row, so mark_matches and end_pass change only the few that differ.
# The same source system's id, or none on either side: two ids that differ are two people.
_SAME_SOURCE = "(c.external_id IS NULL OR s.external_id IS NULL OR c.external_id = s.external_id)"


def _oldest(select: str) -> str:
    """The oldest contact `select` (SELECT c.id, c.created_at ...) finds. OFFSET 0 fences the
    search off from the ORDER BY: otherwise the planner walks the contacts in created_at
    order, filtering each, instead of looking the key up in its index."""
    return f"(SELECT m.id FROM ({select} OFFSET 0) m ORDER BY m.created_at, m.id LIMIT 1)"


def _match_sql(access: Access, b: Builder, only_external: bool) -> str:
    """The first contact the importer reads that the row matches, key by key."""
    def seen(alias: str = "c") -> str:
        return f"{alias}.archived_at IS NULL AND {read_sql(CONTACT.spec, access, alias, b)}"

    by_external = (f"(SELECT c.id FROM contact c WHERE s.external_id IS NOT NULL "
                   f"AND c.external_id = s.external_id AND {seen()})")
    if only_external:
        return by_external
    found = "SELECT c.id, c.created_at FROM contact c"
    by_email = _oldest(f"{found} WHERE c.email_keys && s.email_keys AND {_SAME_SOURCE} "
                       f"AND {seen()}")
    by_phone = _oldest(f"{found} WHERE c.phone_keys && s.phone_keys AND {_SAME_SOURCE} "
                       f"AND {seen()}")
    # The company first, then its people, then their name keys: a common name's block is
    # large, a company's people are few. The fences (OFFSET 0) keep the planner to that order.
    by_name = _oldest(
        f"SELECT c.id, c.created_at FROM (SELECT a.id FROM account a "
        f"WHERE s.company_key IS NOT NULL AND s.name_key IS NOT NULL "
        f"AND (a.domain_key = s.company_domain_key OR a.name_key = s.company_name_key) "
        f"AND a.archived_at IS NULL OFFSET 0) a CROSS JOIN LATERAL (SELECT l.contact_id "
        f"FROM account_contact l WHERE l.account_id = a.id AND l.archived_at IS NULL "
        f"OFFSET 0) l CROSS JOIN LATERAL (SELECT c.id, c.created_at FROM contact c "
        f"WHERE c.id = l.contact_id AND c.name_key = s.name_key AND {_SAME_SOURCE} "
        f"AND {seen()} OFFSET 0) c")
    return f"coalesce({by_external}, {by_email}, {by_phone}, {by_name})"


async def stage(db: asyncpg.Connection, records: list[tuple]) -> None:
    # Each statement's cost estimate is large enough for JIT, which then costs more (200 ms
    # a statement) than it saves on ten thousand index lookups.
    await db.execute("SET LOCAL jit = off")
    # A search of a GIN index reads its whole pending list of recent insertions: after the
    # thousands of rows a batch adds, 3 ms per lookup instead of 1 µs. Merged first, every
    # lookup of the batch is an index lookup again.
    await db.execute("SELECT gin_clean_pending_list('ix_contact_email_keys'::regclass), "
                     "gin_clean_pending_list('ix_contact_phone_keys'::regclass)")
    # A dry run's batches share one transaction: each starts from fresh tables.
    await db.execute("DROP TABLE IF EXISTS import_company, import_stage")
    await db.execute(CREATE_STAGE)
    await db.copy_records_to_table("import_stage", records=records, columns=STAGE_COLUMNS)


async def match(db: asyncpg.Connection, access: Access, mode: str) -> None:
    """Mark each pending row with the contact it matches (see mark_matches)."""
    await mark_matches(db, access, mode, _match_sql, CONTACT.spec)


async def mark_matches(db: asyncpg.Connection, access: Access, mode: str, match_sql,
                       spec: Spec) -> None:
    """Mark each pending row with the record `match_sql(access, builder, only_external)`
    finds in `spec`'s table; a match the importer may not write is refused, and of rows
    matching the same record only the first goes in this pass."""
    b = Builder()
    await db.execute(f"UPDATE import_stage s SET match_id = {match_sql(access, b, mode == 'create')} "
                     f"WHERE s.pending", *b.params)
    if mode == "create":
        await db.execute("UPDATE import_stage SET refused = 'CONFLICT' "
                         "WHERE pending AND match_id IS NOT NULL")
    elif mode == "update":
        b = Builder()
        await db.execute(
            f"UPDATE import_stage s SET refused = 'FORBIDDEN' WHERE s.pending "
            f"AND s.match_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {spec.name} r "
            f"WHERE r.id = s.match_id AND {write_sql(spec, access, 'r', b)})", *b.params)
    await db.execute(
        "UPDATE import_stage s SET current = r.now FROM (SELECT line, current, refused IS NULL "
        "AND (match_id IS NULL OR row_number() OVER (PARTITION BY match_id, refused IS NULL "
        "ORDER BY line) = 1) AS now FROM import_stage WHERE pending) r "
        "WHERE r.line = s.line AND r.current <> r.now")
    await db.execute("UPDATE import_stage SET pending = false WHERE refused IS NOT NULL")


_CREATED_FIELDS = ("jsonb_build_object('accounts', (SELECT jsonb_agg(jsonb_build_object("
                   "'account', l.account_id, 'jobTitle', l.job_title, 'isDecisionMaker', "
                   "l.is_decision_maker)) FROM account_contact l WHERE l.contact_id = s.new_id), "
                   "'externalId', s.external_id, 'firstName', s.first_name, "
                   "'lastName', s.last_name, 'emails', s.emails, 'phones', s.phones, "
                   "'address', s.address, 'lifecycleStage', coalesce(s.lifecycle_stage, 'LEAD'), "
                   "'leadScore', coalesce(s.lead_score, 0), 'owner', {owner}::uuid::text, "
                   "'customFields', nullif(s.custom, '{{}}'::jsonb), "
                   "'tags', nullif(to_jsonb(s.tags), '[]'::jsonb))")


async def create(db: asyncpg.Connection, job_id: uuid.UUID, actor: str,
                 owner: uuid.UUID | None) -> None:
    """Insert the current unmatched rows as new contacts owned by the importer (audited by
    audit_created once their companies are linked); `job_id` is for import_accounts.create's
    sake, which audits its records at once."""
    await db.execute("UPDATE import_stage SET new_id = gen_random_uuid(), outcome = 'created' "
                     "WHERE current AND match_id IS NULL")
    await db.execute(
        "INSERT INTO contact (id, created_by, updated_by, owner_id, external_id, first_name, "
        "last_name, emails, phones, address, lifecycle_stage, lead_score, custom_fields, "
        "name_key) SELECT new_id, $1, $1, $2, external_id, first_name, last_name, emails, "
        "phones, address, coalesce(lifecycle_stage, 'LEAD'), coalesce(lead_score, 0), custom, "
        "name_key FROM import_stage WHERE current AND new_id IS NOT NULL", actor, owner)


async def audit_created(db: asyncpg.Connection, job_id: uuid.UUID, actor: str,
                        owner: uuid.UUID | None) -> None:
    """One "create" entry per new contact, its company links among its fields: one entry
    per person, instead of one for the contact and another for its link."""
    fields = _CREATED_FIELDS.format(owner="$3")
    await db.execute(
        f"INSERT INTO audit_entry (id, record_type, record_id, parent_id, action, changes, "
        f"created_by, updated_by) SELECT gen_random_uuid(), 'Contact', s.new_id, $1, 'create', "
        f"(SELECT jsonb_object_agg(k, jsonb_build_object('before', NULL, 'after', v)) "
        f"FROM jsonb_each({fields}) e(k, v) WHERE v <> 'null'), $2, $2 "
        f"FROM import_stage s WHERE s.new_id IS NOT NULL", job_id, actor, owner)


def fills_recorded(type_name: str) -> str:
    """The end of a fill statement: each record it wrote (`written`: id, version, changes,
    line) audited and noted for undo, and its row's outcome."""
    return f"""audited AS (
    INSERT INTO audit_entry (id, record_type, record_id, parent_id, action, changes,
                             created_by, updated_by)
    SELECT gen_random_uuid(), '{type_name}', w.id, $1, 'update', w.changes, $2, $2
    FROM written w
),
recorded AS (
    INSERT INTO import_record (job_id, record_type, record_id, action, before, version)
    SELECT $1, '{type_name}', w.id, 'updated',
           (SELECT jsonb_object_agg(k, v -> 'before') FROM jsonb_each(w.changes) x(k, v)),
           w.version FROM written w
)
UPDATE import_stage s SET outcome = 'updated' FROM written w WHERE s.line = w.line
"""


# The stored values and what filling them in from the row makes of them, by field.
_BEFORE = ("jsonb_build_object('externalId', c.external_id, 'firstName', c.first_name, "
           "'emails', c.emails, 'phones', c.phones, 'address', c.address, "
           "'customFields', c.custom_fields)")
_AFTER = """jsonb_build_object(
  'externalId', coalesce(c.external_id, s.external_id),
  'firstName', coalesce(c.first_name, s.first_name),
  'emails', CASE WHEN c.emails = '[]' THEN s.emails ELSE c.emails || coalesce((
      SELECT jsonb_agg(e || '{"primary": false}') FROM jsonb_array_elements(s.emails) e
      WHERE NOT lower(btrim(e ->> 'address')) = ANY(c.email_keys)), '[]') END,
  'phones', CASE WHEN c.phones = '[]' THEN s.phones ELSE c.phones || coalesce((
      SELECT jsonb_agg(p || '{"primary": false}') FROM jsonb_array_elements(s.phones) p
      WHERE NOT regexp_replace(p ->> 'number', '[^0-9]', '', 'g') = ANY(c.phone_keys)), '[]') END,
  'address', coalesce(c.address, s.address),
  'customFields', s.custom || c.custom_fields)"""
# The matched contacts are looked up by id (OFFSET 0 fences the lookup): the staging table has
# no statistics, and with a join the planner hashes every contact instead.
_FILL = f"""
WITH filled AS (
    SELECT c.id, s.line, {_BEFORE} AS before, {_AFTER} AS after,
           CASE WHEN c.first_name IS NULL AND s.first_name IS NOT NULL
                AND lower(c.last_name) = lower(s.last_name) THEN s.name_key
                ELSE c.name_key END AS name_key
    FROM import_stage s CROSS JOIN LATERAL (SELECT * FROM contact c WHERE c.id = s.match_id
                                            OFFSET 0) c
    WHERE s.current AND s.match_id IS NOT NULL
),
diff AS (
    SELECT f.id, f.line, f.after, f.name_key,
           (SELECT jsonb_object_agg(a.key, jsonb_build_object('before', f.before -> a.key,
                                                              'after', a.value))
            FROM jsonb_each(f.after) a WHERE a.value IS DISTINCT FROM f.before -> a.key) AS changes
    FROM filled f
),
written AS (
    UPDATE contact c SET external_id = d.after ->> 'externalId',
        first_name = d.after ->> 'firstName', emails = d.after -> 'emails',
        phones = d.after -> 'phones', address = nullif(d.after -> 'address', 'null'),
        custom_fields = d.after -> 'customFields', name_key = d.name_key,
        version = c.version + 1, updated_at = now(), updated_by = $2
    FROM diff d WHERE c.id = d.id AND d.changes IS NOT NULL
    RETURNING c.id, c.version, d.changes, d.line
),
{fills_recorded("Contact")}"""


async def fill(db: asyncpg.Connection, job_id: uuid.UUID, actor: str, sql: str = "") -> None:
    """Fill in the empty fields of the records the current rows matched (contacts unless
    another fill statement is given)."""
    await db.execute(sql or _FILL, job_id, actor)
    await db.execute("UPDATE import_stage SET outcome = 'unchanged' "
                     "WHERE current AND match_id IS NOT NULL AND outcome IS NULL")


async def skip_matched(db: asyncpg.Connection) -> None:
    await db.execute("UPDATE import_stage SET outcome = 'skipped' "
                     "WHERE current AND match_id IS NOT NULL")


async def end_pass(db: asyncpg.Connection) -> bool:
    """Close the pass; True when rows wait for another (they matched a contact that an
    earlier row of the batch matched too, and now fill it in after that row)."""
    if not await db.fetchval("SELECT EXISTS (SELECT 1 FROM import_stage "
                             "WHERE pending AND NOT current)"):
        return False  # nothing reads the flags after the last pass
    await db.execute("UPDATE import_stage SET pending = false, current = false WHERE current")
    return True


async def outcomes(db: asyncpg.Connection) -> list[tuple[int, list[int], str, str | None]]:
    """(line, the lines folded into it, outcome or None, refusal or None) of every row."""
    rows = await db.fetch("SELECT line, lines, outcome, refused FROM import_stage ORDER BY line")
    return [(r["line"], r["lines"], r["outcome"], r["refused"]) for r in rows]
