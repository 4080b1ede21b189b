"""The two most expensive probes found against the API, and what they cost now.

On the bench's data set (10,000 contacts by default), with the server's default limits, it
sends each probe a few times while another client asks `{ me { role } }` and `/healthz` in a
loop, and prints each probe's status, time and size, the small requests' worst latency, and
the server's memory before and after.

    .venv/bin/python -m bench.probes [--scale 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx

from bench import dataset, servers
from bench.run import CRM_HOME, OUT, crm_token

NESTED = ("accounts(first: 100) { nodes { contacts(first: 100) { nodes { notes(first: 100) "
          "{ nodes { body } } accounts(first: 100) { nodes { contacts(first: 100) { nodes { "
          "notes { nodes { body } } } } } } } } } }")
PROBES = {
    "15 aliases of five nested pages of 100":
        "{ " + " ".join(f"a{i}: {NESTED}" for i in range(15)) + " }",
    "15 aliases of nodes(ids: 100 ids) with nested pages":
        "query($v: [ID!]!) { " + " ".join(
            f"n{i}: nodes(ids: $v) {{ ... on Account {{ contacts(first: 100) {{ nodes {{ "
            f"notes(first: 100) {{ nodes {{ body }} }} accounts(first: 100) {{ nodes {{ name }} }} "
            f"}} }} }} }}" for i in range(15)) + " }",
}


async def small_requests(url: str, headers: dict, stop: asyncio.Event) -> list[float]:
    """Latencies of `{ me { role } }` and /healthz, asked one after another until `stop`."""
    seconds = []
    async with httpx.AsyncClient(timeout=60) as client:
        while not stop.is_set():
            started = time.perf_counter()
            await client.post(f"{url}/graphql", json={"query": "{ me { role } }"}, headers=headers)
            await client.get(f"{url}/healthz")
            seconds.append(time.perf_counter() - started)
    return seconds


async def probe(url: str, headers: dict, query: str, variables: dict, rounds: int) -> dict:
    stop = asyncio.Event()
    watcher = asyncio.create_task(small_requests(url, headers, stop))
    timings, answer = [], None
    async with httpx.AsyncClient(timeout=120) as client:
        for _ in range(rounds):
            started = time.perf_counter()
            answer = await client.post(f"{url}/graphql", headers=headers,
                                       json={"query": query, "variables": variables})
            timings.append(time.perf_counter() - started)
    stop.set()
    small = await watcher
    error = (answer.json().get("errors") or [{}])[0]
    return {"status": answer.status_code, "bytes": len(answer.content),
            "code": error.get("extensions", {}).get("code"), "message": error.get("message"),
            "median_ms": statistics.median(timings) * 1000,
            "small_worst_ms": max(small, default=0) * 1000}


async def account_ids(url: str, headers: dict) -> list[str]:
    async with httpx.AsyncClient(timeout=60) as client:
        answer = await client.post(f"{url}/graphql", headers=headers,
                                   json={"query": "{ accounts(first: 100) { nodes { id } } }"})
    return [n["id"] for n in answer.json()["data"]["accounts"]["nodes"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    venv_bin = Path(sys.executable).parent
    (OUT / "logs").mkdir(parents=True, exist_ok=True)
    url = dataset.prepare(args.scale, CRM_HOME, venv_bin)
    env = dataset.crm_env(url, CRM_HOME)
    headers = {"Authorization": f"Bearer {crm_token(venv_bin, env)}"}
    with servers.crm(venv_bin, env, OUT / "logs") as server:
        pid = servers.serving_pid(server)
        rss_before = servers.current_rss_mb(pid)
        variables = {"v": asyncio.run(account_ids(server.url, headers))}
        print(f"probes against {args.scale:,} contacts, {args.rounds} rounds each:")
        for name, query in PROBES.items():
            result = asyncio.run(probe(server.url, headers, query,
                                       variables if "$v" in query else {}, args.rounds))
            print(f"  {name}: HTTP {result['status']} {result['code'] or 'data'}, "
                  f"{result['bytes']:,} bytes, median {result['median_ms']:.1f} ms; "
                  f"meanwhile me + healthz at worst {result['small_worst_ms']:.1f} ms")
            if result["message"]:
                print(f"    {result['message']}")
        print(f"  server memory: {rss_before:.0f} MB before, "
              f"{servers.current_rss_mb(pid):.0f} MB after")


if __name__ == "__main__":
    main()
