"""Aggregate benchmark: `contactsAggregate` over the contacts of one territory, through the
whole app (HTTP, token, GraphQL, one statement), as the admin. For the smallest and the
largest territory, and for each question below, prints the median and the 95th percentile.

    DATABASE_URL=postgresql://... python -m bench.aggregates [--rounds 30]

The database holds `crm seed --contacts N` (1,000,000 for the target: at most 200 ms). The
bench VACUUMs and ANALYZEs the contact table first, as autovacuum does after a bulk load,
so that the visibility map lets index-only scans skip the rows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time

import asyncpg
import httpx

from api.app import create_app
from api.settings import load_settings
from auth.principal import Principal
from domain.access import Role
from domain.ids import to_global_id
from persistence.seed.generator import stable_id

QUESTIONS = {
    "count by lifecycle stage, lead score figures": """query($t: ID!) {
      contactsAggregate(filter: {territory: {eq: $t}}, groupBy: [{field: LIFECYCLE_STAGE}],
                        numbers: [LEAD_SCORE]) {
        totalCount groups { keys { value } count numbers { sum avg min max } } } }""",
    "count by owner and month created": """query($t: ID!) {
      contactsAggregate(filter: {territory: {eq: $t}},
                        groupBy: [{field: OWNER}, {field: CREATED_AT, interval: MONTH}]) {
        totalCount groupCount groups { keys { value } count } } }""",
    "count": """query($t: ID!) {
      contactsAggregate(filter: {territory: {eq: $t}}) { totalCount } }""",
}
TARGET_MS = 200


async def _territories(url: str) -> list[tuple[str, str, int]]:
    """(name, global id, live contacts) of the smallest and the largest territory."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM (ANALYZE) contact")
        rows = await conn.fetch(
            "SELECT t.name, t.id, count(*) AS n FROM contact c JOIN territory t "
            "ON t.id = c.territory_id WHERE c.archived_at IS NULL GROUP BY t.name, t.id "
            "ORDER BY n")
    finally:
        await conn.close()
    chosen = [rows[0], rows[-1]] if len(rows) > 1 else list(rows)
    return [(r["name"], to_global_id("Territory", r["id"]), r["n"]) for r in chosen]


async def run(url: str, rounds: int) -> list[tuple[str, str, int, list[float]]]:
    territories = await _territories(url)
    settings = load_settings(crm_home=tempfile.mkdtemp(prefix="crm-bench-"), crm_env="dev",
                             database_url=None, crm_worker_in_server=False,
                             crm_rate_limit="off", crm_auth_failure_limit="off")
    app = create_app(settings, url=url)
    admin = Principal.staff(Role.ADMIN, stable_id("user", "admin@example.com"))
    headers = {"Authorization": f"Bearer {app.state.tokens.issue(admin)}"}
    results = []
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://127.0.0.1") as client:
            for name, territory, contacts in territories:
                for question, query in QUESTIONS.items():
                    timings = []
                    for _ in range(rounds + 1):  # the first round pays for the plan
                        started = time.perf_counter()
                        response = await client.post("/graphql", headers=headers, json={
                            "query": query, "variables": {"t": territory}})
                        timings.append((time.perf_counter() - started) * 1000)
                        body = response.json()
                        assert "errors" not in body, body
                        assert body["data"]["contactsAggregate"]["totalCount"] == contacts
                    results.append((name, question, contacts, timings[1:]))
    finally:
        await app.state.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    for name, question, contacts, timings in asyncio.run(run(url, args.rounds)):
        warm = sorted(timings)
        p95 = warm[max(0, int(len(warm) * 0.95) - 1)]
        print(f"{name} ({contacts:,} contacts), {question}: median "
              f"{statistics.median(warm):.1f} ms, p95 {p95:.1f} ms over {len(warm)} rounds "
              f"(target: at most {TARGET_MS} ms)")


if __name__ == "__main__":
    main()
