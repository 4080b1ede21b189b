"""Signing-key rotation through the ring in PostgreSQL: the JWKS serves every key not yet
retired, new tokens use the newest key, old tokens verify until their key retires, and a
process that meets a key it does not know reads the ring again. On a database of its own,
since retiring keys would end every other test's tokens."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid

import httpx
import pytest

import auth.keyring
from api.app import create_app
from api.settings import load_settings
from auth.keyring import rotate
from auth.principal import Principal
from auth.secrets import hash_secret, new_client_credentials
from domain.access import Role
from persistence.db import Transaction
from persistence.directory import create_partner_client
from tests.databases import execute, own_database

ME = {"query": "{ me { role } }"}
ADMIN_ID = uuid.uuid4()
PARTNER_ID = uuid.uuid4()


@pytest.fixture(scope="module")
def ring_database(server_url):
    """A migrated database with one admin and one partner."""
    with own_database(server_url, "crm_keys", migrated=True) as url:
        asyncio.run(execute(url, (
            "INSERT INTO app_user (id, email, name, role, created_by, updated_by) "
            "VALUES ($1, 'root@example.org', 'Root', 'admin', 'System', 'System')", ADMIN_ID), (
            "INSERT INTO partner (id, name, created_by, updated_by) "
            "VALUES ($1, 'Keyed Partner', 'System', 'System')", PARTNER_ID)))
        yield url


@pytest.fixture(scope="module")
async def apps(ring_database, tmp_path_factory):
    """Two server processes' apps over the database, with the same configured key."""
    settings = load_settings(crm_home=tmp_path_factory.mktemp("keys-home"), crm_env="dev",
                             database_url=None, crm_worker_in_server=False)
    made = [create_app(settings, url=ring_database) for _ in range(2)]
    clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://127.0.0.1")
               for a in made]
    yield list(zip(made, clients, strict=True))
    for app, client in zip(made, clients, strict=True):
        await client.aclose()
        await app.state.close()


def _kid(token: str) -> str:
    return json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["kid"]


async def _kids(http) -> list[str]:
    return sorted(k["kid"] for k in (await http.get("/.well-known/jwks.json")).json()["keys"])


async def _status(http, token: str) -> int:
    return (await http.post("/graphql", json=ME, headers={
        "Authorization": f"Bearer {token}"})).status_code


async def _rotate(app, retire_after: int):
    async with Transaction(app.state.engine) as tx:
        key = await rotate(tx, app.state.tokens.key, retire_after)
        await tx.commit()
    return key


async def _oauth_token(app, http) -> str:
    client_id, secret = new_client_credentials()
    async with app.state.engine.begin() as conn:
        await create_partner_client(conn, PARTNER_ID, client_id, hash_secret(secret),
                                    ["accounts:read"])
    response = await http.post("/oauth/token", data={"grant_type": "client_credentials"},
                               auth=(client_id, secret))
    assert response.status_code == 200
    return response.json()["access_token"]


async def test_rotation_publishes_signs_and_retires(apps, monkeypatch):
    (app, http), _ = apps
    admin = Principal.staff(Role.ADMIN, ADMIN_ID)
    root = app.state.tokens.key
    # given the configured key alone, and a token it signed
    assert await _kids(http) == [root.kid]
    first = app.state.tokens.issue(admin)
    assert _kid(first) == root.kid and await _status(http, first) == 200
    # when a key is rotated in, and the process next looks at the ring
    monkeypatch.setattr(auth.keyring, "RING_REFRESH_SECONDS", 0)
    second_key = await _rotate(app, auth.keyring.RETIRE_AFTER_SECONDS)
    # then the JWKS serves both keys
    assert await _kids(http) == sorted([root.kid, second_key.kid])
    # and new tokens, from the token endpoint too, are signed with the new key
    second = await _oauth_token(app, http)
    assert _kid(second) == second_key.kid and await _status(http, second) == 200
    assert _kid(app.state.tokens.issue(admin)) == second_key.kid
    # and the token signed before still verifies: its key retires only after a day
    assert await _status(http, first) == 200
    # when a third key comes in and the keys before it retire at once
    third_key = await _rotate(app, 0)
    # then only the newest is published, and the tokens of the retired keys are refused
    assert await _kids(http) == [third_key.kid]
    assert await _status(http, first) == 401 and await _status(http, second) == 401
    third = app.state.tokens.issue(admin)
    assert _kid(third) == third_key.kid and await _status(http, third) == 200


async def test_a_process_reads_the_ring_when_it_meets_an_unknown_key(apps, monkeypatch):
    (app, http), (other, other_http) = apps
    admin = Principal.staff(Role.ADMIN, ADMIN_ID)
    # given a second process that read the ring and will not look again for a while
    await other.state.tokens.ring.reload()
    assert await _status(other_http, other.state.tokens.issue(admin)) == 200
    monkeypatch.setattr(auth.keyring, "MIN_RELOAD_SECONDS", 0)
    # when the first process rotates and signs with the new key
    key = await _rotate(app, auth.keyring.RETIRE_AFTER_SECONDS)
    await app.state.tokens.ring.reload()
    token = app.state.tokens.issue(admin)
    assert _kid(token) == key.kid
    # then the second process accepts the token, having read the ring again
    assert await _status(other_http, token) == 200
    assert key.kid in await _kids(other_http)


async def test_private_keys_are_stored_sealed(apps):
    (app, _), _ = apps
    key = await _rotate(app, auth.keyring.RETIRE_AFTER_SECONDS)
    async with app.state.engine.connect() as conn:
        sealed = (await conn.exec_driver_sql(
            f"SELECT sealed_private_jwk FROM signing_key WHERE kid = '{key.kid}'")).scalar()
    private_part = key.as_dict(private=True)["d"]
    assert sealed and private_part.encode() not in sealed
    assert base64.urlsafe_b64decode(private_part + "==") not in sealed
