"""The writer of one import run: each batch staged and written in its own transaction with
the job's progress, or, for a dry run, every batch in one transaction rolled back at the end.
Each kind of import stages and writes its rows in a module of its own (KINDS)."""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Awaitable, Callable
from collections.abc import Mapping as Texts
from concurrent.futures import Executor
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.access import Access
from domain.custom_fields import Definition
from domain.import_jobs import RECORD_OF, TYPE_OF, ImportKind, ImportStatus, OnDuplicate
from domain.import_rows import Prepared
from domain.imports.mapping import Mapping
from domain.imports.normalise import Options, RowError
from domain.imports.reading import read_table
from domain.services.imports import (
    BATCH_ROWS,
    Batch,
    Outcome,
    Plan,
    check_access,
    choose_mapping,
    require_survey,
    run_import,
)
from persistence import import_store as store
from persistence import import_survey_responses as survey_responses
from persistence.base import json_text
from persistence.custom_fields import CustomFieldStore
from persistence.db import Transaction
from persistence.jobs import enqueue

MATCH_REFUSALS = {
    "FORBIDDEN": "It matches a {} you may not change.",
    "CONFLICT": "Another {} has this external id.",
}


def staged(p: Prepared) -> tuple:
    """A row as import_stage holds it (import_contacts.STAGE_COLUMNS)."""
    r, k = p.row, p.keys
    company = r.company or {}
    return (r.line, p.lines, r.external_id, r.first_name, r.last_name, json_text(r.emails),
            json_text(r.phones), json_text(r.address) if r.address else None, r.lifecycle_stage,
            r.lead_score, json_text(r.custom), r.tags,
            json_text([list(c) for c in r.consents]), r.job_title, r.is_decision_maker,
            k.company, company.get("name"), company.get("website"), company.get("external_id"),
            k.company_domain, k.company_name, list(k.emails), list(k.phones), k.name)


def staged_account(p: Prepared) -> tuple:
    """An account row as import_stage holds it (import_accounts.STAGE_COLUMNS)."""
    r, k = p.row, p.keys
    return (r.line, p.lines, r.external_id, r.name, r.legal_name, r.website, r.industry,
            r.size, r.tier, json_text(r.custom), r.tags, k.company_domain, k.company_name)


@dataclass(frozen=True)
class KindWriter:
    """How one kind's rows are staged and written, and what its refusals say."""

    staged: Callable[[Prepared], tuple]
    # (tx, access, job id, onDuplicate mode, staged rows, may create tags, timings)
    write: Callable[..., Awaitable[store.BatchResult]]
    refusals: Texts[str, str]  # code -> the row error's message


KINDS = {
    ImportKind.CONTACTS: KindWriter(staged, store.write_contacts, {
        code: text.format("contact") for code, text in MATCH_REFUSALS.items()}),
    ImportKind.ACCOUNTS: KindWriter(staged_account, store.write_accounts, {
        code: text.format("account") for code, text in MATCH_REFUSALS.items()}),
    ImportKind.SURVEY_RESPONSES: KindWriter(survey_responses.staged, survey_responses.write,
                                            survey_responses.REFUSALS),
}


class BatchWriter:
    """Implements domain.services.imports.ImportWriter for a kind of KINDS."""

    def __init__(self, engine: AsyncEngine, access: Access, job_id: uuid.UUID,
                 kind: ImportKind, mode: str,
                 create_tags: bool, outer: Transaction | None = None,
                 timings: dict[str, float] | None = None,
                 mapping: Mapping | None = None) -> None:
        self.engine, self.access, self.job_id = engine, access, job_id
        self.kind, self.mode, self.create_tags = kind, mode, create_tags
        self.outer = outer  # the dry run's one transaction
        self.timings = timings
        # target -> (position, header): a refusal's column and cell
        self.columns = {target: (position, header) for position, (header, target)
                        in enumerate((mapping.columns if mapping else {}).items())}

    async def write(self, batch: Batch) -> Outcome:
        if self.outer is not None:
            return await self._write(self.outer, batch)
        async with Transaction(self.engine) as tx:
            outcome = await self._write(tx, batch)
            await tx.commit()
        return outcome

    async def _write(self, tx: Transaction, batch: Batch) -> Outcome:
        result = store.BatchResult()
        kind = KINDS[self.kind]
        if batch.rows:
            result = await kind.write(tx, self.access, self.job_id, self.mode,
                                      [kind.staged(p) for p in batch.rows], self.create_tags,
                                      self.timings)
        rejected = list(batch.rejected)
        for lines, code, target in result.refused or ():
            position, header = self.columns.get(target, (None, None))
            for line in lines:
                cells = batch.cells[line]
                value = cells[position] if position is not None else None
                rejected.append((cells, [RowError(line, header, value, code,
                                                  kind.refusals[code])]))
        result.rejected = len(rejected)
        await store.write_errors(tx, self.job_id, rejected)
        await store.advance(tx, self.job_id, batch.last_line, batch.read, result,
                            str(self.access.actor))
        return Outcome(result.created, result.updated, result.skipped, result.rejected)


