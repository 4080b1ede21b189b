"""A `crm import` killed mid-import (SIGKILL, after some batches committed) leaves a job that
resumes from its last committed line: every row ends up imported once, none half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from tests.databases import own_database
from tests.e2e.imports import CRM, HEADERS, crm, rows, value
from tests.unit.imports.files import write_csv

pytestmark = pytest.mark.e2e
ROWS = 6000
BATCH = 300


@pytest.fixture(scope="module")
def env(server_url, tmp_path_factory) -> dict:
    with own_database(server_url, "crm_import_resume", demo=True) as url:
        yield {"DATABASE_URL": url, "CRM_HOME": str(tmp_path_factory.mktemp("resume-home"))}


def _people(count: int) -> list[list[str]]:
    return [HEADERS, *([f"R-{n}", "Kim", f"Resume{n}", f"kim.{n}@resume-r.de", "",
                        "DE", f"Resume Firm {n // 50}", "", "", ""] for n in range(count))]


def _kill_after_a_batch(url: str, command: list[str], env: dict) -> str:
    """Start the import and SIGKILL it once a batch has committed; the job's id."""
    process = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = rows(url, "SELECT id, progress_line FROM import_job "
                             "WHERE status = 'RUNNING' AND progress_line > 0")
            if done:
                process.send_signal(signal.SIGKILL)
                process.wait(10)
                return str(done[0]["id"])
            assert process.poll() is None, "the import ended before it could be killed"
            time.sleep(0.02)
        raise AssertionError("no batch committed within two minutes")
    finally:
        if process.poll() is None:
            process.kill()


def test_import_killed_mid_import_resumes_from_its_last_committed_line(env, tmp_path):
    url = env["DATABASE_URL"]
    path = write_csv(tmp_path / "many.csv", _people(ROWS))
    # given an import killed after a batch committed
    job = _kill_after_a_batch(url, [CRM, "import", "contacts", str(path), "--quiet",
                                    "--batch-rows", str(BATCH)], env)
    killed = rows(url, "SELECT status, progress_line, rows_read, created_count FROM import_job "
                       "WHERE id = $1::uuid", job)[0]
    # then the job is resumable and holds exactly the rows of its committed batches
    assert killed["status"] == "RUNNING"
    assert 0 < killed["progress_line"] < ROWS + 1
    imported = value(url, "SELECT count(*) FROM contact WHERE external_id LIKE 'R-%'")
    assert imported == killed["created_count"] == killed["rows_read"]
    assert imported % BATCH == 0  # whole batches: no half-written one
    # when it is resumed
    out = crm("import", "resume", job, "--quiet", "--batch-rows", str(BATCH), env=env).stdout
    # then every row is imported once, and the job is done
    assert f"import {job}" in out
    assert value(url, "SELECT count(*) FROM contact WHERE external_id LIKE 'R-%'") == ROWS
    assert value(url, "SELECT count(DISTINCT external_id) FROM contact "
                      "WHERE external_id LIKE 'R-%'") == ROWS
    done = rows(url, "SELECT status, rows_read, created_count, progress_line FROM import_job "
                     "WHERE id = $1::uuid", job)[0]
    assert done == {"status": "DONE", "rows_read": ROWS, "created_count": ROWS,
                    "progress_line": ROWS + 1}
    # and every contact of the file has its company link: no batch stopped half-way
    assert value(url, "SELECT count(*) FROM contact c WHERE c.external_id LIKE 'R-%' AND NOT "
                      "EXISTS (SELECT 1 FROM account_contact l WHERE l.contact_id = c.id)") == 0
