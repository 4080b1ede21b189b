"""What clients see while PostgreSQL restarts under load.

Our server runs over an embedded PostgreSQL of its own (bench/out/outage-home); eight clients
ask a small query in a loop while the database is stopped for a few seconds and started
again. The run prints, per phase, how the answers ended: 200, or the status and error code.

    .venv/bin/python -m bench.outage [--down 3] [--clients 8]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench import servers

OUT = Path(__file__).parent / "out"
HOME = OUT / "outage-home"
QUERY = {"query": "query Count { contacts(first: 1) { totalCount } }"}
BEFORE, AFTER = 3.0, 4.0  # seconds of load before the stop and after the start
# Answers by when they came: the database stops (pg_ctl waits until it has), stays down, starts
# (`crm migrate` starts it, then checks the migrations), and serves again.
PHASES = ("before the stop", "while stopping", "while down", "while starting",
          "after the start")


def crm(env: dict, *args: str) -> str:
    return subprocess.run([Path(sys.executable).parent / "crm", *args], env=env,
                          capture_output=True, text=True, check=True, timeout=300).stdout


def outcome(response: httpx.Response | Exception) -> str:
    if isinstance(response, Exception):
        return f"no answer ({type(response).__name__})"
    if response.status_code == 200 and "errors" not in response.json():
        return "200"
    codes = {e.get("extensions", {}).get("code") for e in response.json().get("errors", [])}
    return f"{response.status_code} {','.join(sorted(map(str, codes)))}"


async def load(url: str, token: str, clients: int, stop: asyncio.Event, log: list) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=30) as client:
        async def one_client() -> None:
            while not stop.is_set():
                try:
                    answer = await client.post(f"{url}/graphql", json=QUERY, headers=headers)
                except httpx.HTTPError as exc:
                    answer = exc
                log.append((time.monotonic(), outcome(answer)))

        await asyncio.gather(*(one_client() for _ in range(clients)))


async def scenario(url: str, token: str, env: dict, clients: int, down: float) -> dict:
    log: list[tuple[float, str]] = []
    stop = asyncio.Event()
    running = asyncio.create_task(load(url, token, clients, stop, log))
    await asyncio.sleep(BEFORE)
    marks = [time.monotonic()]  # the stop asked, done; the start asked, done
    await asyncio.to_thread(crm, env, "db", "stop")
    marks.append(time.monotonic())
    await asyncio.sleep(down)
    marks.append(time.monotonic())
    await asyncio.to_thread(crm, env, "migrate")  # any command starts the database again
    marks.append(time.monotonic())
    await asyncio.sleep(AFTER)
    stop.set()
    await running
    phases = {name: collections.Counter() for name in PHASES}
    for at, result in log:
        phases[PHASES[sum(at >= mark for mark in marks)]][result] += 1
    back = min((at for at, result in log if at >= marks[2] and result == "200"), default=None)
    relapses = None if back is None else sum(at > back and r != "200" for at, r in log)
    return {"phases": phases, "relapses": relapses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--down", type=float, default=3.0, help="seconds the database is down")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"CRM_HOME": str(HOME), "CRM_WORKER_IN_SERVER": "false", "CRM_RATE_LIMIT": "off"}
    crm(env, "migrate")
    crm(env, "seed", "--demo")
    token = crm(env, "token", "--role", "admin").strip()
    with servers.crm(Path(sys.executable).parent, env, OUT) as server:
        result = asyncio.run(scenario(server.url, token, env, args.clients, args.down))
    log = (OUT / "crm.log").read_text(errors="replace")
    print(f"PostgreSQL down for {args.down:g} s under {args.clients} clients:")
    for phase, counts in result["phases"].items():
        print(f"  {phase:16} " + ", ".join(f"{n} × {o}" for o, n in counts.most_common()))
    print(f"  answers other than 200 after the first 200 that followed the start: "
          f"{result['relapses']}")
    print(f"  server log: {log.count('Traceback')} tracebacks, "
          f"{log.count('MissingGreenlet')} MissingGreenlet")
    crm(env, "db", "stop")


if __name__ == "__main__":
    main()
