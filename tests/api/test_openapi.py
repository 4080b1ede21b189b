"""The HTTP surface against openapi/openapi.yaml, on the real server.

Schemathesis generates requests for every operation of the description, valid and invalid,
and checks each response with its default checks: no server error, documented status codes,
content types, headers and bodies, and (after a success) that credentials are enforced.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest
import schemathesis

from auth.policy import KNOWN_SCOPES
from auth.secrets import hash_secret, new_client_credentials
from persistence import directory
from persistence.seed.generator import stable_id

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "openapi.yaml"
MAX_EXAMPLES = 60
PARTNER_SCOPES = sorted(KNOWN_SCOPES)  # so that any scope the description allows is granted

schema = schemathesis.openapi.from_path(SPEC, config=schemathesis.Config.from_dict({
    "generation": {
        "max-examples": MAX_EXAMPLES,
        # The tests send real credentials; the checks probe missing and wrong ones themselves.
        "with-security-parameters": False,
    },
    "operations": [{
        # Whether a query is valid GraphQL is beyond JSON Schema: a schema-valid body may still
        # be rejected with 400, so only the GraphQL fuzz test judges accepted documents.
        "include-path": "/graphql",
        "checks": {"positive_data_acceptance": {"enabled": False}},
    }],
}))


@pytest.fixture(scope="session")
async def partner_client(app) -> tuple[str, str]:
    """A client of Demo Partner registered as `crm partner-client create` would, with its secret."""
    client_id, secret = new_client_credentials()
    async with app.state.engine.begin() as conn:
        await directory.create_partner_client(conn, stable_id("partner", "Demo Partner"), client_id,
                                              hash_secret(secret), PARTNER_SCOPES)
    return client_id, secret


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def bearer_with_claims(claims: dict) -> str:
    """A token shaped like a JWT whose payload is `claims`: enough to reach the issuer lookup."""
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"Bearer e30.{payload}.c2ln"


def credentials(path: str, tokens: dict[str, str], client: tuple[str, str]) -> dict[str, str]:
    """What a legitimate caller sends to this path: a bearer token, or the partner's client."""
    if path == "/graphql":
        return {"Authorization": f"Bearer {tokens['admin']}"}
    if path == "/oauth/token":
        return {"Authorization": basic(*client)}
    return {}


def test_openapi_description_is_valid_openapi_3_1():
    # the description itself conforms to the OpenAPI 3.1 schema (raises if it does not)
    schema.validate()


@schema.parametrize()
def test_http_operation_conforms_to_openapi(case, live_server, tokens, partner_client):
    # given a generated request with a legitimate caller's credentials
    headers = credentials(case.path, tokens, partner_client)
    # when it is sent to the real server, then every default check passes
    case.call_and_validate(base_url=live_server, headers=headers, timeout=30)


def test_token_with_basic_credentials_matches_description(live_server, partner_client):
    # given a registered partner client
    # when it asks for one of its scopes with client_secret_basic
    response = httpx.post(f"{live_server}/oauth/token",
                          headers={"Authorization": basic(*partner_client)},
                          data={"grant_type": "client_credentials", "scope": "contacts:read"})
    # then it gets a bearer token for that scope, as described
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "contacts:read"
    schema["/oauth/token"]["POST"].validate_response(response)


FORM, JSON = "application/x-www-form-urlencoded", "application/json"


@pytest.mark.parametrize("path, headers, body, media_type", [
    # Basic credentials that are base64 but not UTF-8.
    ("/oauth/token", {"Authorization": "Basic /w=="}, {"grant_type": "client_credentials"}, FORM),
    # A token whose `iss` claim is a list, or an object, rather than a string.
    ("/graphql", {"Authorization": bearer_with_claims({"iss": []})}, {"query": "{ me { id } }"}, JSON),
    ("/graphql", {"Authorization": bearer_with_claims({"iss": {}})}, {"query": "{ me { id } }"}, JSON),
], ids=["basic-not-utf8", "iss-list", "iss-object"])
def test_unreadable_credentials_are_unauthorized_as_described(live_server, path, headers, body,
                                                              media_type):
    # given credentials that cannot be read, on a request that is otherwise valid
    case = schema[path]["POST"].Case(headers=headers, body=body, media_type=media_type)
    # when they are sent, then the answer is the documented 401, not a server error
    response = case.call_and_validate(base_url=live_server, timeout=30)
    assert response.status_code == 401
