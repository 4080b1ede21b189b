"""`crm import survey-responses FILE --survey ID` as a user runs it, on the demo's surveys: a dry
run, rows rejected and written back as CSV, a SERVQUAL file guessed from German headers in
XLSX, batches and undo, and the importer's rights."""

from __future__ import annotations

import csv
import io

import pytest

from domain.ids import to_global_id
from persistence.seed.generator import stable_id
from tests.databases import own_database
from tests.e2e.imports import crm, job_id_of, rows, value
from tests.unit.imports.files import write_csv, write_xlsx

pytestmark = pytest.mark.e2e
NPS = to_global_id("Survey", stable_id("survey", "Quarterly NPS"))
SERVQUAL = str(stable_id("survey", "Service quality 2026"))  # the bare UUID does too
HEADERS = ["E-mail", "NPS", "How much did support count in it?", "Comment", "Date"]
COUNTED = ("survey_response", "audit_entry", "import_job")


@pytest.fixture(scope="module")
def env(server_url, tmp_path_factory) -> dict:
    with own_database(server_url, "crm_import_surveys", demo=True) as url:
        yield {"DATABASE_URL": url, "CRM_HOME": str(tmp_path_factory.mktemp("survey-home"))}


@pytest.fixture(scope="module")
def people(env) -> list[dict]:
    """Three demo contacts with an email: their id and first email."""
    return rows(env["DATABASE_URL"], "SELECT id, email_keys[1] AS email FROM contact "
                                     "WHERE cardinality(email_keys) > 0 AND archived_at IS NULL "
                                     "ORDER BY created_at, id LIMIT 3")


def counts(url: str) -> list[int]:
    return [value(url, f"SELECT count(*) FROM {table}") for table in COUNTED]


def test_import_survey_responses_dry_run_then_import_errors_and_undo(env, people, tmp_path):
    url = env["DATABASE_URL"]
    path = write_csv(tmp_path / "nps.csv", [
        HEADERS,
        [people[0]["email"].upper(), "9", "4", "The app keeps crashing", "2026-05-04 08:15"],
        ["nobody@nowhere-q.example", "7", "", "", "2026-05-04"],
        [people[1]["email"], "12", "", "", "2026-05-04"],
    ])
    before = counts(url)
    # when a dry run imports it as service
    dry = crm("import", "survey-responses", str(path), "--survey", NPS, "--dry-run",
              "--as", "service@example.com", env=env).stdout
    # then it says what would happen, and writes nothing
    assert "dry run, nothing written" in dry and "created 1" in dry and "rejected 2" in dry
    assert counts(url) == before
    # when it is imported, a row per batch
    out = crm("import", "survey-responses", str(path), "--survey", NPS, "--batch-rows", "1",
              "--as", "service@example.com", env=env).stdout
    assert "created 1, updated 0, skipped 0, rejected 2" in out
    job = job_id_of(out)
    # then the good row is a response of channel IMPORT, both questions answered
    found = rows(url, "SELECT contact_id, score, answers, comment_class, channel, r.created_by "
                      "FROM survey_response r JOIN audit_entry a ON a.record_id = r.id "
                      "WHERE a.parent_id = $1::uuid AND a.action = 'create'", job)
    assert [(r["contact_id"], r["score"], r["comment_class"], r["channel"]) for r in found] == [
        (people[0]["id"], 9, "ERROR", "IMPORT")]
    assert found[0]["answers"] == [{"key": "nps", "value": 9}, {"key": "reason", "value": 4}]
    assert found[0]["created_by"].startswith("User:")
    # and the rejected rows come back as they were, with what is wrong
    table = list(csv.reader(io.StringIO(crm("import", "errors", job, env=env).stdout
                                        .lstrip("\ufeff"))))
    assert table[0] == [*HEADERS, "error"]
    assert [r[0] for r in table[1:]] == ["nobody@nowhere-q.example", people[1]["email"]]
    assert table[1][-1].startswith("E-mail: No contact") and "0 to 10" in table[2][-1]
    # when the import is undone, its response is archived
    assert "1 records archived" in crm("import", "undo", job, env=env).stdout
    assert value(url, "SELECT count(*) FROM survey_response r JOIN audit_entry a ON "
                      "a.record_id = r.id WHERE a.parent_id = $1::uuid AND a.action = 'create' "
                      "AND r.archived_at IS NULL", job) == 0
    assert value(url, "SELECT status FROM import_job WHERE id = $1::uuid", job) == "UNDONE"


def test_import_servqual_xlsx_by_contact_id_and_german_headers(env, people, tmp_path):
    url = env["DATABASE_URL"]
    contact = to_global_id("Contact", people[2]["id"])
    path = write_xlsx(tmp_path / "servqual.xlsx", [
        ["Kontakt", "Zuverlässigkeit Erwartung", "Zuverlässigkeit Wahrnehmung", "Datum"],
        [contact, 7, 5, "01.06.2026 14:00"]])
    out = crm("import", "survey-responses", str(path), "--survey", SERVQUAL, env=env).stdout
    assert "created 1" in out and "rejected 0" in out
    answers = value(url, "SELECT answers FROM survey_response WHERE contact_id = $1 "
                         "AND channel = 'IMPORT' AND survey_id = $2",
                    people[2]["id"], stable_id("survey", "Service quality 2026"))
    assert answers == [
        {"key": "reliability_e", "value": 7, "dimension": "RELIABILITY", "aspect": "EXPECTATION"},
        {"key": "reliability_p", "value": 5, "dimension": "RELIABILITY", "aspect": "PERCEPTION"}]


def test_import_survey_responses_refused_to_whoever_may_not_record_them(env, people, tmp_path):
    url = env["DATABASE_URL"]
    path = write_csv(tmp_path / "refused.csv", [[*HEADERS, "Case number"],
                                                [people[0]["email"], "8", "", "", "2026-05-04",
                                                 "CS-000001"]])
    before = counts(url)
    # sales records no response
    denied = crm("import", "survey-responses", str(path), "--survey", NPS,
                 "--as", "sales@example.com", env=env, check=False)
    assert denied.returncode != 0 and "You may not create a SurveyResponse" in denied.stderr
    # marketing records them, but reads no case to find one by its number
    denied = crm("import", "survey-responses", str(path), "--survey", NPS,
                 "--as", "marketing@example.com", env=env, check=False)
    assert denied.returncode != 0 and "Case.number" in denied.stderr
    # and a survey's id is what the API gives, or its UUID
    denied = crm("import", "survey-responses", str(path), "--survey", "42", env=env,
                 check=False)
    assert denied.returncode != 0 and "not a survey's id" in denied.stderr
    assert counts(url) == before
