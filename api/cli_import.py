"""`crm import`: load contacts, accounts or a survey's responses from a CSV or XLSX file,
resume a killed import, undo one, and write its rejected rows back as CSV."""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from tqdm import tqdm

from api.app import database_url
from api.import_jobs import access_of_job
from api.settings import Settings
from auth.grants import access_for
from auth.principal import staff_access
from domain.access import SYSTEM, Access, Role
from domain.errors import DomainError, ErrorCode
from domain.ids import uuid_of
from domain.import_jobs import ImportKind, OnDuplicate
from domain.imports.reading import ImportFileError
from domain.imports.rejected import rejected_csv
from domain.services.imports import BATCH_ROWS, Outcome
from persistence import import_run, import_store, import_undo
from persistence.db import Transaction, make_engine

WORKERS = 2  # normalising is the cost: one process per core
KIND_OF = {"contacts": ImportKind.CONTACTS, "accounts": ImportKind.ACCOUNTS,
           "survey-responses": ImportKind.SURVEY_RESPONSES}


def _run(settings: Settings, work: Callable[[AsyncEngine], Awaitable[Any]]) -> Any:
    async def run():
        engine = make_engine(database_url(settings), pool_size=2)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


async def _importer(engine: AsyncEngine, email: str | None) -> Access:
    """The member of staff the import writes as; the command line's System admin if none."""
    if email is None:
        return access_for(Role.ADMIN, SYSTEM)
    async with Transaction(engine) as tx:
        found = await import_store.staff_user(tx, email)
    if found is None:
        sys.exit(f"crm import: no active user {email}")
    return staff_access(Role(found[1]), found[0])


def _pool() -> ProcessPoolExecutor:
    # Forked before the event loop starts, the workers begin at once with the modules loaded.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=WORKERS, mp_context=context)


class Bar:
    """A tqdm bar over the rows of the file, with rows/s and an estimate."""

    def __init__(self, total: int | None, start: int = 0, quiet: bool = False) -> None:
        self.bar = tqdm(total=total, initial=start, unit=" rows", unit_scale=True,
                        dynamic_ncols=True, file=sys.stderr, disable=quiet or None)

    def __call__(self, rows: int, outcome: Outcome) -> None:
        self.bar.update(rows)

    def close(self) -> None:
        self.bar.close()


def _summary(job: dict, outcome: Outcome, seconds: float, dry_run: bool) -> str:
    read = job["rows_read"]
    head = "dry run, nothing written" if dry_run else f"import {job['id']}"
    lines = [f"{head}: {read:,} rows in {seconds:.1f}s ({read / max(seconds, 1e-9):,.0f} rows/s)",
             f"  created {job['created_count']:,}, updated {job['updated_count']:,}, "
             f"skipped {job['skipped_count']:,}, rejected {job['rejected_count']:,}"]
    if job["rejected_count"] and not dry_run:
        lines.append(f"  rejected rows: crm import errors {job['id']} > rejected.csv")
    return "\n".join(lines)


async def _import(engine: AsyncEngine, args, kind: ImportKind) -> str:
    access = await _importer(engine, args.as_user)
    path = Path(args.file)
    data = path.read_bytes()
    mapping = json.loads(Path(args.mapping).read_text()) if args.mapping else None
    options = {"defaultRegion": getattr(args, "default_region", None),
               "onDuplicate": getattr(args, "on_duplicate", OnDuplicate.UPDATE.value)}
    if getattr(args, "survey", None):
        options["survey"] = str(_survey_id(args.survey))
    started = time.perf_counter()
    timings: dict[str, float] | None = {} if args.timings else None
    bar = Bar(data.count(b"\n") or None if not path.suffix.lower().startswith(".xls") else None,
              quiet=args.quiet)
    try:
        with _pool() as pool:
            if args.dry_run:
                async with Transaction(engine) as tx:  # never committed
                    job_id = await import_run.start(engine, access, kind, data, path.name,
                                                    mapping, options, tx=tx)
                    job, outcome = await import_run.run(engine, access, job_id, pool, bar, tx=tx,
                                                        timings=timings,
                                                        batch_rows=args.batch_rows)
            else:
                job_id = await import_run.start(engine, access, kind, data, path.name, mapping,
                                                options)
                job, outcome = await import_run.run(engine, access, job_id, pool, bar,
                                                    timings=timings, batch_rows=args.batch_rows)
    finally:
        bar.close()
    summary = _summary(job, outcome, time.perf_counter() - started, args.dry_run)
    if timings:
        summary += "\n  database: " + ", ".join(f"{step} {seconds:.2f}s"
                                               for step, seconds in timings.items())
    return summary


def _survey_id(given: str) -> uuid.UUID:
    try:
        return uuid_of(given, "Survey")
    except ValueError:
        raise DomainError.one("survey", ErrorCode.INVALID,
                              f"{given!r} is not a survey's id.") from None


