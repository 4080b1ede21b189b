"""POST /oauth/token: partners trade client credentials for scoped access tokens; failed
client secrets are rate limited per client id and per address."""

from __future__ import annotations

import itertools

import httpx
import pytest

from auth.secrets import hash_secret, new_client_credentials
from persistence.directory import create_partner_client
from persistence.seed.generator import stable_id

GRANT = {"grant_type": "client_credentials"}
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))
ME = {"query": "{ me { role scopes principal { ... on Partner { name } } } "
               "contacts(first: 1) { totalCount } accounts(first: 1) { totalCount } }"}


@pytest.fixture(scope="module")
async def client(app) -> tuple[str, str]:
    """A Demo Partner client allowed to read contacts and accounts."""
    client_id, secret = new_client_credentials()
    async with app.state.engine.begin() as conn:
        await create_partner_client(conn, stable_id("partner", "Demo Partner"), client_id,
                                    hash_secret(secret), ["accounts:read", "contacts:read"])
    return client_id, secret


async def token_request(http, form: dict, auth: tuple[str, str] | None = None):
    return await http.post("/oauth/token", data=form, auth=auth)


async def test_client_credentials_with_basic_auth_issue_a_working_token(http, client):
    # when the partner's client asks for a token with HTTP Basic
    response = await token_request(http, {"grant_type": "client_credentials"}, auth=client)
    # then it gets a bearer token with all of its scopes
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    assert body["scope"] == "accounts:read contacts:read"
    assert response.headers["cache-control"] == "no-store"
    # and the token acts as the partner
    data = (await http.post("/graphql", json=ME, headers={
        "Authorization": f"Bearer {body['access_token']}"})).json()["data"]
    assert data["me"]["role"] == "PARTNER" and data["me"]["principal"] == {"name": "Demo Partner"}
    assert data["contacts"]["totalCount"] > 0 and data["accounts"]["totalCount"] == 10


async def test_narrower_scope_in_the_form_gives_a_narrower_token(http, client):
    client_id, secret = client
    response = await token_request(http, {"grant_type": "client_credentials",
                                          "client_id": client_id, "client_secret": secret,
                                          "scope": "accounts:read"})
    assert response.status_code == 200 and response.json()["scope"] == "accounts:read"
    data = (await http.post("/graphql", json=ME, headers={
        "Authorization": f"Bearer {response.json()['access_token']}"})).json()["data"]
    assert data["me"]["scopes"] == ["accounts:read"]
    assert data["contacts"]["totalCount"] == 0 and data["accounts"]["totalCount"] == 10


async def test_wrong_secret_is_rejected(http, client):
    response = await token_request(http, {"grant_type": "client_credentials"},
                                   auth=(client[0], "not-the-secret"))
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


async def test_unknown_client_is_rejected(http):
    response = await token_request(http, {"grant_type": "client_credentials"},
                                   auth=("pc_unknown", "whatever"))
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


async def test_scope_beyond_the_clients_is_refused(http, client):
    response = await token_request(http, {"grant_type": "client_credentials",
                                          "scope": "contacts:write"}, auth=client)
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"


async def test_other_grant_types_are_refused(http, client):
    response = await token_request(http, {"grant_type": "password", "username": "a",
                                          "password": "b"}, auth=client)
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"


async def test_json_body_is_refused(http, client):
    response = await http.post("/oauth/token", json={"grant_type": "client_credentials"},
                               auth=client)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


async def _new_client(app) -> tuple[str, str]:
    client_id, secret = new_client_credentials()
    async with app.state.engine.begin() as conn:
        await create_partner_client(conn, stable_id("partner", "Demo Partner"), client_id,
                                    hash_secret(secret), ["accounts:read"])
    return client_id, secret


def _from(app, address: str) -> httpx.AsyncClient:
    """A client of the app that calls from `address`."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)),
                             base_url="http://127.0.0.1")


async def _token(http, client_id: str, secret: str) -> httpx.Response:
    return await http.post("/oauth/token", data=GRANT, auth=(client_id, secret))


async def test_failed_secrets_of_one_client_id_get_429_from_the_eleventh(app):
    # given ten wrong secrets for one client, each from another address
    client_id, secret = await _new_client(app)
    for _ in range(10):
        async with _from(app, next(_addresses)) as http:
            assert (await _token(http, client_id, "wrong")).status_code == 401
    # when the right secret comes next, from yet another address
    async with _from(app, next(_addresses)) as http:
        response = await _token(http, client_id, secret)
    # then it is refused too: guessing gains nothing
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["error"] == "slow_down"


async def test_failed_secrets_from_one_address_get_429_from_the_eleventh(app):
    # given ten failures from one address, each for another client id
    client_id, secret = await _new_client(app)
    async with _from(app, next(_addresses)) as http:
        for n in range(10):
            assert (await _token(http, f"pc_guess{n}", "wrong")).status_code == 401
        # when the same address then sends a valid client's right secret
        response = await _token(http, client_id, secret)
    # then it is refused
    assert response.status_code == 429 and response.json()["error"] == "slow_down"
    # while the client itself, from elsewhere, still gets its token
    async with _from(app, next(_addresses)) as http:
        assert (await _token(http, client_id, secret)).status_code == 200


async def test_successful_token_requests_are_not_counted(app):
    client_id, secret = await _new_client(app)
    async with _from(app, next(_addresses)) as http:
        statuses = [(await _token(http, client_id, secret)).status_code for _ in range(15)]
    assert statuses == [200] * 15


async def test_plain_http_from_outside_loopback_is_refused_clearly(app, client):
    # given a request that reached the server over plain HTTP under a public name (a proxy
    # that ends TLS without the server trusting its X-Forwarded-Proto)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://crm.example.com") as outside:
        response = await token_request(outside, GRANT, auth=client)
    # then the answer says to use HTTPS, instead of failing inside the OAuth library
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "HTTPS" in response.json()["error_description"]
