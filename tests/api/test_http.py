"""GraphQL over HTTP: methods, bodies, status codes, limits, and the dev/prod switches."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from api.settings import ConfigError, load_settings

ME = "{ me { role } }"


def auth(tokens, role: str = "admin") -> dict:
    return {"Authorization": f"Bearer {tokens[role]}"}


async def test_get_serves_queries(http, tokens):
    response = await http.get("/graphql", params={"query": ME}, headers=auth(tokens))
    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"role": "ADMIN"}}}


async def test_get_refuses_mutations(http, tokens):
    mutation = 'mutation { noteCreate(input: {recordId: "x", body: "y"}) { errors { code } } }'
    response = await http.get("/graphql", params={"query": mutation}, headers=auth(tokens))
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_batched_array_body_is_refused_clearly(http, tokens):
    response = await http.post("/graphql", json=[{"query": ME}, {"query": ME}],
                               headers=auth(tokens))
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BATCHING_NOT_SUPPORTED"
    assert "one operation per request" in error["message"]


JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"

# Well-formed requests whose document or variables are wrong: request errors of the spec.
DOCUMENT_AND_VARIABLE_ERRORS = [
    ({"query": "{ me { role "}, "GRAPHQL_PARSE_FAILED"),
    ({"query": "{ me { nosuchfield } }"}, "GRAPHQL_VALIDATION_FAILED"),
    ({"query": "query($n: Int!) { contacts(first: $n) { totalCount } }",
      "variables": {"n": "ten"}}, None),
]


@pytest.mark.parametrize("body, code", DOCUMENT_AND_VARIABLE_ERRORS)
@pytest.mark.parametrize("accept", [JSON, None, f"{JSON}, */*"])
async def test_document_and_variable_errors_get_200_with_application_json(
        http, tokens, body, code, accept):
    # given a well-formed request whose document does not parse or validate, or whose
    # variables do not coerce, from a client that accepts (or assumes) application/json
    headers = {**auth(tokens), **({"Accept": accept} if accept else {})}
    # when it is sent
    response = await http.post("/graphql", json=body, headers=headers)
    # then, as GraphQL over HTTP recommends for application/json, the status is 200 and the
    # body carries the errors without data
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(JSON)
    assert response.json()["errors"] and response.json().get("data") is None
    if code:
        assert response.json()["errors"][0]["extensions"]["code"] == code


@pytest.mark.parametrize("body, code", DOCUMENT_AND_VARIABLE_ERRORS)
async def test_document_and_variable_errors_get_400_with_graphql_response_json(
        http, tokens, body, code):
    # given the same requests from a client that accepts application/graphql-response+json
    headers = {**auth(tokens), "Accept": f"{GRAPHQL_RESPONSE}, {JSON};q=0.9"}
    # when it is sent
    response = await http.post("/graphql", json=body, headers=headers)
    # then that media type's rule applies: a response without data is a 4xx
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert response.json()["errors"] and response.json().get("data") is None
    if code:
        assert response.json()["errors"][0]["extensions"]["code"] == code


@pytest.mark.parametrize("body, code", [
    ({"query": ""}, "BAD_REQUEST"),
    ({"query": ME, "variables": [1]}, "BAD_REQUEST"),
    ({"query": "query A { me { role } } query B { me { role } }"}, "OPERATION_NOT_FOUND"),
])
@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE])
async def test_malformed_requests_get_400(http, tokens, body, code, accept):
    response = await http.post("/graphql", json=body, headers={**auth(tokens), "Accept": accept})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors and response.json().get("data") is None
    assert errors[0]["extensions"]["code"] == code


def refused(response: httpx.Response) -> str:
    """The first error's message of a request answered with errors and no data."""
    body = response.json()
    assert response.status_code in (200, 400) and body["errors"] and body.get("data") is None
    return body["errors"][0]["message"]


async def test_invalid_json_and_wrong_media_type(http, tokens):
    bad_json = await http.post("/graphql", content=b"{not json",
                               headers={**auth(tokens), "Content-Type": "application/json"})
    assert bad_json.status_code == 400
    text = await http.post("/graphql", content=ME.encode(),
                           headers={**auth(tokens), "Content-Type": "text/plain"})
    assert text.status_code == 415


