"""Tokens from an external OIDC issuer, verified against its JWKS over HTTP, map to a
staff user by email or to a customer through a portal identity."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from api.app import create_app
from api.settings import load_settings
from tests.demo import CUSTOMER

ISSUER = "https://idp.example.com"
CUSTOMER_ISSUER = "https://login.example.com"
ME = {"query": "{ me { role principal { ... on User { email } ... on Contact { id } } } }"}


class IdentityProvider:
    """Publishes a key set on a loopback port; keys can be rotated during a test."""

    def __init__(self) -> None:
        self.keys = [ECKey.generate_key("P-256", private=True, parameters={"kid": "k1"})]
        self.fetches = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the stdlib's name)
                provider.fetches += 1
                body = json.dumps(KeySet(provider.keys).as_dict(private=False)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, issuer: str = ISSUER, key=None, **claims) -> str:
        key = key or self.keys[-1]
        now = int(time.time())
        body = {"iss": issuer, "aud": "crm", "sub": str(uuid.uuid4()), "iat": now,
                "exp": now + 300, **claims}
        return jwt.encode({"alg": "ES256", "kid": key.kid}, body, key)


@pytest.fixture(scope="module")
def idp():
    provider = IdentityProvider()
    yield provider
    provider.server.shutdown()


@pytest.fixture(scope="module")
async def sso_http(crm_home, database_url, idp):
    trusted = json.dumps([
        {"issuer": ISSUER, "jwks_url": idp.url, "principal": "staff"},
        {"issuer": CUSTOMER_ISSUER, "jwks_url": idp.url, "principal": "customer"},
    ])
    app = create_app(load_settings(crm_home=crm_home, crm_trusted_issuers=trusted,
                                   database_url=None), url=database_url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1") as client:
        yield client
    await app.state.close()


async def me(http, token: str):
    return await http.post("/graphql", json=ME, headers={"Authorization": f"Bearer {token}"})


async def test_staff_token_maps_to_the_user_with_that_email(sso_http, idp):
    response = await me(sso_http, idp.token(email="sales@example.com", email_verified=True))
    assert response.json() == {"data": {"me": {"role": "SALES", "principal": {
        "email": "sales@example.com"}}}}


async def test_staff_token_for_an_unknown_email_is_rejected(sso_http, idp):
    response = await me(sso_http, idp.token(email="stranger@example.com"))
    assert response.status_code == 401


async def test_customer_token_maps_through_the_portal_identity_email(sso_http, idp):
    token = idp.token(CUSTOMER_ISSUER, email="customer@example.com", email_verified=True)
    response = await me(sso_http, token)
    assert response.json() == {"data": {"me": {"role": "CUSTOMER", "principal": {"id": CUSTOMER}}}}


async def test_unverified_email_proves_nothing(sso_http, idp):
    token = idp.token(CUSTOMER_ISSUER, email="customer@example.com", email_verified=False)
    assert (await me(sso_http, token)).status_code == 401


async def test_key_not_in_the_published_set_is_rejected(sso_http, idp):
    stranger = ECKey.generate_key("P-256", private=True, parameters={"kid": "k1"})
    token = idp.token(key=stranger, email="sales@example.com")
    assert (await me(sso_http, token)).status_code == 401


async def test_rotated_key_is_fetched_when_first_seen(sso_http, idp, monkeypatch):
    import auth.trusted

    # given the cached key set is older than the minimum refresh interval
    monkeypatch.setattr(auth.trusted, "MIN_REFRESH_SECONDS", 0)
    before = idp.fetches
    # when the issuer rotates to a new key and signs with it
    idp.keys.append(ECKey.generate_key("P-256", private=True, parameters={"kid": "k2"}))
    response = await me(sso_http, idp.token(email="admin@example.com"))
    # then the server fetched the new set once and accepted the token
    assert response.status_code == 200 and response.json()["data"]["me"]["role"] == "ADMIN"
    assert idp.fetches == before + 1


async def test_wrong_audience_from_a_trusted_issuer_is_rejected(sso_http, idp):
    assert (await me(sso_http, idp.token(aud="other", email="sales@example.com"))).status_code == 401
