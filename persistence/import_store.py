"""Import jobs in the database: created with their file, advanced batch by batch, each batch
one transaction that writes its records and moves the job's progress, so that a kill leaves
a job that resumes after its last committed line and never a half-written row."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import orjson

from domain.access import Access, Action
from domain.import_jobs import ImportStatus
from domain.imports.normalise import RowError
from persistence import import_accounts as accounts
from persistence import import_contacts as contacts
from persistence import import_links as links
from persistence.db import Reader, Transaction
from persistence.imports import IMPORT_JOB
from persistence.spec import read_sql
from persistence.sql import Builder

JOB_COLUMNS = ("id, kind, status, filename, options, mapping, headers, user_id, role, rows_read, "
               "created_count, updated_count, skipped_count, rejected_count, progress_line, "
               "error, created_by, created_at, finished_at")


class Stopwatch:
    """Adds the seconds since the last lap to a named total, when totals are kept."""

    def __init__(self, totals: dict[str, float] | None) -> None:
        self.totals = totals
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.totals is not None:
            self.totals[name] = self.totals.get(name, 0.0) + now - self.last
        self.last = now


@dataclass(slots=True)
class BatchResult:
    """How the lines of one batch ended."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    # (the lines of a record, code, the mapping target at fault or None for the whole row):
    # rows the database refused, with the rows folded into them
    refused: list[tuple[list[int], str, str | None]] | None = None


def _json(value) -> str:
    return orjson.dumps(value).decode()


async def create_job(tx: Transaction, access: Access, kind: str, filename: str | None,
                     data: bytes, options: dict, mapping: dict, headers: list[str]) -> uuid.UUID:
    """A new PENDING job holding its file."""
    actor = str(access.actor)
    return await tx.value(
        "INSERT INTO import_job (id, created_by, updated_by, kind, status, filename, file, "
        "options, mapping, headers, user_id, role) VALUES ($1, $2, $2, $3, $4, $5, $6, "
        "$7::jsonb, $8::jsonb, $9::jsonb, $10, $11) RETURNING id",
        (uuid.uuid4(), actor, kind, ImportStatus.PENDING.value, filename, data, _json(options),
         _json(mapping), _json(headers), access.user_id, access.role.value))


async def job(tx: Transaction | Reader, job_id: uuid.UUID, access: Access | None = None) -> dict | None:
    """A job as the caller may read it (any with no access given), without its file."""
    b = Builder()
    rule = f" AND {read_sql(IMPORT_JOB.spec, access, 't', b)}" if access else ""
    rows = await tx.rows(f"SELECT {JOB_COLUMNS} FROM import_job t WHERE id = {b.bind(job_id)}"
                         f"{rule}", b.params)
    if not rows:
        return None
    row = rows[0]
    for column in ("options", "mapping", "headers"):
        if isinstance(row[column], str):
            row[column] = orjson.loads(row[column])
    return row


async def job_file(tx: Transaction, job_id: uuid.UUID) -> bytes:
    return await tx.value("SELECT file FROM import_job WHERE id = $1", (job_id,))


async def set_status(tx: Transaction, job_id: uuid.UUID, status: ImportStatus,
                     error: str | None = None, actor: str = "System") -> None:
    """The job's new status, audited (and so announced on the change feed)."""
    finished = status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.UNDONE)
    await tx.value(
        "WITH b AS (SELECT status FROM import_job WHERE id = $1), "
        "a AS (UPDATE import_job SET status = $2, error = coalesce($3, error), "
        "version = version + 1, updated_at = now(), "
        "finished_at = CASE WHEN $4 THEN now() ELSE finished_at END WHERE id = $1 "
        "RETURNING status) INSERT INTO audit_entry (id, record_type, record_id, action, changes, "
        "created_by, updated_by) SELECT gen_random_uuid(), 'ImportJob', $1, 'update', "
        "jsonb_build_object('status', jsonb_build_object('before', b.status, 'after', a.status)), "
        "$5, $5 FROM a, b", (job_id, status.value, error, finished, actor))


async def known_tags(tx: Transaction, kind: str) -> set[str]:
    rows = await tx.rows("SELECT lower(name) AS name FROM tag WHERE kind = $1 "
                         "AND archived_at IS NULL", (kind,))
    return {r["name"] for r in rows}


async def row_errors(reader: Reader, job_id: uuid.UUID, first: int, after_line: int
                     ) -> list[dict]:
    """The problems of the rejected rows below `after_line`, in file order, `first` at most."""
    return await reader.rows(
        'SELECT line, "column", value, code, message FROM import_row_error WHERE job_id = $1 '
        "AND line > $2 ORDER BY line, id LIMIT $3", (job_id, after_line, first))


async def rejected(tx: Transaction | Reader, job_id: uuid.UUID) -> list[tuple[list[str], list[RowError]]]:
    """The rejected rows, in file order, each with its cells and its errors."""
    rows = await tx.rows("SELECT line, \"column\", value, code, message, cells FROM "
                         "import_row_error WHERE job_id = $1 ORDER BY line, id", (job_id,))
    by_line: dict[int, tuple[list[str], list[RowError]]] = {}
    for r in rows:
        cells = r["cells"] if isinstance(r["cells"], list) else orjson.loads(r["cells"])
        entry = by_line.setdefault(r["line"], (cells, []))
        entry[1].append(RowError(r["line"], r["column"], r["value"], r["code"], r["message"]))
    return list(by_line.values())


