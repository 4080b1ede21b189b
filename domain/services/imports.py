"""Import use cases: start an import (its mapping and the importer's rights checked), run or
resume it batch by batch, with the rows normalised on every core meanwhile."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from domain.access import Access
from domain.custom_fields import CustomFieldType, Definition
from domain.errors import DomainError, ErrorCode
from domain.import_jobs import MATCHED, RECORD_OF, ImportKind, OnDuplicate, require_import
from domain.import_rows import Prepared, fold, prepare_chunk
from domain.imports.cells import CellError, yes_or_no
from domain.imports.mapping import Mapping, guess_mapping, mapping_from_json
from domain.imports.normalise import Options, RowError
from domain.imports.survey_responses import (
    SurveyQuestions,
    answer_targets,
    check_survey_mapping,
)

CHUNK_ROWS = 1_000  # rows per task of the pool: large enough that pickling is cheap
BATCH_ROWS = 10_000  # rows per transaction
# The pool works a batch ahead: the batch after the one being gathered while one writes.
IN_FLIGHT = BATCH_ROWS // CHUNK_ROWS
_LIST = re.compile(r"\s*[;,]\s*")


@dataclass(slots=True)
class Batch:
    """Rows of the file between two commits."""

    rows: list[Prepared] = field(default_factory=list)
    rejected: list[tuple[list[str], list[RowError]]] = field(default_factory=list)
    cells: dict[int, list[str]] = field(default_factory=dict)
    read: int = 0
    last_line: int = 0


@dataclass(slots=True)
class Outcome:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0

    def add(self, other: Outcome) -> None:
        self.created += other.created
        self.updated += other.updated
        self.skipped += other.skipped
        self.rejected += other.rejected


class ImportWriter(Protocol):
    """Writes batches of one job; persistence.import_run implements it."""

    async def write(self, batch: Batch) -> Outcome: ...


@dataclass(frozen=True)
class Plan:
    """How a job's rows are read and written."""

    job_id: uuid.UUID
    kind: ImportKind
    mapping: Mapping
    options: Options
    on_duplicate: OnDuplicate
    definitions: dict[str, Definition]  # the custom fields the importer writes
    known_tags: frozenset[str]  # lower case
    may_create_tags: bool
    after_line: int = 0  # resume after this line
    batch_rows: int = BATCH_ROWS


def require_survey(kind: ImportKind, survey: uuid.UUID | None) -> None:
    """A file of survey responses names the survey it answers; no other file names one."""
    if kind is ImportKind.SURVEY_RESPONSES and survey is None:
        raise DomainError.one("survey", ErrorCode.REQUIRED,
                              "Name the survey the responses answer.")
    if kind is not ImportKind.SURVEY_RESPONSES and survey is not None:
        raise DomainError.one("survey", ErrorCode.INVALID,
                              "Only a file of SURVEY_RESPONSES answers a survey.")


def choose_mapping(kind: ImportKind, headers: list[str], given: dict | None,
                   custom_fields: list[str], survey: SurveyQuestions | None = None) -> Mapping:
    """The given mapping, or the one guessed from the headers; a survey's questions are
    targets of its own (domain.imports.survey_responses)."""
    record = RECORD_OF[kind]
    extra = answer_targets(survey) if survey else None
    if given is not None:
        chosen = mapping_from_json(given, headers, custom_fields, record, extra)
    else:
        chosen = guess_mapping(headers, custom_fields, record, extra)
    if survey is not None:
        check_survey_mapping(chosen, survey)
    return chosen


def check_access(access: Access, kind: ImportKind, mapping: Mapping,
                 custom_writable: list[str]) -> None:
    """Refuse the import, naming each field, unless the importer writes all it maps."""
    require_import(access, kind, mapping.columns.values(), custom_writable)


def custom_value(definition: Definition, text: str) -> Any:
    """A cell's text as the value a custom field takes, then checked by its definition."""
    kind = definition.type
    value: Any = text
    if kind is CustomFieldType.NUMBER:
        number = Decimal(text.replace(",", "."))
        value = int(number) if number == number.to_integral_value() else float(number)
    elif kind is CustomFieldType.BOOLEAN:
        value = yes_or_no(text)
    elif kind is CustomFieldType.MULTI_SELECT:
        value = [v for v in _LIST.split(text.strip()) if v]
    return definition.clean(value)


