"""Webhook delivery figures: deliveries per second to a local receiver, and a receiver outage
drained without a loss.

    python -m bench.webhooks [--deliveries 3000] [--outage 10000] [--workers 1]
                             [--concurrency 50]

A database of its own (crm_bench_webhooks on DATABASE_URL's server or 127.0.0.1:5432) is
created, migrated and given the demo once. One endpoint, acting as the demo admin and
hearing contact updates, points at a receiver in this process on 127.0.0.1 that answers 200
and notes each request's webhook-id; `--workers` `crm worker` processes dispatch and
deliver.
Events are written straight into the audit trail (the change feed's trigger makes one event
per entry), as many as asked, in one statement.

1. **Throughput.** `--deliveries` events; from their commit to the last message DELIVERED:
   deliveries/s end to end (dispatch included), and between the first and last request the
   receiver got.
2. **Outage.** The receiver stops; `--outage` events are written; once every message has
   failed at least once (connection refused, each retried by its schedule: 5 s, then 5 min)
   the receiver comes back on the same port. Reported: how long until every message is
   DELIVERED (the messages whose 5 s retry also fell in the outage wait for their 5 min
   one), on which attempt they were, how many webhook-ids the receiver got (all of them:
   none lost), and how many requests repeated an id.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.app import create_app
from api.schema.ids import from_global_id, to_global_id
from api.settings import load_settings
from auth.principal import Principal
from bench.dataset import LOCAL_SERVER, with_database
from bench.environment import commit
from bench.servers import free_port
from domain.access import Role
from persistence.seed.generator import stable_id

OUT = Path(__file__).parent / "out"
DATABASE = "crm_bench_webhooks"
CREATE = """mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) {
  webhookEndpoint { id } errors { code message } } }"""
# One audit entry per event, on the demo's contacts in turn, as a contact update would write.
EVENTS = """
INSERT INTO audit_entry (id, created_by, updated_by, record_type, record_id, action, changes)
SELECT gen_random_uuid(), 'bench', 'bench', 'Contact', c.id, 'update',
       jsonb_build_object('firstName', jsonb_build_array('Before', 'After'))
FROM generate_series(1, $1) AS n
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i FROM contact) c
  ON c.i = n % (SELECT count(*) FROM contact)"""
STATUSES = ("SELECT count(*) FILTER (WHERE status = 'DELIVERED'), "
            "count(*) FILTER (WHERE attempts > 0), count(*) "
            "FROM webhook_message WHERE endpoint_id = $1 AND seq > $2")


class Receiver:
    """Answers 200 to every POST, noting when each came and its webhook-id."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.times: list[float] = []

    async def hook(self, request: Request) -> Response:
        await request.body()
        self.ids.append(request.headers["webhook-id"])
        self.times.append(time.perf_counter())
        return Response(b"ok")


@contextlib.asynccontextmanager
async def receiving(receiver: Receiver, port: int):
    server = uvicorn.Server(uvicorn.Config(
        Starlette(routes=[Route("/hook", receiver.hook, methods=["POST"])]), host="127.0.0.1",
        port=port, log_level="warning", lifespan="off", access_log=False,
        timeout_graceful_shutdown=1))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


def prepare(venv_bin: Path, home: Path) -> tuple[str, dict[str, str]]:
    """The bench database, migrated and with the demo, and the environment of `crm`."""
    server = os.environ.get("DATABASE_URL") or LOCAL_SERVER
    url = with_database(server, DATABASE)

    async def ensure() -> bool:
        connection = await asyncpg.connect(with_database(server, "postgres"))
        try:
            if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1",
                                             DATABASE):
                await connection.execute(f'CREATE DATABASE "{DATABASE}"')
                return True
        finally:
            await connection.close()
        return False

    created = asyncio.run(ensure())
    env = {**os.environ, "DATABASE_URL": url, "CRM_HOME": str(home), "CRM_ENV": "dev",
           "CRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true", "CRM_ESCALATION_SCHEDULE": "off"}
    subprocess.run([venv_bin / "crm", "migrate"], env=env, check=True, capture_output=True)
    if created:
        subprocess.run([venv_bin / "crm", "seed", "--demo"], env=env, check=True,
                       capture_output=True)
    return url, env


async def make_endpoint(url: str, home: Path, receiver_url: str) -> str:
    """The one endpoint listening: earlier runs' endpoints are archived."""
    admin = stable_id("user", "admin@example.com")
    app = create_app(load_settings(crm_home=home, crm_env="dev", database_url=None,
                                   crm_worker_in_server=False), url=url)
    try:
        token = app.state.tokens.issue(Principal.staff(Role.ADMIN, admin))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://127.0.0.1") as http:
            answer = (await http.post("/graphql", headers={"Authorization": f"Bearer {token}"},
                                      json={"query": CREATE, "variables": {"input": {
                                          "url": receiver_url, "actingUser": to_global_id(
                                              "User", admin),
                                          "events": [{"type": "Contact", "action": "update"}]}}}
                                      )).json()
    finally:
        await app.state.close()
    endpoint = answer["data"]["webhookEndpointCreate"]["webhookEndpoint"]
    assert endpoint, answer
    endpoint_id = from_global_id(endpoint["id"])[1]
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("UPDATE webhook_endpoint SET archived_at = now() "
                                 "WHERE id <> $1 AND archived_at IS NULL", endpoint_id)
    finally:
        await connection.close()
    return endpoint_id