async def _definitions(tx: Transaction, access: Access, type_name: str
                       ) -> dict[str, tuple[Definition, bool]]:
    return await CustomFieldStore(tx, access).definitions(type_name)


async def _survey(tx: Transaction, access: Access, kind: ImportKind, options: dict
                  ) -> survey_responses.SurveyQuestions | None:
    """The survey a file of responses answers (options' `survey`, a UUID); None for others."""
    survey_id = options.get("survey")
    require_survey(kind, survey_id)
    if survey_id is None:
        return None
    return await survey_responses.survey_of(tx, access, uuid.UUID(str(survey_id)))


async def start(engine: AsyncEngine, access: Access, kind: ImportKind, data: bytes,
                filename: str | None, mapping: dict | None, options: dict,
                tx: Transaction | None = None, queue: str | None = None) -> uuid.UUID:
    """Check the file, its mapping and the importer's rights; store a PENDING job, and queue
    the job `queue` names to run it, if given, in the same transaction. Raises DomainError
    (a bad mapping, a field the importer may not write, a survey it does not see) or
    ImportFileError. `options`: defaultRegion, onDuplicate, and survey for survey responses."""
    table = read_table(io.BytesIO(data), filename)
    async with contextlib.AsyncExitStack() as stack:
        if tx is None:
            tx = await stack.enter_async_context(Transaction(engine))
            commit = True
        else:
            commit = False
        definitions = await _definitions(tx, access, TYPE_OF[kind])
        survey = await _survey(tx, access, kind, options)
        chosen = choose_mapping(kind, table.headers, mapping, list(definitions), survey)
        check_access(access, kind, chosen, [n for n, (_, w) in definitions.items() if w])
        job_id = await store.create_job(tx, access, kind.value, filename, data, options,
                                        chosen.columns, table.headers)
        if queue is not None:
            await enqueue(tx, queue, {"job": job_id})
        if commit:
            await tx.commit()
    return job_id


async def run(engine: AsyncEngine, access: Access, job_id: uuid.UUID, pool: Executor,
              progress: Callable[[int, Outcome], None], tx: Transaction | None = None,
              timings: dict[str, float] | None = None,
              batch_rows: int = BATCH_ROWS) -> tuple[dict, Outcome]:
    """Run (or resume) a job to its end; with `tx`, every batch is written in it (a dry
    run, which its caller rolls back). The job as it ended, and what this run did."""
    async with contextlib.AsyncExitStack() as stack:
        reader = tx or await stack.enter_async_context(Transaction(engine))
        job = await store.job(reader, job_id)
        data = await store.job_file(reader, job_id)
        kind = ImportKind(job["kind"])
        type_name = TYPE_OF[kind]
        definitions = await _definitions(reader, access, type_name)
        tags = await store.known_tags(reader, type_name)
        if job["status"] in (ImportStatus.DONE.value, ImportStatus.UNDONE.value):
            return job, Outcome()
        survey = await _survey(reader, access, kind, job["options"])
    table = read_table(io.BytesIO(data), job["filename"])
    options = job["options"]
    # JSONB keeps no key order: the mapping follows the file's columns again.
    mapping = Mapping({h: job["mapping"].get(h, "ignore") for h in table.headers},
                      RECORD_OF[kind])
    plan = Plan(job_id=job_id, kind=kind, mapping=mapping,
                options=Options(default_region=options.get("defaultRegion"), survey=survey),
                on_duplicate=OnDuplicate(options.get("onDuplicate", "update")),
                definitions={n: d for n, (d, w) in definitions.items() if w},
                known_tags=frozenset(tags),
                may_create_tags=store.may_create_tags(access, type_name),
                after_line=job["progress_line"], batch_rows=batch_rows)
    writer = BatchWriter(engine, access, job_id, kind, plan.on_duplicate.value,
                         plan.may_create_tags, outer=tx, timings=timings, mapping=mapping)
    try:
        outcome = await run_import(plan, table.rows, writer, pool, progress)
    except Exception as exc:
        if tx is None:
            async with Transaction(engine) as failed:
                await store.set_status(failed, job_id, ImportStatus.FAILED, str(exc)[:2000],
                                       str(access.actor))
                await failed.commit()
        raise
    async with contextlib.AsyncExitStack() as stack:
        writer_tx = tx or await stack.enter_async_context(Transaction(engine))
        await store.set_status(writer_tx, job_id, ImportStatus.DONE, actor=str(access.actor))
        ended = await store.job(writer_tx, job_id)
        if tx is None:
            await writer_tx.commit()
    return ended, outcome