def nested(depth: int) -> str:
    """A query `depth` fields deep: contacts/nodes/territory/parent/parent/..."""
    inner = "id"
    for _ in range(depth - 3):
        inner = f"parent {{ {inner} }}"
    return "{ contacts(first: 1) { nodes { territory { %s } } } }" % inner


async def test_depth_limit_is_ten(http, tokens):
    ok = await http.post("/graphql", json={"query": nested(10)}, headers=auth(tokens))
    too_deep = await http.post("/graphql", json={"query": nested(11)}, headers=auth(tokens))
    assert ok.status_code == 200 and "errors" not in ok.json(), ok.json()
    assert "exceeds maximum operation depth of 10" in refused(too_deep)


async def test_alias_limit_is_fifteen(http, tokens):
    def aliased(n: int) -> str:
        return "{ %s }" % " ".join(f"a{i}: me {{ role }}" for i in range(n))

    allowed = await http.post("/graphql", json={"query": aliased(15)}, headers=auth(tokens))
    assert allowed.status_code == 200 and "errors" not in allowed.json()
    too_many = await http.post("/graphql", json={"query": aliased(16)}, headers=auth(tokens))
    assert "aliases" in refused(too_many)


async def test_token_limit_is_one_thousand(http, tokens):
    ids = ", ".join(['"x"'] * 1000)  # a thousand strings, plus the punctuation around them
    query = "{ nodes(ids: [%s]) { id } }" % ids
    response = await http.post("/graphql", json={"query": query}, headers=auth(tokens))
    assert "1000 tokens" in refused(response)


@pytest.mark.parametrize("arguments, code, argument", [
    ("first: 1000", "INVALID", "first"),
    ("first: 0", "INVALID", "first"),
    ("last: 101", "INVALID", "last"),
    ("first: 5, last: 5", "INVALID", "last"),
    ('after: "bm90IGEgY3Vyc29y"', "INVALID", "after"),
    ('filter: {lastName: {eq: null}}', "INVALID", "filter"),
])
async def test_bad_list_arguments_are_errors_not_silent_clamps(gql, arguments, code, argument):
    result = await gql("admin", "{ contacts(%s) { totalCount } }" % arguments)
    assert result.status == 200 and result.data is None  # contacts is non-null, so data is null
    assert result.errors[0]["extensions"] == {"code": code, "argument": argument}
    assert result.errors[0]["path"] == ["contacts"]


async def test_filtering_or_sorting_on_an_unreadable_field_is_forbidden(gql):
    by_email = await gql("analyst", '{ contacts(filter: {email: {eq: "a@b.c"}}) { totalCount } }')
    by_score = await gql("partner", "{ contacts(orderBy: [{field: LEAD_SCORE}]) { totalCount } }")
    assert by_email.errors[0]["extensions"] == {"code": "FORBIDDEN", "argument": "filter"}
    assert by_score.errors[0]["extensions"] == {"code": "FORBIDDEN", "argument": "orderBy"}


async def test_cursor_from_another_ordering_is_refused(gql):
    page = await gql.ok("admin", "{ contacts(first: 1, orderBy: [{field: LAST_NAME}]) "
                                 "{ pageInfo { endCursor } } }")
    cursor = page["contacts"]["pageInfo"]["endCursor"]
    result = await gql("admin", 'query($c: String) { contacts(first: 1, after: $c) '
                                '{ totalCount } }', {"c": cursor})
    assert result.errors[0]["extensions"] == {"code": "INVALID", "argument": "after"}


async def test_malformed_global_id_is_invalid(gql):
    result = await gql("admin", '{ contact(id: "%%%") { id } }')
    assert result.errors[0]["extensions"]["code"] == "INVALID"


async def test_graphiql_is_served_in_dev(http):
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()


