"""A PostgreSQL of the test's own goes down and comes back under a real server: clients get
503 with Retry-After while it is down, answers again as soon as it is back, and the server
logs no traceback. The logs are JSON lines that carry each request's id."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest

from persistence.embedded import DATABASE, embedded_url
from tests.processes import environment, served

pytestmark = pytest.mark.e2e
QUERY = {"query": "query Count { contacts(first: 1) { totalCount } }"}


def crm(env: dict, *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], env=environment(env),
                          capture_output=True, text=True, check=True, timeout=180).stdout


@pytest.fixture(scope="module")
def own_database(tmp_path_factory):
    """The embedded PostgreSQL of a CRM_HOME of this module's own, so that it may stop it."""
    env = {"CRM_HOME": str(tmp_path_factory.mktemp("outage-home")), "DATABASE_URL": None}
    crm(env, "migrate")
    crm(env, "seed", "--demo")
    yield env
    crm(env, "db", "stop")


@pytest.fixture(scope="module")
def server(own_database, tmp_path_factory):
    env = {**own_database, "CRM_WORKER_IN_SERVER": "false", "CRM_LOG_FORMAT": "json",
           "CRM_DB_POOL_SIZE": "3"}
    log = tmp_path_factory.mktemp("outage-server") / "server.log"
    with served(env, log, log_level="info") as base:
        token = crm(env, "token", "--role", "admin").strip()
        yield base, {"Authorization": f"Bearer {token}"}, log


def _json_lines(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


UPDATE = """mutation($id: ID!, $v: Int!) {
  contactUpdate(input: {id: $id, version: $v, leadScore: 42}) { errors { code } } }"""


async def _sessions(conn) -> int:
    return await conn.fetchval("SELECT sessions FROM pg_stat_database WHERE datname = $1",
                               DATABASE)


async def _many_updates_at_once(url: str, headers: dict, database_url: str) -> tuple[list, int]:
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        listed = await client.post("/graphql", json={
            "query": "{ contacts(first: 30) { nodes { id version } } }"})
        contacts = listed.json()["data"]["contacts"]["nodes"]
        probe = await asyncpg.connect(database_url)
        try:
            before = await _sessions(probe)
            answers = await asyncio.gather(*(client.post("/graphql", json={
                "query": UPDATE, "variables": {"id": c["id"], "v": c["version"]}})
                for c in contacts))
            opened = await _sessions(probe) - before
        finally:
            await probe.close()
    return answers, opened


def test_more_requests_at_once_than_connections_wait_for_the_pool(own_database, server):
    url, headers, log = server
    database_url = embedded_url(Path(own_database["CRM_HOME"]))
    # when 30 writes arrive at once at a server with a pool of 3 connections
    answers, opened = asyncio.run(_many_updates_at_once(url, headers, database_url))
    # then each is answered, on the pool's connections: none opened and closed per request
    assert [a.status_code for a in answers] == [200] * 30
    assert all(a.json()["data"]["contactUpdate"]["errors"] == [] for a in answers)
    assert opened <= 3
    text = log.read_text()
    assert "Traceback" not in text and "MissingGreenlet" not in text


def test_requests_during_an_outage_get_503_and_succeed_after_it(own_database, server):
    url, headers, log = server
    # given a server that answers, with its pool full of connections
    for _ in range(5):
        assert httpx.post(f"{url}/graphql", json=QUERY, headers=headers).status_code == 200
    # when the database stops
    crm(own_database, "db", "stop")
    down = [httpx.post(f"{url}/graphql", json=QUERY, timeout=30,
                       headers={**headers, "X-Request-ID": f"down-{i}"}) for i in range(3)]
    # then every request is 503 SERVICE_UNAVAILABLE with Retry-After, never a 200 with INTERNAL
    for response in down:
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"].isdigit()
        assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert httpx.get(f"{url}/readyz").status_code == 503
    # when it is back, the very next request succeeds on new connections
    crm(own_database, "migrate")  # any command starts the embedded server again
    back = httpx.post(f"{url}/graphql", json=QUERY, headers=headers, timeout=30)
    assert back.status_code == 200 and back.json()["data"]["contacts"]["totalCount"] > 0
    # and the server logged no traceback, and each request once, with its id and status
    text = log.read_text()
    assert "Traceback" not in text and "MissingGreenlet" not in text
    lines = _json_lines(log)
    refused = [e for e in lines if e.get("request_id") == "down-0" and e["message"] == "request"]
    assert len(refused) == 1 and refused[0]["status"] == 503
    # (authentication reads the token's subject from the database, so a request may meet the
    # outage there, before its operation is read)
    assert refused[0]["outcome"] == "unavailable" and refused[0]["operation"] in ("Count", None)
    warned = [e for e in lines if e.get("request_id") == "down-0" and e["level"] == "warning"]
    assert warned and "database unavailable" in warned[0]["message"]


def test_each_request_leaves_one_json_line_with_its_id_principal_and_statements(server):
    url, headers, log = server
    response = httpx.post(f"{url}/graphql", json=QUERY,
                          headers={**headers, "X-Request-ID": "trace-me-1"})
    assert response.status_code == 200 and response.headers["x-request-id"] == "trace-me-1"
    for _ in range(50):  # the line is written when the response is done
        entries = [e for e in _json_lines(log) if e.get("request_id") == "trace-me-1"]
        if entries:
            break
        asyncio.run(asyncio.sleep(0.05))
    (entry,) = entries
    assert entry["operation"] == "Count" and entry["status"] == 200
    assert entry["principal"].startswith("User:") and entry["statements"] >= 1
    assert entry["duration_ms"] > 0
    # no personal data: no email, no token
    assert "@" not in json.dumps(entry) and "Bearer" not in json.dumps(entry)
