"""importStart through HTTP: a multipart upload (GraphQL multipart request spec) that checks
the importer's rights, and queues a job the worker runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from api.import_jobs import RUN_IMPORT, run_import_job
from api.schema.ids import from_global_id
from api.worker import JobContext, JobRun
from persistence.db import Reader, make_engine

START = """mutation($input: ImportStartInput!) { importStart(input: $input) {
  job { id status kind filename } errors { field code message } } }"""
REJECTED = """query($id: ID!) { importJob(id: $id) {
  rowErrors { line column value code message } rejectedCsv } }"""
REJECTED_AFTER = """query($id: ID!) { importJob(id: $id) { rowErrors(afterLine: 3) { line } } }"""
CSV = (b"Last name,First name,E-mail,Phone,Country\r\n"
       b"Uploaded,Ulla,ulla@upload-u.de,030 4445556,DE\r\n"
       b"Broken,Bert,bert(at)upload-u.de,,DE\r\n")


async def upload(http, token: str, body: bytes, *, kind="CONTACTS"):
    operations = {"query": START, "variables": {"input": {"file": None, "kind": kind}}}
    headers = {"Authorization": f"Bearer {token}"}
    return await http.post("/graphql", headers=headers, data={
        "operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.file"]})},
        files={"0": ("people.csv", body, "text/csv")})


async def test_import_start_queues_a_job_the_worker_runs(http, gql, tokens, database_url):
    # given a CSV uploaded by a sales user
    response = await upload(http, tokens["sales"], CSV)
    result = response.json()["data"]["importStart"]
    # then the job is stored, pending for the worker
    assert result["errors"] == [] and result["job"]["status"] == "PENDING"
    assert result["job"]["filename"] == "people.csv"
    job_id = from_global_id(result["job"]["id"])[1]
    engine = make_engine(database_url, pool_size=2)
    try:
        reader = Reader(engine)
        queued = await reader.rows("SELECT payload FROM pgqueuer WHERE entrypoint = $1",
                                   [RUN_IMPORT])
        assert any(json.loads(bytes(r["payload"]))["job"] == str(job_id) for r in queued)
        # when the worker's job runs it
        await run_import_job(JobContext(engine, lambda: datetime.now(UTC)),
                             JobRun(1, RUN_IMPORT, 1, {"job": str(job_id)}))
        # then the good row is a contact of the uploader's, the bad one rejected
        job = (await reader.rows("SELECT status, created_count, rejected_count FROM import_job "
                                 "WHERE id = $1", [job_id]))[0]
        assert job == {"status": "DONE", "created_count": 1, "rejected_count": 1}
        owner = await reader.value("SELECT u.email FROM contact c JOIN app_user u ON "
                                   "u.id = c.owner_id WHERE c.last_name = 'Uploaded'", [])
        assert owner == "sales@example.com"
        # and the job's progress went out on the change feed, for recordChanged to follow
        fields = await reader.rows("SELECT fields FROM change_event WHERE record_type = "
                                   "'ImportJob' AND record_id = $1 ORDER BY id", [job_id])
        assert [f["fields"] for f in fields] == [
            ["createdCount", "progressLine", "rejectedCount", "rowsRead", "skippedCount",
             "updatedCount"], ["status"]]
        # and the importer reads the rejected row, its problem and the CSV to fix it in
        read = (await gql.ok("sales", REJECTED, {"id": result["job"]["id"]}))["importJob"]
        assert read["rowErrors"] == [{"line": 3, "column": "E-mail", "value": "bert(at)upload-u.de",
                                      "code": "INVALID", "message": read["rowErrors"][0]["message"]}]
        assert read["rejectedCsv"].splitlines()[0] == "Last name,First name,E-mail,Phone,Country,error"
        assert read["rejectedCsv"].splitlines()[1].startswith("Broken,Bert,bert(at)upload-u.de,,DE,")
        assert (await gql.ok("sales", REJECTED_AFTER, {"id": result["job"]["id"]}))[
            "importJob"]["rowErrors"] == []
    finally:
        await engine.dispose()


@pytest.mark.parametrize("role", ["marketing", "analyst"])
async def test_import_start_refused_to_a_role_that_may_not_create_contacts(http, tokens, role):
    result = (await upload(http, tokens[role], CSV)).json()["data"]["importStart"]
    assert result["job"] is None
    assert "You may not create a Contact." in [e["message"] for e in result["errors"]]


async def test_import_start_names_an_unreadable_file(http, tokens):
    result = (await upload(http, tokens["admin"], b"")).json()["data"]["importStart"]
    assert result["job"] is None and result["errors"][0]["field"] == "file"


async def test_import_start_without_a_multipart_file_is_invalid(gql):
    # given the file written into the JSON variables instead of sent as a part
    result = (await gql.ok("admin", START, {"input": {"file": "Last name\nSmith\n",
                                                      "kind": "CONTACTS"}}))["importStart"]
    # then nothing is queued, and the answer says how to send a file
    assert result["job"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("file", "INVALID")]