async def _resume(engine: AsyncEngine, args) -> str:
    job_id = uuid.UUID(args.id)
    async with Transaction(engine) as tx:
        job = await import_store.job(tx, job_id)
    if job is None:
        sys.exit(f"crm import: no import {args.id}")
    started = time.perf_counter()
    bar = Bar(None, quiet=args.quiet)
    try:
        with _pool() as pool:
            job, outcome = await import_run.run(engine, access_of_job(job), job_id, pool, bar,
                                                batch_rows=args.batch_rows)
    finally:
        bar.close()
    return _summary(job, outcome, time.perf_counter() - started, False)


async def _undo(engine: AsyncEngine, args) -> str:
    job_id = uuid.UUID(args.id)
    async with Transaction(engine) as tx:
        job = await import_store.job(tx, job_id)
    if job is None:
        sys.exit(f"crm import: no import {args.id}")
    undone = await import_undo.undo(engine, access_of_job(job), job_id)
    lines = [f"import {job_id} undone: {undone.archived:,} records archived, "
             f"{undone.reverted:,} reverted"]
    if undone.refused:
        lines.append(f"  {len(undone.refused):,} changed since the import and kept as they are:")
        lines += [f"  - {type_name} {record_id}" for type_name, record_id in undone.refused]
    return "\n".join(lines)


async def _errors(engine: AsyncEngine, args) -> bytes:
    async with Transaction(engine) as tx:
        job = await import_store.job(tx, uuid.UUID(args.id))
        if job is None:
            sys.exit(f"crm import: no import {args.id}")
        return rejected_csv(job["headers"], await import_store.rejected(tx, job["id"]))


def cmd_import(args, settings: Settings) -> None:
    try:
        if args.action in KIND_OF:
            print(_run(settings, lambda e: _import(e, args, KIND_OF[args.action])))
        elif args.action == "resume":
            print(_run(settings, lambda e: _resume(e, args)))
        elif args.action == "undo":
            print(_run(settings, lambda e: _undo(e, args)))
        else:
            sys.stdout.buffer.write(_run(settings, lambda e: _errors(e, args)))
    except ImportFileError as exc:
        sys.exit(f"crm import: {exc.code}: {exc.message}")
    except ValueError as exc:
        if "UUID" not in str(exc):
            raise
        sys.exit(f"crm import: {args.id!r} is no import id")
    except DomainError as exc:
        sys.exit("crm import: refused:\n" + "\n".join(
            f"  {p.field}: {p.message}" if p.field else f"  {p.message}" for p in exc.problems))


def add_commands(sub: argparse._SubParsersAction) -> None:
    top = sub.add_parser("import", help="import contacts, accounts or survey responses from "
                                        "CSV or XLSX")
    actions = top.add_subparsers(dest="action", required=True)
    for action, kind in KIND_OF.items():
        what = action.replace("-", " ")
        p = actions.add_parser(action, help=f"import {what} from a CSV or XLSX file")
        p.add_argument("file", help="the CSV (any common dialect and encoding) or XLSX file")
        p.add_argument("--mapping", metavar="M.json",
                       help='{"header": "target"}; guessed from the headers when left out')
        p.add_argument("--dry-run", action="store_true",
                       help="do it all in a transaction rolled back: report, write nothing")
        if kind is ImportKind.SURVEY_RESPONSES:
            p.add_argument("--survey", required=True, metavar="ID",
                           help="the survey the responses answer (its id, or the UUID in it)")
        else:
            p.add_argument("--default-region", metavar="CC",
                           help="country of phone numbers without +, on rows without a country")
            p.add_argument("--on-duplicate", choices=[o.value for o in OnDuplicate],
                           default=OnDuplicate.UPDATE.value,
                           help="a row matching a record: fill its empty fields (update, the "
                                "default), skip it, or create a new record all the same")
        p.add_argument("--as", dest="as_user", metavar="USER_EMAIL",
                       help="import as this member of staff: its rights, its records")
        p.add_argument("--quiet", action="store_true", help="no progress bar")
        p.add_argument("--batch-rows", type=int, default=BATCH_ROWS, metavar="N",
                       help=f"rows per transaction (default {BATCH_ROWS:,})")
        p.add_argument("--timings", action="store_true",
                       help="also print the seconds each database step took")
        p.set_defaults(run=cmd_import)
    for action, text in (("resume", "resume a killed import after its last committed line"),
                         ("undo", "archive what an import created and revert what it filled in"),
                         ("errors", "write an import's rejected rows as CSV to stdout")):
        p = actions.add_parser(action, help=text)
        p.add_argument("id", help="the import's id, as the import printed it")
        p.add_argument("--quiet", action="store_true", help="no progress bar")
        p.add_argument("--batch-rows", type=int, default=BATCH_ROWS, metavar="N",
                       help=f"rows per transaction (default {BATCH_ROWS:,})")
        p.set_defaults(run=cmd_import)
