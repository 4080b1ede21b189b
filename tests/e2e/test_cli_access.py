"""The `crm` commands that decide who may call: users, tokens, partner clients and signing
keys, run as an operator runs them, against real servers."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.conftest import REVOCATION_TTL
from tests.databases import own_database
from tests.e2e.test_cli import crm, graphql, serving

pytestmark = pytest.mark.e2e
ME = "{ me { role principal { ... on User { email } } } }"


def _pem_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _kid(token: str) -> str:
    return json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["kid"]


@pytest.fixture(scope="module")
def prod_env(server_url, tmp_path_factory):
    """A production configuration over an empty, migrated database."""
    with own_database(server_url, "crm_cli") as url:
        env = {"DATABASE_URL": url, "CRM_HOME": str(tmp_path_factory.mktemp("prod-home")),
               "CRM_ENV": "prod", "CRM_JWT_PRIVATE_KEY": _pem_key(),
               "CRM_PRINCIPAL_CACHE_TTL": str(REVOCATION_TTL), "CRM_WORKER_IN_SERVER": "false"}
        crm("migrate", env=env)
        yield env


def test_production_refuses_to_start_without_a_signing_key(prod_env):
    env = {**prod_env, "CRM_JWT_PRIVATE_KEY": ""}
    for command in (["serve", "--port", "9"], ["token", "--role", "admin"]):
        result = crm(*command, env=env, check=False, timeout=30)
        assert result.returncode != 0 and "CRM_JWT_PRIVATE_KEY" in result.stderr
        assert "CRM_ENV=prod" in result.stderr


def test_first_admin_of_an_empty_production_database(prod_env):
    # given an empty database, no token can be had for an admin
    refused = crm("token", "--role", "admin", env=prod_env, check=False)
    assert refused.returncode != 0 and "crm user create" in refused.stderr
    # when the first admin is created
    out = crm("user", "create", "--email", "First.Admin@Corp.example", "--name", "First Admin",
              "--role", "admin", env=prod_env).stdout
    assert "user created" in out and "email=First.Admin@corp.example" in out
    # then `crm token --role admin` gives a token the production server accepts
    token = crm("token", "--role", "admin", env=prod_env).stdout.strip()
    with serving(prod_env) as url:
        assert graphql(url, token, ME) == {"data": {"me": {"role": "ADMIN", "principal": {
            "email": "First.Admin@corp.example"}}}}
        # and once the admin is deactivated, that token is refused
        assert "deactivated" in crm("user", "deactivate", "first.admin@corp.example",
                                    env=prod_env).stdout
        time.sleep(REVOCATION_TTL + 0.2)
        response = httpx.post(f"{url}/graphql", json={"query": ME},
                              headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code == 401


@pytest.mark.parametrize("args, message", [
    (["--email", "first.admin@corp.example", "--name", "Twin", "--role", "admin"],
     "email: Another User has this email."),
    (["--email", "boss@corp.example", "--name", "Boss", "--role", "boss"], "invalid choice"),
    (["--email", "rep@corp.example", "--name", "Rep", "--role", "sales", "--territory", "Mars"],
     "no territory 'Mars'"),
])
def test_user_create_explains_what_it_refuses(prod_env, args, message):
    result = crm("user", "create", *args, env=prod_env, check=False)
    assert result.returncode != 0 and message in result.stderr


def test_token_for_a_role_several_users_share_needs_a_user(prod_env):
    # given two sales users, neither of them the demo's sales@example.com
    for email in ("ann@corp.example", "bob@corp.example"):
        crm("user", "create", "--email", email, "--name", email, "--role", "sales", env=prod_env)
    # then a token for the role alone is refused, naming the candidates
    result = crm("token", "--role", "sales", env=prod_env, check=False)
    assert result.returncode != 0
    assert "ann@corp.example" in result.stderr and "bob@corp.example" in result.stderr
    assert "--user" in result.stderr
    # and one of them may be chosen
    assert crm("token", "--role", "sales", "--user", "bob@corp.example", env=prod_env).stdout


def test_key_rotate_signs_new_tokens_with_the_new_key(prod_env):
    crm("user", "create", "--email", "keys@corp.example", "--name", "Keys", "--role", "analyst",
        env=prod_env)
    before = crm("token", "--role", "analyst", env=prod_env).stdout
    with serving(prod_env) as url:
        # when the key is rotated while the server runs
        out = crm("key", "rotate", env=prod_env).stdout
        new_kid = out.split()[3].rstrip(":")
        after = crm("token", "--role", "analyst", env=prod_env).stdout.strip()
        # then new tokens carry the new key, and the running server takes both
        assert _kid(after) == new_kid != _kid(before)
        for token in (before, after):
            assert graphql(url, token.strip(), "{ me { role } }") == {"data": {"me": {
                "role": "ANALYST"}}}
        kids = {k["kid"] for k in httpx.get(f"{url}/.well-known/jwks.json").json()["keys"]}
        assert kids == {_kid(before), new_kid}
    # and the ring lists the new key signing and the configured one verifying until it retires
    listed = crm("key", "list", env=prod_env).stdout.splitlines()
    assert listed[1].split()[:2] == [new_kid, "signing"]
    assert "(configured)" in listed[2] and "verifying" in listed[2]