def _checked(plan: Plan, prepared: Prepared, headers: dict[str, str]) -> list[RowError]:
    """Custom values as their definitions take them, and tags that exist or may be made; a
    survey response has neither, and the pool checked all of it."""
    if plan.kind not in MATCHED:
        return []
    row, errors = prepared.row, []
    for name, text in list(row.custom.items()):
        definition = plan.definitions.get(name)
        header = headers.get(f"custom:{name}")
        try:
            row.custom[name] = custom_value(definition, text) if definition else text
        except (DomainError, CellError, ArithmeticError, ValueError) as exc:
            message = exc.problems[0].message if isinstance(exc, DomainError) else (
                getattr(exc, "message", None) or f"{text!r} is not a {definition.type.lower()}.")
            errors.append(RowError(row.line, header, text, "INVALID", message))
    if not plan.may_create_tags:
        unknown = [t for t in row.tags if t.casefold() not in plan.known_tags]
        if unknown:
            errors.append(RowError(row.line, headers.get("tags"), ", ".join(unknown),
                                   "UNKNOWN_TAG", f"No tag {', '.join(unknown)}; you may not "
                                                  f"create tags."))
    return errors


async def run_import(plan: Plan, rows: Iterator[tuple[int, list[str]]], writer: ImportWriter,
                     pool: Executor, progress: Callable[[int, Outcome], None]) -> Outcome:
    """Read, normalise on the pool and write the rows after `plan.after_line`, a batch per
    transaction; the outcome of the lines this run wrote. A batch is written while the next
    is read and checked: one write at a time, in file order, so a resumed job still starts
    after its last committed line."""
    loop = asyncio.get_running_loop()
    headers = {target: header for header, target in plan.mapping.columns.items()}
    total, batch = Outcome(), Batch()
    flight: deque = deque()
    writing: asyncio.Future | None = None

    async def write(done: Batch) -> tuple[int, Outcome]:
        return done.read, await writer.write(done)

    async def written() -> None:
        nonlocal writing
        if writing is not None:
            task, writing = writing, None
            read, outcome = await task
            total.add(outcome)
            progress(read, outcome)

    async def take() -> None:
        nonlocal batch
        chunk, future = flight.popleft()
        await asyncio.sleep(0)  # the batch being written goes on between chunks, done or not
        for (line, cells), result in zip(chunk, await future, strict=True):
            batch.read += 1
            batch.last_line = line
            errors = result if isinstance(result, list) else _checked(plan, result, headers)
            if errors:
                batch.rejected.append((cells, errors))
            else:
                batch.rows.append(result)
                batch.cells[line] = cells
            if batch.read >= plan.batch_rows:
                await flush()

    async def flush() -> None:
        nonlocal batch, writing
        if not batch.read:
            return
        done, batch = batch, Batch()
        if plan.kind in MATCHED and plan.on_duplicate is not OnDuplicate.CREATE:
            done.rows, _ = fold(done.rows, fill=plan.on_duplicate is OnDuplicate.UPDATE)
        await written()
        writing = asyncio.ensure_future(write(done))

    chunk: list[tuple[int, list[str]]] = []
    try:
        for line, cells in rows:
            if line <= plan.after_line:
                continue
            chunk.append((line, cells))
            if len(chunk) == min(CHUNK_ROWS, plan.batch_rows):
                flight.append((chunk, loop.run_in_executor(
                    pool, prepare_chunk, chunk, plan.mapping, plan.options)))
                chunk = []
                while len(flight) >= IN_FLIGHT:
                    await take()
        if chunk:
            flight.append((chunk, loop.run_in_executor(
                pool, prepare_chunk, chunk, plan.mapping, plan.options)))
        while flight:
            await take()
        await flush()
        await written()
    except BaseException:
        # The caller marks the job failed: not before the batch in flight has ended.
        if writing is not None:
            await asyncio.gather(writing, return_exceptions=True)
        raise
    return total
