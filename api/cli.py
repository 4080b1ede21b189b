"""The `crm` command: serve, migrate, seed, token, partner-client."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from api.app import database_url, token_service
from api.settings import ConfigError, Settings, load_settings
from api.telemetry import logging_config
from auth.policy import KNOWN_SCOPES
from auth.principal import Principal
from auth.secrets import hash_secret, new_client_credentials
from domain.access import Role
from persistence import directory
from persistence.db import make_engine
from persistence.embedded import EmbeddedUnavailable


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

    # Resolve (and start) the database once, so that every worker shares it.
    os.environ["DATABASE_URL"] = database_url(settings)
    # In JSON, the app writes one line per request itself; uvicorn's access log would repeat it.
    json_logs = settings.crm_log_format == "json"
    logs = {"log_config": logging_config("json", args.log_level)} if json_logs else {}
    uvicorn.run("api.main:app", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level=args.log_level,
                access_log=args.access_log and not json_logs, proxy_headers=True, **logs)


def cmd_migrate(args, settings: Settings) -> None:
    from persistence.migrate import upgrade

    upgrade(database_url(settings))
    print("database is at the latest migration")


def cmd_seed(args, settings: Settings) -> None:
    if args.demo:
        from persistence.seed.demo import seed_demo

        counts = _run(_with_connection(settings, seed_demo, transaction=True))
        print("demo data loaded: " + ", ".join(f"{n} {t}" for t, n in counts.items())
              if counts else "database already holds data; demo not loaded")
        return
    from persistence.seed.bulk import seed_bulk

    seed_bulk(database_url(settings), args.contacts, seed=args.seed)


async def _principal(conn, args) -> Principal:
    role = Role(args.role)
    if role is Role.PARTNER:
        if not args.partner:
            raise directory.NotFoundError("--partner is required for the partner role")
        partner = await directory.find_partner(conn, args.partner)
        scopes = args.scope or sorted(s for s in KNOWN_SCOPES if s.endswith(":read"))
        unknown = set(scopes) - KNOWN_SCOPES
        if unknown:
            raise directory.NotFoundError(f"unknown scopes {sorted(unknown)}; known: "
                                          f"{sorted(KNOWN_SCOPES)}")
        return Principal.partner(partner["id"], scopes)
    if role is Role.CAPTURE:
        if not args.form:
            raise directory.NotFoundError("--form is required for the capture role")
        return Principal.capture((await directory.find_capture_form(conn, args.form))["id"])
    if role is Role.CUSTOMER:
        if not args.contact:
            raise directory.NotFoundError("--contact is required for the customer role")
        return Principal.customer((await directory.find_contact(conn, args.contact))["id"])
    user = await directory.find_user(conn, role.value, args.user)
    return Principal.staff(role, user["id"])


def cmd_token(args, settings: Settings) -> None:
    principal = _run(_with_connection(settings, lambda conn: _principal(conn, args)))
    print(token_service(settings).issue(principal, ttl=args.ttl))


def cmd_partner_client(args, settings: Settings) -> None:
    unknown = set(args.scope) - KNOWN_SCOPES
    if unknown:
        raise directory.NotFoundError(f"unknown scopes {sorted(unknown)}; known: "
                                      f"{sorted(KNOWN_SCOPES)}")
    client_id, secret = new_client_credentials()

    async def create(conn):
        partner = await directory.find_partner(conn, args.partner)
        await directory.create_partner_client(conn, partner["id"], client_id,
                                              hash_secret(secret), sorted(set(args.scope)))

    _run(_with_connection(settings, create, transaction=True))
    print(f"client_id={client_id}\nclient_secret={secret}\n"
          "The secret is shown only now; store it safely.")


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
    serve.set_defaults(run=cmd_serve)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(run=cmd_migrate)

    seed = sub.add_parser("seed", help="load demo data or generate a large data set")
    what = seed.add_mutually_exclusive_group(required=True)
    what.add_argument("--demo", action="store_true", help="the demo data, into an empty database")
    what.add_argument("--contacts", type=int, metavar="N", help="generate N contacts with COPY")
    seed.add_argument("--seed", type=int, default=42, help="random seed of the generator")
    seed.set_defaults(run=cmd_seed)

    token = sub.add_parser("token", help="print a signed access token")
    token.add_argument("--role", required=True, choices=[r.value for r in Role])
    token.add_argument("--user", metavar="EMAIL|ID", help="staff user (default: first of role)")
    token.add_argument("--partner", metavar="NAME|ID")
    token.add_argument("--contact", metavar="EMAIL|ID")
    token.add_argument("--form", metavar="NAME|ID", help="capture form, for the capture role")
    token.add_argument("--scope", action="append", metavar="S", help="partner scope; repeatable")
    token.add_argument("--ttl", type=int, metavar="SECONDS", help="lifetime (default CRM_TOKEN_TTL)")
    token.set_defaults(run=cmd_token)

    client = sub.add_parser("partner-client", help="manage partner OAuth2 clients")
    client_sub = client.add_subparsers(dest="action", required=True)
    create = client_sub.add_parser("create", help="create client credentials for a partner")
    create.add_argument("--partner", required=True, metavar="NAME|ID")
    create.add_argument("--scope", action="append", required=True, metavar="S")
    create.set_defaults(run=cmd_partner_client)

    db = sub.add_parser("db", help="the embedded PostgreSQL")
    db_sub = db.add_subparsers(dest="action", required=True)
    db_sub.add_parser("stop", help="stop the embedded server").set_defaults(run=cmd_db_stop)
    return top


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    if args.command == "token" and args.ttl is not None and args.ttl <= 0:
        sys.exit("crm: --ttl must be positive")
    try:
        args.run(args, load_settings())
    except ConfigError:
        raise
    except (directory.NotFoundError, EmbeddedUnavailable) as exc:
        sys.exit(f"crm: {exc}")


if __name__ == "__main__":
    main()
