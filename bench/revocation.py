"""How long a revocation takes to reach a running server: deactivate a user, change a role,
revoke a partner client, then poll with the token issued before until the server refuses it
(or acts on the new role). Run it with the environment of the server (DATABASE_URL, CRM_HOME
or CRM_JWT_PRIVATE_KEY), against its URL:

    .venv/bin/python -m bench.revocation --url http://127.0.0.1:8000 --rounds 20

It writes to the database (users, partners and clients named revocation-*), so point it at a
demo or test database, not at production.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx

from api.app import database_url, token_service
from api.cli_access import SYSTEM_ACCESS
from api.settings import load_settings
from auth.principal import Principal
from auth.secrets import hash_secret, new_client_credentials
from domain.access import Role
from domain.services.directory import PARTNER, USER
from domain.services.records import create_record, update_record
from persistence import partner_clients
from persistence.db import Reader, Transaction, make_engine
from persistence.directory import create_partner_client
from persistence.uow import UnitOfWork

# Every 20 ms: fine enough for a delay of seconds, and under the default rate per principal.
POLL_SECONDS = 0.02
GIVE_UP_SECONDS = 30
ME = {"query": "{ me { role } }"}


async def _poll(http: httpx.AsyncClient, token: str, done: Callable[[httpx.Response], bool]
                ) -> float:
    """Seconds until a request with `token` gets an answer that `done` accepts."""
    start = time.perf_counter()
    while time.perf_counter() - start < GIVE_UP_SECONDS:
        response = await http.post("/graphql", json=ME,
                                   headers={"Authorization": f"Bearer {token}"})
        if response.status_code != 429 and done(response):  # a rate limit says nothing here
            return time.perf_counter() - start
        await asyncio.sleep(POLL_SECONDS)
    raise TimeoutError("the server never took the change")


async def _user(engine, tokens, role: str) -> tuple[uuid.UUID, str]:
    values = {"email": f"revocation-{uuid.uuid4().hex[:10]}@example.com", "name": "Revocation",
              "role": role}
    user_id = await create_record(USER, values, UnitOfWork(engine, SYSTEM_ACCESS), SYSTEM_ACCESS)
    return user_id, tokens.issue(Principal.staff(Role(role), user_id))


async def _change_user(engine, user_id: uuid.UUID, values: dict) -> None:
    await update_record(USER, user_id, 1, values, UnitOfWork(engine, SYSTEM_ACCESS),
                        SYSTEM_ACCESS)


async def deactivation(engine, tokens, http) -> float:
    user_id, token = await _user(engine, tokens, "sales")
    assert (await http.post("/graphql", json=ME, headers={
        "Authorization": f"Bearer {token}"})).status_code == 200
    await _change_user(engine, user_id, {"active": False})
    return await _poll(http, token, lambda r: r.status_code == 401)


async def role_change(engine, tokens, http) -> float:
    user_id, token = await _user(engine, tokens, "analyst")
    assert (await http.post("/graphql", json=ME, headers={
        "Authorization": f"Bearer {token}"})).json()["data"]["me"]["role"] == "ANALYST"
    await _change_user(engine, user_id, {"role": "sales"})
    return await _poll(http, token, lambda r: r.json()["data"]["me"]["role"] == "SALES")


async def client_revocation(engine, tokens, http) -> float:
    # A partner of its own each round: the rate per principal counts per partner.
    partner_id = await create_record(PARTNER, {"name": f"revocation-{uuid.uuid4().hex[:10]}"},
                                     UnitOfWork(engine, SYSTEM_ACCESS), SYSTEM_ACCESS)
    client_id, secret = new_client_credentials()
    async with engine.begin() as conn:
        await create_partner_client(conn, partner_id, client_id, hash_secret(secret),
                                    ["accounts:read"])
    token = (await http.post("/oauth/token", data={"grant_type": "client_credentials"},
                             auth=(client_id, secret))).json()["access_token"]
    assert (await http.post("/graphql", json=ME, headers={
        "Authorization": f"Bearer {token}"})).status_code == 200
    async with Transaction(engine) as tx:
        await partner_clients.revoke(tx, SYSTEM_ACCESS, client_id)
        await tx.commit()
    return await _poll(http, token, lambda r: r.status_code == 401)


async def measure(url: str, rounds: int) -> None:
    settings = load_settings()
    engine = make_engine(database_url(settings), pool_size=2)
    tokens = token_service(settings, Reader(engine))
    await tokens.ring.reload()
    cases: dict[str, Callable[..., Awaitable[float]]] = {
        "deactivated user": deactivation, "role change": role_change,
        "revoked partner client": client_revocation}
    try:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            for name, case in cases.items():
                delays = [await case(engine, tokens, http) for _ in range(rounds)]
                print(f"{name:24} rounds={rounds} min={min(delays):.3f}s "
                      f"median={statistics.median(delays):.3f}s max={max(delays):.3f}s")
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the running server")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(measure(args.url, args.rounds))


if __name__ == "__main__":
    main()
