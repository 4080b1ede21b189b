"""The `crm` commands that decide who may call the API: tokens, users, partner clients and
signing keys."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import database_url, token_service
from api.settings import Settings
from auth import keyring
from auth.grants import access_for
from auth.keys import MAX_TOKEN_LIFETIME
from auth.policy import KNOWN_SCOPES
from auth.principal import Principal
from auth.secrets import hash_secret, new_client_credentials
from domain.access import STAFF_ROLES, SYSTEM, Role
from domain.services.directory import USER
from domain.services.records import create_record, update_record
from persistence import directory, partner_clients
from persistence.db import Reader, Transaction, make_engine
from persistence.uow import UnitOfWork

# What the command line does, it does as the System actor with an admin's rights.
SYSTEM_ACCESS = access_for(Role.ADMIN, SYSTEM)
DEFAULT_GRACE_SECONDS = 86_400


def _run(settings: Settings, work: Callable[[AsyncEngine], Awaitable[Any]]) -> Any:
    async def run():
        engine = make_engine(database_url(settings), pool_size=1)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"


def _check_scopes(scopes) -> None:
    unknown = set(scopes) - KNOWN_SCOPES
    if unknown:
        raise directory.NotFoundError(f"unknown scopes {sorted(unknown)}; known: "
                                      f"{sorted(KNOWN_SCOPES)}")


async def _principal(conn, args) -> Principal:
    role = Role(args.role)
    if role is Role.PARTNER:
        if not args.partner:
            raise directory.NotFoundError("--partner is required for the partner role")
        partner = await directory.find_partner(conn, args.partner)
        scopes = args.scope or sorted(s for s in KNOWN_SCOPES if s.endswith(":read"))
        _check_scopes(scopes)
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
    async def issue(engine: AsyncEngine) -> str:
        tokens = token_service(settings, Reader(engine, announced=False))
        async with engine.connect() as conn:
            principal = await _principal(conn, args)
        await tokens.ring.reload()  # sign with the newest key of the ring
        return tokens.issue(principal, ttl=args.ttl)

    print(_run(settings, issue))


def cmd_user_create(args, settings: Settings) -> None:
    async def create(engine: AsyncEngine) -> str:
        values = {"email": args.email, "name": args.name, "role": args.role}
        if args.territory:
            async with engine.connect() as conn:
                values["territory"] = (await directory.find_territory(conn, args.territory))["id"]
        user_id = await create_record(USER, values, UnitOfWork(engine, SYSTEM_ACCESS),
                                      SYSTEM_ACCESS)
        async with engine.connect() as conn:
            email = (await directory.user_by_email(conn, args.email))["email"]
        return f"user created: id={user_id} email={email} role={args.role}"

    print(_run(settings, create))


def cmd_user_deactivate(args, settings: Settings) -> None:
    async def deactivate(engine: AsyncEngine) -> str:
        async with engine.connect() as conn:
            user = await directory.user_by_email(conn, args.email)
        if not user["active"]:
            return f"{user['email']} is already inactive"
        await update_record(USER, user["id"], user["version"], {"active": False},
                            UnitOfWork(engine, SYSTEM_ACCESS), SYSTEM_ACCESS)
        return (f"{user['email']} deactivated: its tokens are refused within "
                f"{settings.crm_principal_cache_ttl:g} seconds")

    print(_run(settings, deactivate))


def cmd_partner_client_create(args, settings: Settings) -> None:
    _check_scopes(args.scope)
    client_id, secret = new_client_credentials()

    async def create(engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            partner = await directory.find_partner(conn, args.partner)
            await directory.create_partner_client(conn, partner["id"], client_id,
                                                  hash_secret(secret), sorted(set(args.scope)))

    _run(settings, create)
    print(f"client_id={client_id}\nclient_secret={secret}\n"
          "The secret is shown only now; store it safely.")


def cmd_partner_client_list(args, settings: Settings) -> None:
    async def listing(engine: AsyncEngine) -> list[dict]:
        return await partner_clients.listing(Reader(engine))

    rows = [("CLIENT_ID", "PARTNER", "SCOPES", "CREATED", "REVOKED", "PREVIOUS SECRET UNTIL")]
    rows += [(r["client_id"], r["partner"], " ".join(r["scopes"]), _when(r["created_at"]),
              _when(r["revoked_at"]), _when(r["previous_secret_until"]))
             for r in _run(settings, listing)]
    _print_table(rows)


async def _in_transaction(engine: AsyncEngine, work) -> None:
    async with Transaction(engine) as tx:
        await work(tx)
        await tx.commit()


def cmd_partner_client_revoke(args, settings: Settings) -> None:
    _run(settings, lambda engine: _in_transaction(
        engine, lambda tx: partner_clients.revoke(tx, SYSTEM_ACCESS, args.client_id)))
    print(f"{args.client_id} revoked: its secret is refused now, its tokens within "
          f"{settings.crm_principal_cache_ttl:g} seconds")


def cmd_partner_client_rotate(args, settings: Settings) -> None:
    _, secret = new_client_credentials()
    _run(settings, lambda engine: _in_transaction(
        engine, lambda tx: partner_clients.rotate(tx, SYSTEM_ACCESS, args.client_id,
                                                  hash_secret(secret), args.grace)))
    previous = (f"the previous secret works for {args.grace} more seconds" if args.grace
                else "the previous secret no longer works")
    print(f"client_id={args.client_id}\nclient_secret={secret}\n"
          f"The secret is shown only now; store it safely; {previous}.")


def cmd_key_rotate(args, settings: Settings) -> None:
    async def rotate(engine: AsyncEngine):
        tokens = token_service(settings)
        async with Transaction(engine) as tx:
            key = await keyring.rotate(tx, tokens.key, args.retire_after)
            await tx.commit()
        return key

    key = _run(settings, rotate)
    print(f"new signing key {key.kid}: the servers sign with it within "
          f"{keyring.RING_REFRESH_SECONDS:g} seconds; the keys before it retire in "
          f"{args.retire_after} seconds")


def cmd_key_list(args, settings: Settings) -> None:
    async def ring(engine: AsyncEngine) -> keyring.KeyRing:
        tokens = token_service(settings, Reader(engine))
        await tokens.ring.reload()
        return tokens.ring

    ring = _run(settings, ring)
    rows = [("KID", "STATE", "CREATED", "RETIRES")]
    for kid, entry in ring.entries():
        state = ("signing" if entry.key is ring.signer else
                 "retired" if not ring.accepts(kid) else "verifying")
        origin = " (configured)" if kid == ring.root.kid else ""
        rows.append((kid + origin, state, _when(entry.created_at), _when(entry.retires_at)))
    _print_table(rows)


def _print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
              .rstrip())


def _ttl(text: str) -> int:
    value = int(text)
    if not 0 < value <= MAX_TOKEN_LIFETIME:
        raise argparse.ArgumentTypeError(f"a token lives from 1 to {MAX_TOKEN_LIFETIME} seconds")
    return value


def _seconds(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more seconds")
    return value


def add_commands(sub) -> None:
    """Add token, user, partner-client and key to the `crm` parser."""
    token = sub.add_parser("token", help="print a signed access token")
    token.add_argument("--role", required=True,
                       choices=[r.value for r in Role if r is not Role.ANONYMOUS])
    token.add_argument("--user", metavar="EMAIL|ID",
                       help="staff user (default: the only active user of the role, or "
                            "<role>@example.com)")
    token.add_argument("--partner", metavar="NAME|ID")
    token.add_argument("--contact", metavar="EMAIL|ID")
    token.add_argument("--form", metavar="NAME|ID", help="capture form, for the capture role")
    token.add_argument("--scope", action="append", metavar="S", help="partner scope; repeatable")
    token.add_argument("--ttl", type=_ttl, metavar="SECONDS",
                       help=f"lifetime, at most {MAX_TOKEN_LIFETIME} (default CRM_TOKEN_TTL)")
    token.set_defaults(run=cmd_token)

    user = sub.add_parser("user", help="manage staff users").add_subparsers(
        dest="action", required=True)
    create = user.add_parser("create", help="add an active staff user (e.g. the first admin)")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=[r.value for r in STAFF_ROLES])
    create.add_argument("--territory", metavar="NAME|ID")
    create.set_defaults(run=cmd_user_create)
    deactivate = user.add_parser("deactivate", help="deactivate a user: its tokens stop working")
    deactivate.add_argument("email")
    deactivate.set_defaults(run=cmd_user_deactivate)

    client = sub.add_parser("partner-client", help="manage partner OAuth2 clients")
    client_sub = client.add_subparsers(dest="action", required=True)
    create = client_sub.add_parser("create", help="create client credentials for a partner")
    create.add_argument("--partner", required=True, metavar="NAME|ID")
    create.add_argument("--scope", action="append", required=True, metavar="S")
    create.set_defaults(run=cmd_partner_client_create)
    client_sub.add_parser("list", help="list the clients (never their secrets)").set_defaults(
        run=cmd_partner_client_list)
    revoke = client_sub.add_parser("revoke", help="revoke a client and the tokens it got")
    revoke.add_argument("client_id", metavar="CLIENT_ID")
    revoke.set_defaults(run=cmd_partner_client_revoke)
    rotate = client_sub.add_parser("rotate", help="give a client a new secret")
    rotate.add_argument("client_id", metavar="CLIENT_ID")
    rotate.add_argument("--grace", type=_seconds, default=DEFAULT_GRACE_SECONDS,
                        metavar="SECONDS", help="how long the old secret still works "
                                                f"(default {DEFAULT_GRACE_SECONDS}; 0: not at all)")
    rotate.set_defaults(run=cmd_partner_client_rotate)

    key = sub.add_parser("key", help="the signing keys").add_subparsers(dest="action",
                                                                       required=True)
    key_rotate = key.add_parser("rotate", help="sign with a new key from now on")
    key_rotate.add_argument("--retire-after", type=_seconds, default=keyring.RETIRE_AFTER_SECONDS,
                            metavar="SECONDS", help="when the keys before it stop verifying "
                            f"(default {keyring.RETIRE_AFTER_SECONDS}: the longest token lifetime "
                            "and a margin; 0: at once, for a leaked key)")
    key_rotate.set_defaults(run=cmd_key_rotate)
    key.add_parser("list", help="the signing keys and their states").set_defaults(
        run=cmd_key_list)
