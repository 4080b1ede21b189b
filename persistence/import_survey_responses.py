"""One batch of imported survey responses, written set-based like contacts
(persistence.import_contacts): staged, each row's contact found among those the importer reads
(by id, external id, then email) and the case, order or product it is about by its number or
SKU, and every row that finds them and is no response already stored inserted with its
"create" audit entry, the job its parent: undo archives what those entries name.

A response already stored, or an earlier row of the file, by the same contact to the same
survey about the same thing at the same moment is refused as DUPLICATE, so that a file
imported twice counts once.
"""

from __future__ import annotations

import uuid

import asyncpg
import orjson

from domain.access import Access
from domain.errors import DomainError, ErrorCode
from domain.import_rows import Prepared
from domain.imports.survey_responses import SurveyQuestions
from persistence.base import json_text, jsonable
from persistence.cases import CASE
from persistence.contacts import CONTACT
from persistence.db import Transaction
from persistence.import_store import BatchResult, Stopwatch
from persistence.orders import ORDER, PRODUCT
from persistence.spec import Spec, read_sql
from persistence.sql import Builder
from persistence.surveys import SURVEY

STAGE_COLUMNS = ("line", "lines", "contact_ref", "external_id", "email", "answers", "score",
                 "comment", "comment_class", "responded_at", "responded_text", "case_number",
                 "order_number", "product_sku")
CREATE_STAGE = """
CREATE TEMP TABLE import_stage (
    line int PRIMARY KEY, lines int[] NOT NULL, contact_ref uuid, external_id text, email text,
    answers jsonb NOT NULL, score int, comment text, comment_class text,
    responded_at timestamptz NOT NULL, responded_text text NOT NULL, case_number text,
    order_number text, product_sku text, contact_id uuid, case_id uuid, order_id uuid,
    product_id uuid, new_id uuid, refused text, refused_target text
) ON COMMIT DROP
"""
# Refusal -> the row error's message; the column is the mapping target the refusal names.
REFUSALS = {
    "UNKNOWN_CONTACT": "No contact you may see has this email, external id or id.",
    "UNKNOWN_CASE": "No case you may see has this number.",
    "UNKNOWN_ORDER": "No order you may see has this number.",
    "UNKNOWN_PRODUCT": "No product has this SKU.",
    "DUPLICATE": "This contact's response to the survey about the same thing at this time "
                 "is recorded already.",
}
# (what the row names, its column in the stage, the table, the key column, the refusal)
ABOUT = (("case", "case_number", "service_case", "number", CASE.spec, "UNKNOWN_CASE"),
         ("order", "order_number", "sales_order", "number", ORDER.spec, "UNKNOWN_ORDER"),
         ("product", "product_sku", "product", "sku", PRODUCT.spec, "UNKNOWN_PRODUCT"))
_SAME_ABOUT = ("{r}.case_id IS NOT DISTINCT FROM s.case_id AND {r}.order_id IS NOT DISTINCT "
               "FROM s.order_id AND {r}.product_id IS NOT DISTINCT FROM s.product_id")


def staged(p: Prepared) -> tuple:
    """A row as import_stage holds it (STAGE_COLUMNS)."""
    r = p.row
    return (r.line, p.lines, r.contact_id, r.external_id, r.email, json_text(r.answers), r.score,
            r.comment, r.comment_class, r.responded_at, jsonable(r.responded_at), r.case_number,
            r.order_number, r.product_sku)


async def survey_of(tx: Transaction, access: Access, survey_id: uuid.UUID) -> SurveyQuestions:
    """The live survey a file answers, as the importer reads it; NOT_FOUND on `survey`."""
    b = Builder()
    rows = await tx.rows(f"SELECT kind, questions FROM survey t WHERE t.id = {b.bind(survey_id)} "
                         f"AND t.archived_at IS NULL AND {read_sql(SURVEY.spec, access, 't', b)}",
                         b.params)
    if not rows:
        raise DomainError.one("survey", ErrorCode.NOT_FOUND, "No survey with this id.")
    questions = rows[0]["questions"]
    if isinstance(questions, str):
        questions = orjson.loads(questions)
    return SurveyQuestions(rows[0]["kind"], tuple(questions))


def _seen(spec: Spec, access: Access, alias: str, b: Builder) -> str:
    return f"{alias}.archived_at IS NULL AND {read_sql(spec, access, alias, b)}"


async def _find_contacts(db: asyncpg.Connection, access: Access) -> None:
    b = Builder()
    seen = _seen(CONTACT.spec, access, "c", b)
    # OFFSET 0 fences the email lookup off from the ORDER BY, as import_contacts._oldest says.
    await db.execute(
        f"UPDATE import_stage s SET contact_id = coalesce("
        f"(SELECT c.id FROM contact c WHERE c.id = s.contact_ref AND {seen}), "
        f"(SELECT c.id FROM contact c WHERE s.external_id IS NOT NULL "
        f"AND c.external_id = s.external_id AND {seen}), "
        f"(SELECT m.id FROM (SELECT c.id, c.created_at FROM contact c WHERE s.email IS NOT NULL "
        f"AND c.email_keys && ARRAY[s.email] AND {seen} OFFSET 0) m "
        f"ORDER BY m.created_at, m.id LIMIT 1))", *b.params)
    await db.execute(
        "UPDATE import_stage SET refused = 'UNKNOWN_CONTACT', refused_target = CASE "
        "WHEN contact_ref IS NOT NULL THEN 'contact' WHEN external_id IS NOT NULL "
        "THEN 'externalId' ELSE 'email' END WHERE contact_id IS NULL")


