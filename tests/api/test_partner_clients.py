"""A partner client can be revoked (its secret at once, its tokens within the standing cache)
and rotated (the old secret works for a grace period)."""

from __future__ import annotations

import asyncio
import itertools

import httpx
import pytest

from api.cli_access import SYSTEM_ACCESS
from auth.secrets import hash_secret, new_client_credentials
from persistence import partner_clients
from persistence.db import Transaction
from persistence.directory import create_partner_client
from persistence.seed.generator import stable_id
from tests.conftest import REVOCATION_TTL

ME = {"query": "{ me { role } }"}
GRANT = {"grant_type": "client_credentials"}
_addresses = (f"192.0.2.{n}" for n in itertools.count(1))


async def _new_client(app) -> tuple[str, str]:
    client_id, secret = new_client_credentials()
    async with app.state.engine.begin() as conn:
        await create_partner_client(conn, stable_id("partner", "Demo Partner"), client_id,
                                    hash_secret(secret), ["accounts:read"])
    return client_id, secret


async def _change(app, work) -> None:
    async with Transaction(app.state.engine) as tx:
        await work(tx)
        await tx.commit()


def _from(app, address: str) -> httpx.AsyncClient:
    """A client of the app that calls from `address`."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)),
                             base_url="http://127.0.0.1")


async def _token(http, client_id: str, secret: str) -> httpx.Response:
    return await http.post("/oauth/token", data=GRANT, auth=(client_id, secret))


async def _me(http, token: str) -> int:
    return (await http.post("/graphql", json=ME, headers={
        "Authorization": f"Bearer {token}"})).status_code


@pytest.fixture
async def quick_http(revocation_app):
    async with _from(revocation_app, next(_addresses)) as client:
        yield client


async def test_revoked_clients_secret_and_tokens_are_refused(revocation_app, quick_http):
    # given a client whose token works
    client_id, secret = await _new_client(revocation_app)
    token = (await _token(quick_http, client_id, secret)).json()["access_token"]
    assert await _me(quick_http, token) == 200
    # when it is revoked
    await _change(revocation_app, lambda tx: partner_clients.revoke(tx, SYSTEM_ACCESS, client_id))
    # then its secret is refused at once, and its token once the standing cache has passed
    refused = await _token(quick_http, client_id, secret)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    await asyncio.sleep(REVOCATION_TTL + 0.1)
    assert await _me(quick_http, token) == 401


async def test_rotated_client_takes_both_secrets_within_the_grace_period(app, quick_http):
    # given a client rotated with an hour's grace
    client_id, old = await _new_client(app)
    new = new_client_credentials()[1]
    await _change(app, lambda tx: partner_clients.rotate(tx, SYSTEM_ACCESS, client_id,
                                                         hash_secret(new), 3600))
    # then both secrets get a working token
    for secret in (new, old):
        response = await _token(quick_http, client_id, secret)
        assert response.status_code == 200
        assert await _me(quick_http, response.json()["access_token"]) == 200


async def test_rotated_clients_old_secret_is_refused_after_the_grace_period(app, quick_http):
    # given a client rotated with one second's grace
    client_id, old = await _new_client(app)
    new = new_client_credentials()[1]
    await _change(app, lambda tx: partner_clients.rotate(tx, SYSTEM_ACCESS, client_id,
                                                         hash_secret(new), 1))
    # when the second has passed
    await asyncio.sleep(1.1)
    # then the old secret is refused and the new one works
    assert (await _token(quick_http, client_id, old)).status_code == 401
    assert (await _token(quick_http, client_id, new)).status_code == 200


async def test_rotation_without_grace_refuses_the_old_secret_at_once(app, quick_http):
    client_id, old = await _new_client(app)
    new = new_client_credentials()[1]
    await _change(app, lambda tx: partner_clients.rotate(tx, SYSTEM_ACCESS, client_id,
                                                         hash_secret(new), 0))
    assert (await _token(quick_http, client_id, old)).status_code == 401
    assert (await _token(quick_http, client_id, new)).status_code == 200


async def test_a_revoked_client_cannot_be_rotated(app):
    client_id, _ = await _new_client(app)
    await _change(app, lambda tx: partner_clients.revoke(tx, SYSTEM_ACCESS, client_id))
    with pytest.raises(partner_clients.ClientStateError, match="revoked"):
        await _change(app, lambda tx: partner_clients.rotate(tx, SYSTEM_ACCESS, client_id,
                                                             hash_secret("x"), 0))