@pytest.fixture(scope="module")
async def prod_http(crm_home, database_url, configured_key):
    app = create_app(load_settings(crm_home=crm_home, crm_env="prod", database_url=None,
                                   crm_jwt_private_key=configured_key),
                     url=database_url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1") as client:
        yield client
    await app.state.close()


async def test_prod_turns_introspection_and_graphiql_off(prod_http, tokens):
    introspection = await prod_http.post("/graphql", json={"query": "{ __schema { types { name } } }"},
                                         headers=auth(tokens))
    assert "introspection" in refused(introspection).lower()
    page = await prod_http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 401  # no IDE: a plain, unauthenticated GraphQL request
    assert (await prod_http.post("/graphql", json={"query": ME}, headers=auth(tokens))).json() == {
        "data": {"me": {"role": "ADMIN"}}}


async def test_introspection_can_be_enabled_in_prod(crm_home, database_url, tokens,
                                                     configured_key):
    app = create_app(load_settings(crm_home=crm_home, crm_env="prod", crm_introspection=True,
                                   database_url=None, crm_jwt_private_key=configured_key),
                     url=database_url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1") as client:
        response = await client.post("/graphql", json={"query": "{ __schema { queryType { name } } }"},
                                     headers=auth(tokens))
    await app.state.close()
    assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


def test_prod_without_a_signing_key_refuses_to_build_the_app(crm_home, database_url):
    with pytest.raises(ConfigError, match="CRM_JWT_PRIVATE_KEY: required when CRM_ENV=prod"):
        create_app(load_settings(crm_home=crm_home, crm_env="prod", database_url=None),
                   url=database_url)


async def test_cors_allows_only_configured_origins(crm_home, database_url):
    app = create_app(load_settings(crm_home=crm_home, crm_cors_origins="https://app.example.com",
                                   database_url=None), url=database_url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1") as client:
        preflight = {"Access-Control-Request-Method": "POST",
                     "Access-Control-Request-Headers": "authorization,content-type"}
        allowed = await client.options("/graphql", headers={
            "Origin": "https://app.example.com", **preflight})
        denied = await client.options("/graphql", headers={
            "Origin": "https://evil.example.com", **preflight})
    await app.state.close()
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in denied.headers


async def test_cors_allows_the_request_id_and_exposes_response_headers(crm_home, database_url,
                                                                       tokens):
    # given a server that lets https://app.example.com call it from a browser
    app = create_app(load_settings(crm_home=crm_home, crm_cors_origins="https://app.example.com",
                                   database_url=None), url=database_url)
    origin = {"Origin": "https://app.example.com"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1") as client:
        # when the browser asks whether it may send the request id, then sends a query
        preflight = await client.options("/graphql", headers={
            **origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,x-request-id"})
        answer = await client.post("/graphql", json={"query": ME},
                                   headers={**origin, **auth(tokens)})
    await app.state.close()
    # then it may, and scripts may read the request id and Retry-After of the answers
    assert preflight.status_code == 200
    assert "x-request-id" in preflight.headers["access-control-allow-headers"].lower()
    exposed = {h.strip().lower() for h in answer.headers["access-control-expose-headers"].split(",")}
    assert exposed == {"x-request-id", "retry-after"}


async def test_health_readiness_and_keys(http):
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"
    keys = (await http.get("/.well-known/jwks.json")).json()["keys"]
    assert keys and all("d" not in k for k in keys) and keys[0]["alg"] == "ES256"


@pytest.mark.parametrize("body", [
    {"query": "query($n: String) { contacts(filter: {lastName: {eq: $n}}) { totalCount } }",
     "variables": {"n": "a\x00b"}},
    {"query": '{ contacts(filter: {lastName: {eq: "a\\u0000b"}}) { totalCount } }'},
])
async def test_nul_characters_are_refused_before_reaching_the_database(http, tokens, body):
    response = await http.post("/graphql", json=body, headers=auth(tokens))
    assert "NUL" in refused(response)


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "HEAD"])
async def test_other_methods_get_405_naming_get_and_post(http, method):
    response = await http.request(method, "/graphql")
    assert response.status_code == 405 and response.headers["allow"] == "GET, POST"
