"""Only verified tokens get data: missing, expired, forged, wrong-audience and untrusted
tokens get 401 and nothing else."""

from __future__ import annotations

import base64
import json
import time
import uuid

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from auth.principal import Principal
from auth.tokens import TokenService
from domain.access import Role

ME = {"query": "{ me { role } contacts(first: 1) { totalCount } }"}


async def post(http, token: str | None, scheme: str = "Bearer"):
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    return await http.post("/graphql", json=ME, headers=headers)


def assert_rejected(response) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def _admin(principals) -> Principal:
    return principals["admin"]


def _service(app, **overrides) -> TokenService:
    own = app.state.tokens
    return TokenService(overrides.get("key", own.key), overrides.get("issuer", own.issuer),
                        overrides.get("audience", own.audience))


async def test_valid_token_gets_data(http, tokens):
    response = await post(http, tokens["admin"])
    assert response.status_code == 200 and response.json()["data"]["me"]["role"] == "ADMIN"


async def test_missing_token_is_rejected(http):
    assert_rejected(await post(http, None))


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
async def test_garbage_token_is_rejected(http, token):
    assert_rejected(await post(http, token))


async def test_basic_scheme_is_rejected(http, tokens):
    assert_rejected(await post(http, tokens["admin"], scheme="Basic"))


async def test_expired_token_is_rejected(app, http, principals):
    own = app.state.tokens
    good = own.issue(_admin(principals))
    claims = json.loads(base64.urlsafe_b64decode(good.split(".")[1] + "=="))
    past = int(time.time()) - 3600  # an hour ago: well beyond the clock-skew leeway
    expired = jwt.encode({"alg": "ES256", "kid": own.key.kid},
                         {**claims, "iat": past - 60, "nbf": past - 60, "exp": past}, own.key)
    assert_rejected(await post(http, expired))


async def test_forged_token_signed_by_another_key_is_rejected(app, http, principals):
    forger = _service(app, key=ECKey.generate_key("P-256", private=True,
                                                  parameters={"kid": app.state.tokens.key.kid}))
    assert_rejected(await post(http, forger.issue(_admin(principals))))


async def test_tampered_payload_is_rejected(http, tokens):
    header, payload, signature = tokens["analyst"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert_rejected(await post(http, f"{header}.{forged}.{signature}"))


async def test_wrong_audience_is_rejected(app, http, principals):
    assert_rejected(await post(http, _service(app, audience="another-api").issue(
        _admin(principals))))


async def test_untrusted_issuer_is_rejected(app, http, principals):
    assert_rejected(await post(http, _service(app, issuer="https://evil.example.com").issue(
        _admin(principals))))


async def test_unsigned_alg_none_token_is_rejected(app, http, principals):
    good = app.state.tokens.issue(_admin(principals))
    payload = good.split(".")[1]
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("=")
    assert_rejected(await post(http, f"{header}.{payload}."))


async def test_subject_that_does_not_match_the_role_is_rejected(app, http):
    own = app.state.tokens
    now = int(time.time())
    claims = {"iss": own.issuer, "aud": own.audience, "sub": f"Contact:{uuid.uuid4()}",
              "role": Role.ADMIN.value, "iat": now, "nbf": now, "exp": now + 60}
    token = jwt.encode({"alg": "ES256", "kid": own.key.kid}, claims, own.key)
    assert_rejected(await post(http, token))


@pytest.mark.parametrize("issuer", [[], {"a": 1}, 42, None])
async def test_token_whose_issuer_is_not_a_string_is_rejected(http, issuer):
    payload = base64.urlsafe_b64encode(json.dumps({"iss": issuer}).encode()).decode().rstrip("=")
    assert_rejected(await post(http, f"eyJhbGciOiJFUzI1NiJ9.{payload}.c2ln"))