async def _until(connection, endpoint_id, after: int, done, within: float) -> tuple[int, ...]:
    deadline = time.perf_counter() + within
    while True:
        counts = tuple(await connection.fetchrow(STATUSES, endpoint_id, after))
        if done(counts) or time.perf_counter() > deadline:
            return counts
        await asyncio.sleep(0.2)


async def _events(connection, count: int) -> int:
    """Writes `count` events; the newest seq before them."""
    before = await connection.fetchval("SELECT coalesce(max(seq), 0) FROM change_event")
    await connection.execute(EVENTS, count)
    return before


async def throughput(connection, endpoint_id, receiver: Receiver, count: int) -> dict:
    start_ids = len(receiver.ids)
    after = await _events(connection, count)
    began = time.perf_counter()
    delivered, _, made = await _until(connection, endpoint_id, after,
                                      lambda c: c[2] == count and c[0] == count, 600)
    elapsed = time.perf_counter() - began
    times = receiver.times[start_ids:]
    spread = times[-1] - times[0] if len(times) > 1 else float("nan")
    return {"events": count, "messages": made, "delivered": delivered, "seconds": elapsed,
            "deliveries_per_s_end_to_end": delivered / elapsed,
            "deliveries_per_s_at_receiver": (len(times) - 1) / spread,
            "requests": len(times)}


async def outage(connection, endpoint_id, receiver: Receiver, port: int, count: int) -> dict:
    after = await _events(connection, count)
    began = time.perf_counter()
    _, failed, made = await _until(connection, endpoint_id, after,
                                   lambda c: c[2] == count and c[1] == count, 600)
    down = time.perf_counter() - began
    first = len(receiver.ids)
    async with receiving(receiver, port):
        back = time.perf_counter()
        delivered, _, _ = await _until(connection, endpoint_id, after,
                                       lambda c: c[0] == count, 1200)
        drained = time.perf_counter() - back
    ids = receiver.ids[first:]
    expected = {r[0] for r in await connection.fetch(
        "SELECT message_id FROM webhook_message WHERE endpoint_id = $1 AND seq > $2",
        endpoint_id, after)}
    by_attempt = {f"on_attempt_{r[0]}": r[1] for r in await connection.fetch(
        "SELECT attempts, count(*) FROM webhook_message WHERE endpoint_id = $1 AND seq > $2 "
        "GROUP BY 1 ORDER BY 1", endpoint_id, after)}
    return {"events": count, "messages": made, "failed_during_outage": failed,
            "outage_seconds": down, "drain_seconds": drained, "delivered": delivered,
            "delivered_by_attempt": by_attempt,
            "ids_received": len(expected & set(ids)), "lost": len(expected - set(ids)),
            "repeated_requests": len(ids) - len(set(ids))}


def start_workers(env: dict, count: int, concurrency: int) -> list[tuple[subprocess.Popen, Path]]:
    workers = []
    for n in range(count):
        log = OUT / f"webhooks-worker-{n}.log"
        with log.open("w") as out:
            workers.append((subprocess.Popen(
                [Path(sys.executable).parent / "crm", "worker"],
                env={**env, "CRM_WORKER_CONCURRENCY": str(concurrency)}, stdout=out,
                stderr=subprocess.STDOUT), log))
    return workers


async def run(url: str, env: dict, home: Path, args) -> dict:
    receiver, port = Receiver(), free_port()
    endpoint_id = await make_endpoint(url, home, f"http://127.0.0.1:{port}/hook")
    connection = await asyncpg.connect(url)
    workers = start_workers(env, args.workers, args.concurrency)
    try:
        for worker, log in workers:
            while "worker started" not in log.read_text():
                assert worker.poll() is None, log.read_text()
                await asyncio.sleep(0.2)
        async with receiving(receiver, port):
            await throughput(connection, endpoint_id, receiver, 200)  # warm-up
            fast = await throughput(connection, endpoint_id, receiver, args.deliveries)
        slow = await outage(connection, endpoint_id, receiver, port, args.outage)
    finally:
        for worker, _ in workers:
            worker.terminate()
        for worker, _ in workers:
            worker.wait(60)
        await connection.close()
    return {"throughput": fast, "outage": slow}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--outage", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=50, help="CRM_WORKER_CONCURRENCY")
    parser.add_argument("--workers", type=int, default=1, help="crm worker processes")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    home = OUT / "crm-home-webhooks"
    home.mkdir(exist_ok=True)
    url, env = prepare(Path(sys.executable).parent, home)
    figures = asyncio.run(run(url, env, home, args))
    result = {"commit": commit(), "workers": args.workers, "concurrency": args.concurrency,
              **figures}
    (OUT / "webhooks.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
