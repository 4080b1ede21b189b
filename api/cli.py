"""The `crm` command: serve, migrate, seed, db; token, user, partner-client and key
(api/cli_access.py); worker and jobs (api/cli_jobs.py); duplicates (api/cli_duplicates.py);
import (api/cli_import.py); analytics (api/cli_analytics.py)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from api.app import database_url
from api.cli_access import add_commands
from api.cli_analytics import add_commands as add_analytics_commands
from api.cli_duplicates import add_commands as add_duplicate_commands
from api.cli_import import add_commands as add_import_commands
from api.cli_jobs import add_commands as add_job_commands
from api.settings import Settings, load_settings
from api.telemetry import logging_config
from domain.errors import DomainError
from persistence import directory
from persistence.db import make_engine
from persistence.embedded import EmbeddedUnavailable
from persistence.jobs import JobStateError
from persistence.partner_clients import ClientStateError


def _run(coro):
    return asyncio.run(coro)


async def _with_connection(settings: Settings, work, *, transaction: bool = False):
    engine = make_engine(database_url(settings), pool_size=1)
    try:
        async with (engine.begin() if transaction else engine.connect()) as conn:
            return await work(conn)
    finally:
        await engine.dispose()


def cmd_serve(args, settings: Settings) -> None:
    import uvicorn

    from api.http_protocol import CoalescingHttpToolsProtocol

    settings.check_signing_key()  # here, before any worker starts and fails alike

    # Resolve (and start) the database once, so that every worker shares it.
    os.environ["DATABASE_URL"] = database_url(settings)
    if args.worker is not None:  # each uvicorn worker process reads its settings anew
        os.environ["CRM_WORKER_IN_SERVER"] = "true" if args.worker else "false"
    # In JSON, the app writes one line per request itself; uvicorn's access log would repeat it.
    json_logs = settings.crm_log_format == "json"
    logs = {"log_config": logging_config("json", args.log_level)} if json_logs else {}
    uvicorn.run("api.main:app", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level=args.log_level, http=CoalescingHttpToolsProtocol,
                access_log=args.access_log and not json_logs, proxy_headers=True, **logs)


def cmd_migrate(args, settings: Settings) -> None:
    from persistence.migrate import new_revision, upgrade

    if args.new:
        path = new_revision(database_url(settings), args.new)
        print(f"wrote {path}: read it, then run crm migrate")
        return
    upgrade(database_url(settings))
    print("database is at the latest migration")


def cmd_seed(args, settings: Settings) -> None:
    if args.orders_per_contact and not args.contacts:
        sys.exit("crm seed: --orders-per-contact goes with --contacts")
    if args.leads_and_surveys_only:
        from persistence.seed.bulk_backfill import seed_leads_and_surveys

        seed_leads_and_surveys(database_url(settings), seed=args.seed)
        return
    if args.demo:
        from persistence.seed.demo import seed_demo

        counts = _run(_with_connection(settings, seed_demo, transaction=True))
        print("demo data loaded: " + ", ".join(f"{n} {t}" for t, n in counts.items())
              if counts else "database already holds data; demo not loaded")
        return
    from persistence.seed.bulk import seed_bulk

    seed_bulk(database_url(settings), args.contacts, seed=args.seed,
              orders_per_contact=args.orders_per_contact)


def cmd_db_stop(args, settings: Settings) -> None:
    from persistence.embedded import stop_embedded

    print("embedded PostgreSQL stopped" if stop_embedded(settings.crm_home)
          else "embedded PostgreSQL was not running")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="crm", description="Headless CRM: GraphQL API server.")
    sub = top.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="info",
                       choices=["critical", "error", "warning", "info", "debug"])
    serve.add_argument("--no-access-log", dest="access_log", action="store_false",
                       help="do not log each request (saves CPU under heavy load)")
    serve.add_argument("--worker", action=argparse.BooleanOptionalAction, default=None,
                       help="run a job worker in each server process too (default: "
                            "CRM_WORKER_IN_SERVER, on in dev, off in prod)")
    serve.set_defaults(run=cmd_serve)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--new", metavar="MESSAGE",
                         help="instead, write a migration from the difference between the "
                              "declared tables and the database (which must be current)")
    migrate.set_defaults(run=cmd_migrate)

    seed = sub.add_parser("seed", help="load demo data or generate a large data set")
    what = seed.add_mutually_exclusive_group(required=True)
    what.add_argument("--demo", action="store_true", help="the demo data, into an empty database")
    what.add_argument("--contacts", type=int, metavar="N", help="generate N contacts with COPY")
    what.add_argument("--leads-and-surveys-only", action="store_true",
                      help="add the leads and survey responses of --contacts to a database "
                           "seeded before they were part of it (give the same --seed)")
    seed.add_argument("--seed", type=int, default=42, help="random seed of the generator")
    seed.add_argument("--orders-per-contact", type=float, default=0, metavar="X",
                      help="with --contacts: orders naming each contact, X on average, from "
                           "repeat buyers with realistic gaps (default 0: none)")
    seed.set_defaults(run=cmd_seed)

    add_commands(sub)
    add_job_commands(sub)
    add_import_commands(sub)
    add_duplicate_commands(sub)
    add_analytics_commands(sub)

    db = sub.add_parser("db", help="the embedded PostgreSQL")
    db_sub = db.add_subparsers(dest="action", required=True)
    db_sub.add_parser("stop", help="stop the embedded server").set_defaults(run=cmd_db_stop)
    return top


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    try:
        args.run(args, load_settings())
    except (directory.NotFoundError, EmbeddedUnavailable, ClientStateError, JobStateError) as exc:
        sys.exit(f"crm: {exc}")
    except DomainError as exc:
        sys.exit("crm: " + "; ".join(f"{p.field}: {p.message}" if p.field else p.message
                                     for p in exc.problems))


if __name__ == "__main__":
    main()
