"""importStart of SURVEY_RESPONSES through HTTP: a file of a survey's responses uploaded as a
multipart request by the roles that record responses and refused to the others, run by the
worker's job into responses of channel IMPORT (each audited under the job, so on the change
feed), its bad rows rejected with their column and reason, and undone."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from api.import_jobs import RUN_IMPORT, run_import_job
from api.worker import JobContext, JobRun
from domain.ids import from_global_id
from persistence.db import Reader, make_engine
from persistence.import_undo import undo
from tests.api.surveys_setup import make_survey

START = """mutation($input: ImportStartInput!) { importStart(input: $input) {
  job { id status kind } errors { field code message } } }"""
JOB = """query($id: ID!) { importJob(id: $id) { status createdCount rejectedCount
  rowErrors { line column value code message } rejectedCsv } }"""
RESPONSES = """query($survey: ID!) { surveyResponses(first: 20, filter: {survey: {eq: $survey}},
  orderBy: {field: RESPONDED_AT, direction: ASC}) { nodes { score channel comment commentClass
  respondedAt contact { id } order { id number } answers { key value } } } }"""
ORDER = """{ orders(first: 1) { nodes { id number } } }"""
HEADER = ["E-Mail", "Score", "Comment", "Responded at", "Order number"]


def csv_of(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode()


async def upload(http, token: str, body: bytes, survey: str | None, *,
                 kind: str = "SURVEY_RESPONSES", mapping: dict | None = None):
    variables = {"input": {"file": None, "kind": kind, "survey": survey, "mapping": mapping}}
    response = await http.post(
        "/graphql", headers={"Authorization": f"Bearer {token}"},
        data={"operations": json.dumps({"query": START, "variables": variables}),
              "map": json.dumps({"0": ["variables.input.file"]})},
        files={"0": ("responses.csv", body, "text/csv")})
    return response.json()["data"]["importStart"]


async def run_job(database_url: str, job_id: str) -> None:
    engine = make_engine(database_url, pool_size=2)
    try:
        await run_import_job(JobContext(engine, lambda: datetime.now(UTC)),
                             JobRun(1, RUN_IMPORT, 1, {"job": str(from_global_id(job_id)[1])}))
    finally:
        await engine.dispose()


async def reader_rows(database_url: str, sql: str, *args) -> list[dict]:
    engine = make_engine(database_url, pool_size=1)
    try:
        return await Reader(engine).rows(sql, list(args))
    finally:
        await engine.dispose()


@pytest.mark.parametrize("role", ["marketing", "service", "admin"])
async def test_import_start_survey_responses_runs_into_responses_of_channel_import(
        http, gql, tokens, factories, database_url, role):
    # given an NPS survey, two contacts (one with an external id) and an order
    survey = await make_survey(gql, "NPS")
    ada = await factories.contact(emails=[{"address": f"ada.{role}@survey-import.example"}])
    bob = await factories.contact(externalId=f"SURVEY-IMPORT-{role}")
    order = (await gql.ok("admin", ORDER))["orders"]["nodes"][0]
    body = csv_of([
        [*HEADER[:4], HEADER[4], "Customer ID"],
        [f"ADA.{role}@survey-import.example", "9", "Could you add dark mode?",
         "2026-03-01 10:00", order["number"], ""],
        ["", "3", "The delivery was late and damaged", "02.03.2026", "",
         f"SURVEY-IMPORT-{role}"],
        [f"nobody.{role}@survey-import.example", "8", "", "2026-03-03", "", ""],
        [f"ada.{role}@survey-import.example", "11", "", "2026-03-04", "", ""],
    ])
    # when a role that records responses uploads the file and the worker runs it
    started = await upload(http, tokens[role], body, survey["id"])
    assert started["errors"] == [] and started["job"]["kind"] == "SURVEY_RESPONSES"
    await run_job(database_url, started["job"]["id"])
    # then the two good rows are responses to the survey, by import, classified
    responses = (await gql.ok("admin", RESPONSES, {"survey": survey["id"]}))[
        "surveyResponses"]["nodes"]
    assert [(r["contact"]["id"], r["score"], r["channel"], r["commentClass"])
            for r in responses] == [(ada["id"], 9, "IMPORT", "WISH"),
                                    (bob["id"], 3, "IMPORT", "ERROR")]
    assert responses[0]["order"] == order and responses[0]["answers"] == [
        {"key": "nps", "value": 9}]
    assert responses[0]["respondedAt"].startswith("2026-03-01T10:00:00")
    assert responses[1]["respondedAt"].startswith("2026-03-02T00:00:00")
    # and the bad rows are rejected with their column, value and reason
    job = (await gql.ok(role, JOB, {"id": started["job"]["id"]}))["importJob"]
    assert (job["status"], job["createdCount"], job["rejectedCount"]) == ("DONE", 2, 2)
    assert [(e["line"], e["column"], e["value"], e["code"]) for e in job["rowErrors"]] == [
        (4, "E-Mail", f"nobody.{role}@survey-import.example", "UNKNOWN_CONTACT"),
        (5, "Score", "11", "INVALID")]
    assert job["rowErrors"][1]["message"] == "nps is answered from 0 to 10."
    rejected = job["rejectedCsv"].splitlines()
    assert rejected[0] == "E-Mail,Score,Comment,Responded at,Order number,Customer ID,error"
    assert rejected[1].startswith(f"nobody.{role}@survey-import.example,8,")
    # and each response has its create entry under the job, so its change event
    job_uuid = from_global_id(started["job"]["id"])[1]
    events = await reader_rows(
        database_url, "SELECT e.record_type FROM change_event e JOIN audit_entry a "
        "ON a.record_id = e.record_id AND a.action = 'create' WHERE a.parent_id = $1", job_uuid)
    assert [e["record_type"] for e in events] == ["SurveyResponse", "SurveyResponse"]


def scores(data: dict) -> list[tuple[str, int]]:
    return [(r["contact"]["id"], r["score"]) for r in data["surveyResponses"]["nodes"]]


async def test_import_survey_responses_refuses_a_duplicate_and_undo_archives_the_import(
        http, gql, tokens, factories, database_url, principals):
    # given a CSAT survey and a response of a contact already imported
    survey = await make_survey(gql, "CSAT")
    cleo = await factories.contact(emails=[{"address": "cleo@survey-import.example"}])
    first = csv_of([HEADER[:4], ["cleo@survey-import.example", "4", "", "2026-04-01T08:00:00Z"]])
    started = await upload(http, tokens["service"], first, survey["id"])
    await run_job(database_url, started["job"]["id"])
    # when a file holds that response again, twice more, and one of another day
    again = csv_of([HEADER[:4], ["cleo@survey-import.example", "4", "", "2026-04-01T10:00+02:00"],
                    ["cleo@survey-import.example", "5", "", "2026-04-02"],
                    ["cleo@survey-import.example", "5", "", "2026-04-02"]])
    second = await upload(http, tokens["service"], again, survey["id"])
    await run_job(database_url, second["job"]["id"])
    # then only the new one goes in; the same moment written with an offset is a duplicate
    job = (await gql.ok("service", JOB, {"id": second["job"]["id"]}))["importJob"]
    assert [(e["line"], e["column"], e["code"]) for e in job["rowErrors"]] == [
        (2, "Responded at", "DUPLICATE"), (4, "Responded at", "DUPLICATE")]
    assert scores(await gql.ok("admin", RESPONSES, {"survey": survey["id"]})) == [
        (cleo["id"], 4), (cleo["id"], 5)]
    # and undoing the second import archives what it created, and only that
    engine = make_engine(database_url, pool_size=2)
    try:
        done = await undo(engine, principals["service"].access(),
                          from_global_id(second["job"]["id"])[1])
    finally:
        await engine.dispose()
    assert (done.archived, done.refused) == (1, [])
    assert scores(await gql.ok("admin", RESPONSES, {"survey": survey["id"]})) == [
        (cleo["id"], 4)]


@pytest.mark.parametrize("role", ["sales", "analyst"])
async def test_import_start_survey_responses_refused_to_staff_that_record_no_responses(
        http, gql, tokens, role):
    survey = await make_survey(gql, "NPS")
    body = csv_of([HEADER[:4], ["x@survey-import.example", "9", "", "2026-03-01"]])
    result = await upload(http, tokens[role], body, survey["id"])
    assert result["job"] is None
    assert "You may not create a SurveyResponse." in [e["message"] for e in result["errors"]]
    assert {"SurveyResponse.answers", "SurveyResponse.contact", "SurveyResponse.survey",
            "SurveyResponse.respondedAt"} <= {e["field"] for e in result["errors"]}


@pytest.mark.parametrize("role", ["partner", "customer"])
async def test_import_start_survey_responses_refused_outside_staff(http, gql, tokens, role):
    # a survey they are not invited to does not exist for them
    survey = await make_survey(gql, "NPS")
    body = csv_of([HEADER[:4], ["x@survey-import.example", "9", "", "2026-03-01"]])
    result = await upload(http, tokens[role], body, survey["id"])
    assert result["job"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("survey", "NOT_FOUND")]


async def test_import_start_survey_responses_checks_survey_mapping_and_lookups(http, gql, tokens):
    survey = await make_survey(gql, "SERVQUAL", questions=[
        {"key": "rel_e", "text": "Promises kept?", "min": 1, "max": 7,
         "dimension": "RELIABILITY", "aspect": "EXPECTATION"}])
    body = csv_of([["Email", "Reliability expectation", "Date", "Case number"],
                   ["x@survey-import.example", "5", "2026-03-01", "CS-000001"]])
    # without its survey, and with one for contacts
    missing = await upload(http, tokens["admin"], body, None)
    assert [(e["field"], e["code"]) for e in missing["errors"]] == [("survey", "REQUIRED")]
    stray = await upload(http, tokens["admin"], body, survey["id"], kind="CONTACTS")
    assert [(e["field"], e["code"]) for e in stray["errors"]] == [("survey", "INVALID")]
    # a mapping onto a score the survey does not have
    scored = await upload(http, tokens["admin"], body, survey["id"], mapping={
        "Email": "email", "Reliability expectation": "score", "Date": "respondedAt"})
    assert [e["code"] for e in scored["errors"]] == ["INVALID"]
    assert "answer:rel_e" in scored["errors"][0]["message"]
    # marketing reads no case, so it may not look one up by its number
    denied = await upload(http, tokens["marketing"], body, survey["id"])
    assert [(e["field"], e["code"]) for e in denied["errors"]] == [("Case.number", "FORBIDDEN")]
    # and service may
    allowed = await upload(http, tokens["service"], body, survey["id"])
    assert allowed["errors"] == [] and allowed["job"]["status"] == "PENDING"
