"""The live layer's figures: from a write's commit to the subscriber's frame, and what the
change feed adds to a write.

    python -m bench.live [--scale 10000] [--subscriptions 1000] [--writes 400] [--rate 20]

1. **Commit to frame.** Two API processes over one database; `--subscriptions` subscriptions
   (`recordChanged` on 20 contacts each, 20 to a connection, half the connections on each
   process). One writer updates a random subscribed contact through process A, `--rate` times
   a second; each frame is matched to its write by the contact's new version. Reported: from
   the write's answer (the commit is just before it) to the frame, and from the write's
   request, p50 and p99 over every frame.
2. **The feed's cost on a write.** Q4 (contactUpdate, as in `make bench`) from 8 concurrent
   clients against one process, in rounds alternating the feed's trigger off and on; the p50
   of each, side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
import websockets

from api.schema.ids import to_global_id
from bench import servers
from bench.dataset import crm_env, prepare
from bench.environment import commit

OUT = Path(__file__).parent / "out"
SUBSCRIBE = """subscription($ids: [ID!]) { recordChanged(ids: $ids) {
  seq record { id ... on Contact { version } } } }"""
UPDATE = """mutation($id: ID!, $version: Int!, $name: String!) {
  contactUpdate(input: {id: $id, version: $version, firstName: $name}) {
    contact { version } errors { code } } }"""
PER_SOCKET = 20


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def _contacts(url: str, count: int) -> dict[str, int]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch("SELECT id, version FROM contact WHERE archived_at IS NULL "
                                      "ORDER BY id LIMIT $1", count)
    finally:
        await connection.close()
    return {to_global_id("Contact", r["id"]): r["version"] for r in rows}


async def _listen(url: str, token: str, ids: list[str], arrived: dict, ready: asyncio.Event,
                  stop: asyncio.Event) -> None:
    ws_url = url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"],
                                  max_queue=None) as socket:
        await socket.send(json.dumps({"type": "connection_init",
                                      "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
            "query": SUBSCRIBE, "variables": {"ids": ids}}}))
        ready.set()
        while not stop.is_set():
            try:
                message = json.loads(await asyncio.wait_for(socket.recv(), 0.5))
            except TimeoutError:
                continue
            if message["type"] == "next":
                record = message["payload"]["data"]["recordChanged"]["record"]
                arrived[(record["id"], record["version"])] = time.perf_counter()


async def commit_to_frame(a: str, b: str, token: str, versions: dict[str, int], writes: int,
                          rate: float) -> dict:
    ids = list(versions)
    arrived: dict[tuple[str, int], float] = {}
    stop = asyncio.Event()
    readies, listeners = [], []
    for n, start in enumerate(range(0, len(ids), PER_SOCKET)):
        ready = asyncio.Event()
        readies.append(ready)
        listeners.append(asyncio.create_task(_listen(
            (a, b)[n % 2], token, ids[start:start + PER_SOCKET], arrived, ready, stop)))
    await asyncio.gather(*(r.wait() for r in readies))
    await asyncio.sleep(2)  # every subscription's task is running
    sent: dict[tuple[str, int], tuple[float, float]] = {}
    async with httpx.AsyncClient(base_url=a, timeout=10,
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        for n in range(writes):
            contact = random.choice(ids)
            began = time.perf_counter()
            answer = (await client.post("/graphql", json={"query": UPDATE, "variables": {
                "id": contact, "version": versions[contact], "name": f"Live{n}"}})).json()
            answered = time.perf_counter()
            versions[contact] = answer["data"]["contactUpdate"]["contact"]["version"]
            sent[(contact, versions[contact])] = (began, answered)
            await asyncio.sleep(max(0.0, 1 / rate - (answered - began)))
    await asyncio.sleep(3)
    stop.set()
    await asyncio.gather(*listeners, return_exceptions=True)
    from_answer = [(arrived[k] - t[1]) * 1000 for k, t in sent.items() if k in arrived]
    from_request = [(arrived[k] - t[0]) * 1000 for k, t in sent.items() if k in arrived]
    return {"subscriptions": len(ids), "connections": len(listeners), "writes": writes,
            "frames": len(from_answer), "lost": writes - len(from_answer),
            "p50_ms": statistics.median(from_answer), "p99_ms": percentile(from_answer, 99),
            "p50_from_request_ms": statistics.median(from_request),
            "p99_from_request_ms": percentile(from_request, 99)}


async def _q4_round(url: str, token: str, versions: dict[str, int], seconds: float) -> float:
    pool = list(versions)
    random.shuffle(pool)
    free: asyncio.Queue[str] = asyncio.Queue()
    for contact in pool:
        free.put_nowait(contact)
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def client_loop(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            contact = await free.get()
            began = time.perf_counter()
            answer = (await client.post("/graphql", json={"query": UPDATE, "variables": {
                "id": contact, "version": versions[contact], "name": "Q4"}})).json()
            latencies.append((time.perf_counter() - began) * 1000)
            versions[contact] = answer["data"]["contactUpdate"]["contact"]["version"]
            free.put_nowait(contact)

    async with httpx.AsyncClient(base_url=url, timeout=10,
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        await asyncio.gather(*(client_loop(client) for _ in range(8)))
    return statistics.median(latencies)


async def feed_cost(url: str, db_url: str, token: str, versions: dict[str, int], rounds: int,
                    seconds: float) -> dict:
    connection = await asyncpg.connect(db_url)
    medians: dict[str, list[float]] = {"off": [], "on": []}
    try:
        for _ in range(rounds):
            for state in ("off", "on"):
                await connection.execute(
                    f"ALTER TABLE audit_entry {'DISABLE' if state == 'off' else 'ENABLE'} "
                    "TRIGGER audit_entry_change_event")
                medians[state].append(await _q4_round(url, token, versions, seconds))
    finally:
        await connection.execute("ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_change_event")
        await connection.close()
    off, on = statistics.median(medians["off"]), statistics.median(medians["on"])
    return {"rounds": rounds, "seconds": seconds, "p50_off_ms": off, "p50_on_ms": on,
            "added_ms": on - off, "per_round": medians}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--writes", type=int, default=400)
    parser.add_argument("--rate", type=float, default=20, help="writes per second")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10, help="per Q4 round")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    venv_bin = Path(sys.executable).parent
    home = OUT / "crm-home"
    home.mkdir(exist_ok=True)
    db_url = prepare(args.scale, home, venv_bin)
    env = crm_env(db_url, home) | {"CRM_WS_MAX_SUBSCRIPTIONS": str(PER_SOCKET)}
    token = subprocess.run([venv_bin / "crm", "token", "--role", "admin"], env=env, check=True,
                           capture_output=True, text=True).stdout.strip()
    versions = asyncio.run(_contacts(db_url, args.subscriptions))
    logs = [OUT / "live-a", OUT / "live-b"]
    for folder in logs:
        folder.mkdir(exist_ok=True)
    with servers.crm(venv_bin, env, logs[0]) as a, servers.crm(venv_bin, env, logs[1]) as b:
        live = asyncio.run(commit_to_frame(a.url, b.url, token, versions, args.writes,
                                           args.rate))
        cost = asyncio.run(feed_cost(a.url, db_url, token, versions, args.rounds, args.seconds))
    result = {"commit": commit(), "scale": args.scale, "commit_to_frame": live,
              "feed_cost": cost}
    (OUT / "live.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
