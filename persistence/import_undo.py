"""Undo of an import, in one transaction: the records it created (contacts, accounts, survey
responses) are archived, the fields it filled in get back the values they had, its links,
tags and consents are taken back; each only while the record is still at the version the
import left it, so that nobody's later change is lost. The records changed since are named,
and kept as they are."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.access import Access
from domain.import_jobs import ImportStatus
from persistence import import_store as store
from persistence.db import Transaction

# Per record the import wrote: the version it left, and whether it created it. A contact,
# account or survey response it created has no line in import_record but its "create" audit
# entry, with the job as the entry's parent, at version 1.
LATEST = """CREATE TEMP TABLE import_latest ON COMMIT DROP AS
SELECT record_type, record_id, max(version) AS version, bool_or(created) AS created
FROM (SELECT record_type, record_id, version, action = 'created' AS created FROM import_record
      WHERE job_id = $1
      UNION ALL
      SELECT record_type, record_id, 1, true FROM audit_entry
      WHERE parent_id = $1 AND action = 'create') written
GROUP BY record_type, record_id"""
# The tables of the records an import creates, by type.
CREATED = {"Contact": "contact", "Account": "account", "SurveyResponse": "survey_response"}
ARCHIVED = ("jsonb_build_object('archived', jsonb_build_object('before', false, "
            "'after', true))")
# The values before the import's first change of each field.
FIRST_BEFORE = """(SELECT jsonb_object_agg(k, v) FROM (SELECT DISTINCT ON (e.k) e.k, e.v
    FROM import_record r CROSS JOIN LATERAL jsonb_each(r.before) e(k, v)
    WHERE r.job_id = $1 AND r.record_id = l.record_id AND r.action = 'updated'
    ORDER BY e.k, r.id) firsts)"""
CONTACT_REVERTED = {
    "externalId": ("external_id", "b ->> 'externalId'"),
    "firstName": ("first_name", "b ->> 'firstName'"),
    "emails": ("emails", "b -> 'emails'"),
    "phones": ("phones", "b -> 'phones'"),
    "address": ("address", "nullif(b -> 'address', 'null')"),
    "customFields": ("custom_fields", "b -> 'customFields'"),
}
ACCOUNT_REVERTED = {
    **{name: (column, f"b ->> '{name}'") for name, column in (
        ("externalId", "external_id"), ("legalName", "legal_name"), ("website", "website"),
        ("industry", "industry"), ("size", "size"), ("tier", "tier"))},
    "customFields": ("custom_fields", "b -> 'customFields'"),
}


@dataclass(slots=True)
class Undone:
    archived: int = 0
    reverted: int = 0
    refused: list[tuple[str, uuid.UUID]] = field(default_factory=list)


async def _archive_created(db: asyncpg.Connection, table: str, type_name: str,
                           job_id: uuid.UUID, actor: str) -> int:
    return len(await db.fetch(
        f"WITH gone AS (UPDATE {table} t SET archived_at = now(), version = t.version + 1, "
        f"updated_at = now(), updated_by = $2 FROM import_latest l WHERE l.record_type = $3 "
        f"AND l.created AND l.record_id = t.id AND t.version = l.version "
        f"AND t.archived_at IS NULL RETURNING t.id), "
        f"audited AS (INSERT INTO audit_entry (id, record_type, record_id, parent_id, action, "
        f"changes, created_by, updated_by) SELECT gen_random_uuid(), $3, id, $1, 'archive', "
        f"{ARCHIVED}, $2, $2 FROM gone) SELECT id FROM gone", job_id, actor, type_name))


async def _revert_filled(db: asyncpg.Connection, table: str, type_name: str,
                         reverted: dict[str, tuple[str, str]], job_id: uuid.UUID,
                         actor: str) -> int:
    sets = ", ".join(f"{column} = CASE WHEN b ? '{name}' THEN {value} ELSE t.{column} END"
                     for name, (column, value) in reverted.items())
    now = ", ".join(f"'{name}', t.{column}" for name, (column, _) in reverted.items())
    # A first name taken back leaves the name key with no initial, as the stores key it.
    keys = ("name_key = CASE WHEN b ? 'firstName' AND b ->> 'firstName' IS NULL "
            "THEN split_part(t.name_key, '|', 1) || '|' ELSE t.name_key END, "
            if type_name == "Contact" else
            "domain_key = CASE WHEN b ? 'website' AND b ->> 'website' IS NULL "
            "THEN NULL ELSE t.domain_key END, ")
    return len(await db.fetch(
        f"WITH undo AS (SELECT l.record_id AS id, {FIRST_BEFORE} AS b FROM import_latest l "
        f"JOIN {table} t ON t.id = l.record_id WHERE l.record_type = $3 "
        f"AND NOT l.created AND t.version = l.version), "
        f"after AS (SELECT u.id, jsonb_build_object({now}) AS now, u.b FROM undo u "
        f"JOIN {table} t ON t.id = u.id), "
        f"reverted AS (UPDATE {table} t SET {sets}, {keys}"
        f"version = t.version + 1, updated_at = now(), updated_by = $2 "
        f"FROM undo u WHERE t.id = u.id RETURNING t.id), "
        f"audited AS (INSERT INTO audit_entry (id, record_type, record_id, parent_id, action, "
        f"changes, created_by, updated_by) SELECT gen_random_uuid(), $3, a.id, $1, "
        f"'update', (SELECT jsonb_object_agg(k, jsonb_build_object('before', a.now -> k, "
        f"'after', v)) FROM jsonb_each(a.b) e(k, v)), $2, $2 FROM after a "
        f"JOIN reverted r ON r.id = a.id) SELECT id FROM reverted", job_id, actor, type_name))


async def _take_back(db: asyncpg.Connection, actor: str) -> None:
    """Links and taggings the import made are archived, consents it recorded removed, while
    still as it left them."""
    for table, type_name in (("account_contact", "AccountContact"), ("tagging", "Tagging")):
        await db.execute(
            f"UPDATE {table} t SET archived_at = now(), version = t.version + 1, "
            f"updated_at = now(), updated_by = $1 FROM import_latest l WHERE l.record_type = $2 "
            f"AND l.record_id = t.id AND t.version = l.version AND t.archived_at IS NULL",
            actor, type_name)
    await db.execute("DELETE FROM consent t USING import_latest l WHERE l.record_type = "
                     "'Consent' AND l.record_id = t.id AND t.version = l.version")


async def _changed_since(db: asyncpg.Connection) -> list[tuple[str, uuid.UUID]]:
    changed = " UNION ALL ".join(
        f"SELECT l.record_type, l.record_id FROM import_latest l JOIN {table} t "
        f"ON t.id = l.record_id WHERE l.record_type = '{type_name}' AND t.version <> l.version"
        for type_name, table in CREATED.items())
    rows = await db.fetch(f"{changed} ORDER BY 1, 2")
    return [(r["record_type"], r["record_id"]) for r in rows]


async def undo(engine: AsyncEngine, access: Access, job_id: uuid.UUID) -> Undone:
    """Undo a job as far as nobody changed its records since."""
    actor = str(access.actor)
    async with Transaction(engine) as tx:
        db = tx.driver_connection
        await db.execute("SELECT id FROM import_job WHERE id = $1 FOR UPDATE", job_id)
        await db.execute(LATEST, job_id)
        refused = await _changed_since(db)
        undone = Undone(refused=refused)
        await _take_back(db, actor)
        for type_name, table in CREATED.items():
            undone.archived += await _archive_created(db, table, type_name, job_id, actor)
        undone.reverted = (
            await _revert_filled(db, "contact", "Contact", CONTACT_REVERTED, job_id, actor)
            + await _revert_filled(db, "account", "Account", ACCOUNT_REVERTED, job_id, actor))
        await store.set_status(tx, job_id, ImportStatus.UNDONE, actor=actor)
        await tx.commit()
    return undone