async def _find_about(db: asyncpg.Connection, access: Access) -> None:
    for target, named, table, key, spec, refusal in ABOUT:
        b = Builder()
        await db.execute(
            f"UPDATE import_stage s SET {target}_id = (SELECT t.id FROM {table} t "
            f"WHERE t.{key} = s.{named} AND {_seen(spec, access, 't', b)}) "
            f"WHERE s.{named} IS NOT NULL AND s.refused IS NULL", *b.params)
        await db.execute(
            f"UPDATE import_stage SET refused = '{refusal}', refused_target = '{target}' "
            f"WHERE {named} IS NOT NULL AND {target}_id IS NULL AND refused IS NULL")


async def _refuse_duplicates(db: asyncpg.Connection, survey_id: uuid.UUID) -> None:
    await db.execute(
        f"UPDATE import_stage s SET refused = 'DUPLICATE', refused_target = 'respondedAt' "
        f"WHERE s.refused IS NULL AND (EXISTS (SELECT 1 FROM survey_response r "
        f"WHERE r.contact_id = s.contact_id AND r.responded_at = s.responded_at "
        f"AND r.survey_id = $1 AND r.archived_at IS NULL AND {_SAME_ABOUT.format(r='r')}) "
        f"OR EXISTS (SELECT 1 FROM import_stage e WHERE e.line < s.line AND e.refused IS NULL "
        f"AND e.contact_id = s.contact_id AND e.responded_at = s.responded_at "
        f"AND {_SAME_ABOUT.format(r='e')}))", survey_id)


_CREATED_FIELDS = ("jsonb_build_object('survey', $3::uuid::text, 'contact', s.contact_id::text, "
                   "'case', s.case_id::text, 'order', s.order_id::text, "
                   "'product', s.product_id::text, 'answers', s.answers, 'score', s.score, "
                   "'comment', s.comment, 'commentClass', s.comment_class, "
                   "'classifiedBy', CASE WHEN s.comment IS NOT NULL THEN 'AUTO' END, "
                   "'channel', 'IMPORT', 'respondedAt', s.responded_text)")


async def _create(db: asyncpg.Connection, job_id: uuid.UUID, actor: str,
                  survey_id: uuid.UUID) -> None:
    """The rows nothing refused, as responses of channel IMPORT, each audited."""
    await db.execute("UPDATE import_stage SET new_id = gen_random_uuid() WHERE refused IS NULL")
    await db.execute(
        "INSERT INTO survey_response (id, created_by, updated_by, survey_id, contact_id, "
        "case_id, order_id, product_id, answers, score, comment, comment_class, classified_by, "
        "channel, responded_at) SELECT new_id, $1, $1, $2, contact_id, case_id, order_id, "
        "product_id, answers, score, comment, comment_class, "
        "CASE WHEN comment IS NOT NULL THEN 'AUTO' END, 'IMPORT', responded_at "
        "FROM import_stage WHERE new_id IS NOT NULL", actor, survey_id)
    await db.execute(
        f"INSERT INTO audit_entry (id, record_type, record_id, parent_id, action, changes, "
        f"created_by, updated_by) SELECT gen_random_uuid(), 'SurveyResponse', s.new_id, $1, "
        f"'create', (SELECT jsonb_object_agg(k, jsonb_build_object('before', NULL, 'after', v)) "
        f"FROM jsonb_each({_CREATED_FIELDS}) e(k, v) WHERE v <> 'null'), $2, $2 "
        f"FROM import_stage s WHERE s.new_id IS NOT NULL", job_id, actor, survey_id)


async def write(tx: Transaction, access: Access, job_id: uuid.UUID, mode: str,
                staged_rows: list[tuple], create_tags: bool,
                timings: dict[str, float] | None = None) -> BatchResult:
    """Write one batch of staged responses to the job's survey; the refused lines come back
    with their code and the target of the column at fault. `mode` and `create_tags` are the
    other kinds' (a response matches nothing and has no tags)."""
    db, clock = tx.driver_connection, Stopwatch(timings)
    survey_id = await db.fetchval("SELECT (options ->> 'survey')::uuid FROM import_job "
                                  "WHERE id = $1", job_id)
    await db.execute("SET LOCAL jit = off")  # as import_contacts.stage says why
    await db.execute("DROP TABLE IF EXISTS import_stage")  # a dry run's batches share one tx
    await db.execute(CREATE_STAGE)
    await db.copy_records_to_table("import_stage", records=staged_rows, columns=STAGE_COLUMNS)
    clock.lap("copy")
    await _find_contacts(db, access)
    await _find_about(db, access)
    await _refuse_duplicates(db, survey_id)
    clock.lap("match")
    await _create(db, job_id, str(access.actor), survey_id)
    clock.lap("create")
    result = BatchResult(refused=[])
    for row in await db.fetch("SELECT line, lines, new_id, refused, refused_target "
                              "FROM import_stage ORDER BY line"):
        if row["new_id"] is not None:
            result.created += 1
        else:
            result.refused.append((row["lines"], row["refused"], row["refused_target"]))
    return result
