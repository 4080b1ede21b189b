"""Analytics figures: the refresh (RFM and lifetime value) end to end with its peak memory, and
the analytical queries' latency, on a database seeded with repeat buyers.

    python -m bench.analytics [--contacts 1000000] [--orders-per-contact 5] [--database NAME]
                              [--reuse] [--rounds 5]

The database (crm_bench_analytics on DATABASE_URL's server or 127.0.0.1:5432) is made anew,
migrated and seeded with `crm seed --contacts N --orders-per-contact X`, unless --reuse names
one already seeded. `crm analytics refresh` then runs as a process of its own (its peak RSS
and PSS sampled every 50 ms), and each query is asked `--rounds` times as the admin through
the app in this process, after one warm-up: its median and slowest are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time

import httpx

from api.app import create_app
from api.settings import load_settings
from auth.principal import Principal
from bench.dataset import LOCAL_SERVER, recreate_database, with_database
from bench.import_bench import run_measured
from domain.access import Role
from persistence.seed.generator import stable_id

YEAR = ('from: "2025-01-01", to: "2025-12-31"')
QUERIES = {
    "customerKpis, a year by month": (
        f"{{ customerKpis({YEAR}, interval: MONTH) {{ periodStart nps csat ces "
        f"customersAtStart acquired retentionRate buyers averageOrderValue }} }}"),
    "customerKpis, a year by month and territory": (
        f"{{ customerKpis({YEAR}, interval: MONTH, groupBy: [TERRITORY]) {{ periodStart key "
        f"nps customersAtStart acquired retentionRate buyers averageOrderValue }} }}"),
    "cohorts, a year by month (RETENTION)": f"{{ cohorts(metric: RETENTION, {YEAR}) "
                                            f"{{ month size periods {{ period value }} }} }}",
    "cohorts, a year by month (REVENUE)": f"{{ cohorts(metric: REVENUE, {YEAR}) "
                                          f"{{ month size periods {{ period value }} }} }}",
    "funnel, a year by source": f"{{ funnel({YEAR}, groupBy: SOURCE) "
                                f"{{ key steps {{ step count medianDays }} }} }}",
    "lifetimeModel": "{ lifetimeModel { customers repeatCustomers predicting } }",
    "contacts AT_RISK with lifetime, first 50": (
        "{ contacts(first: 50, filter: {rfmSegment: {eq: AT_RISK}}) { nodes { lastName "
        "rfm { r f m } lifetime { probabilityAlive predictedValue } } } }"),
}


async def _time_queries(url: str, rounds: int) -> None:
    settings = load_settings(crm_env="dev", database_url=url, crm_worker_in_server=False,
                             crm_rate_limit="off", crm_statement_timeout_ms=600_000)
    app = create_app(settings, url=url)
    token = app.state.tokens.issue(Principal.staff(Role.ADMIN,
                                                   stable_id("user", "admin@example.com")))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://127.0.0.1", timeout=600) as client:
            for name, query in QUERIES.items():
                times = []
                for _ in range(rounds + 1):
                    started = time.perf_counter()
                    response = await client.post("/graphql", json={"query": query},
                                                 headers={"Authorization": f"Bearer {token}"})
                    times.append(time.perf_counter() - started)
                    body = response.json()
                    if response.status_code != 200 or body.get("errors"):
                        sys.exit(f"{name} failed: {body}")
                measured = times[1:]
                print(f"{name}: median {statistics.median(measured) * 1000:,.0f} ms, "
                      f"slowest {max(measured) * 1000:,.0f} ms over {rounds}", flush=True)
    finally:
        await app.state.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--orders-per-contact", type=float, default=5.0)
    parser.add_argument("--database", default="crm_bench_analytics")
    parser.add_argument("--reuse", action="store_true", help="use the database as it is")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL") or LOCAL_SERVER
    url = with_database(server, args.database)
    env = {**os.environ, "DATABASE_URL": url}
    crm = [sys.executable, "-m", "api.cli"]
    if not args.reuse:
        asyncio.run(recreate_database(with_database(server, "postgres"), args.database))
        subprocess.run([*crm, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        started = time.perf_counter()
        subprocess.run([*crm, "seed", "--contacts", str(args.contacts), "--orders-per-contact",
                        str(args.orders_per_contact)], env=env, check=True)
        print(f"seeded in {time.perf_counter() - started:.0f}s", flush=True)
    seconds, peak, pss, text = run_measured([*crm, "analytics", "refresh"], env)
    print(text.strip())
    print(f"refresh: {seconds:.1f}s end to end, peak RSS {peak:,.0f} MB (PSS {pss:,.0f} MB)",
          flush=True)
    asyncio.run(_time_queries(url, args.rounds))


if __name__ == "__main__":
    main()