async def write_errors(tx: Transaction, job_id: uuid.UUID,
                       errors: Iterable[tuple[list[str], list[RowError]]]) -> None:
    records = [(job_id, e.line, e.column, (e.value or "")[:2000] if e.value else e.value, e.code,
                e.message[:500], _json(cells)) for cells, row_errors in errors for e in row_errors]
    if records:
        await tx.driver_connection.copy_records_to_table(
            "import_row_error", records=records,
            columns=("job_id", "line", "column", "value", "code", "message", "cells"))


# The job's progress as the change feed announces it: recordChanged(ids: [job]) follows it.
_PROGRESS = ("progress_line", "rows_read", "created_count", "updated_count", "skipped_count",
             "rejected_count")
_FIELD_OF = {"progress_line": "progressLine", "rows_read": "rowsRead",
             "created_count": "createdCount", "updated_count": "updatedCount",
             "skipped_count": "skippedCount", "rejected_count": "rejectedCount"}


async def advance(tx: Transaction, job_id: uuid.UUID, last_line: int, rows: int,
                  result: BatchResult, actor: str) -> None:
    """Move the job past a batch, in the batch's transaction, with an audit entry of its
    progress (and so a change event)."""
    changes = ", ".join(f"'{_FIELD_OF[c]}', jsonb_build_object('before', b.{c}, 'after', a.{c})"
                        for c in _PROGRESS)
    await tx.value(
        f"WITH b AS (SELECT {', '.join(_PROGRESS)} FROM import_job WHERE id = $1), "
        f"a AS (UPDATE import_job SET status = 'RUNNING', progress_line = $2, "
        f"rows_read = rows_read + $3, created_count = created_count + $4, "
        f"updated_count = updated_count + $5, skipped_count = skipped_count + $6, "
        f"rejected_count = rejected_count + $7, version = version + 1, updated_at = now() "
        f"WHERE id = $1 RETURNING {', '.join(_PROGRESS)}) "
        f"INSERT INTO audit_entry (id, record_type, record_id, action, changes, created_by, "
        f"updated_by) SELECT gen_random_uuid(), 'ImportJob', $1, 'update', "
        f"jsonb_build_object({changes}), $8, $8 FROM a, b",
        (job_id, last_line, rows, result.created, result.updated, result.skipped,
         result.rejected, actor))


async def _passes(db, kind, access: Access, job_id: uuid.UUID, mode: str,
                  clock: Stopwatch) -> None:
    """Match, create and fill in (or skip) pass by pass, until no row of the batch waits for
    a record an earlier row of it matched too; `kind` is import_contacts or import_accounts."""
    actor, owner = str(access.actor), access.user_id
    more = True
    while more:
        await kind.match(db, access, mode)
        clock.lap("match")
        await kind.create(db, job_id, actor, owner)
        clock.lap("create")
        if mode == "update":
            await kind.fill(db, job_id, actor)
        else:
            await contacts.skip_matched(db)
        clock.lap("fill")
        more = await contacts.end_pass(db)


async def write_contacts(tx: Transaction, access: Access, job_id: uuid.UUID, mode: str,
                         staged: list[tuple], create_tags: bool,
                         timings: dict[str, float] | None = None) -> BatchResult:
    """Write one batch of staged contact rows; the refused lines come back to be reported.
    `timings` adds up the seconds each step took, for `crm import --timings`."""
    db, actor, owner = tx.driver_connection, str(access.actor), access.user_id
    clock = Stopwatch(timings)
    await contacts.stage(db, staged)
    clock.lap("copy")
    await _passes(db, contacts, access, job_id, mode, clock)
    await links.companies(db, access, job_id, actor, owner)
    clock.lap("companies")
    await contacts.audit_created(db, job_id, actor, owner)
    clock.lap("audit")
    await links.tags(db, "Contact", job_id, actor, create_tags)
    await links.consents(db, job_id, actor)
    clock.lap("tags and consents")
    return await _outcomes(db, mode)


async def write_accounts(tx: Transaction, access: Access, job_id: uuid.UUID, mode: str,
                         staged: list[tuple], create_tags: bool,
                         timings: dict[str, float] | None = None) -> BatchResult:
    """Write one batch of staged account rows, as write_contacts does contacts."""
    db, actor = tx.driver_connection, str(access.actor)
    clock = Stopwatch(timings)
    await accounts.stage(db, staged)
    clock.lap("copy")
    await _passes(db, accounts, access, job_id, mode, clock)
    await links.tags(db, "Account", job_id, actor, create_tags)
    clock.lap("tags")
    return await _outcomes(db, mode)


async def _outcomes(db, mode: str) -> BatchResult:
    """How the staged rows (and the rows folded into them) ended."""
    result = BatchResult(refused=[])
    for _line, lines, outcome, refused in await contacts.outcomes(db):
        folded = len(lines) - 1
        if refused:
            result.refused.append((lines, refused, None))
            continue
        if outcome == "created":
            result.created += 1
        elif outcome == "updated":
            result.updated += 1
        else:
            result.skipped += 1
        # Later rows of the same person went into this one's record, or nowhere.
        if mode == "skip" or outcome not in ("created", "updated"):
            result.skipped += folded
        else:
            result.updated += folded
    return result


def may_create_tags(access: Access, kind: str) -> bool:
    return access.can("Tag", Action.CREATE) and access.can_write(kind, "tags")


async def staff_user(tx: Transaction, email: str) -> tuple[uuid.UUID, str] | None:
    """(id, role) of an active member of staff, by email."""
    rows = await tx.rows("SELECT id, role FROM app_user WHERE lower(email) = lower($1) "
                         "AND active AND archived_at IS NULL", (email,))
    return (rows[0]["id"], rows[0]["role"]) if rows else None
