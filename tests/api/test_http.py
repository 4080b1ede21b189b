"""GraphQL over HTTP: methods, bodies, status codes, limits, and the dev/prod switches."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from api.settings import load_settings

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


@pytest.mark.parametrize("body, code", [
    ({"query": "{ me { role "}, "GRAPHQL_PARSE_FAILED"),
    ({"query": "{ me { nosuchfield } }"}, "GRAPHQL_VALIDATION_FAILED"),
    ({"query": ""}, "BAD_REQUEST"),
    ({"query": ME, "variables": [1]}, "BAD_REQUEST"),
    ({"query": "query($n: Int!) { contacts(first: $n) { totalCount } }",
      "variables": {"n": "ten"}}, None),
    ({"query": "query A { me { role } } query B { me { role } }"}, "OPERATION_NOT_FOUND"),
])
async def test_malformed_requests_get_400(http, tokens, body, code):
    response = await http.post("/graphql", json=body, headers=auth(tokens))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors and response.json().get("data") is None
    if code:
        assert errors[0]["extensions"]["code"] == code


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
    assert ok.status_code == 200, ok.json()
    assert too_deep.status_code == 400
    assert "exceeds maximum operation depth of 10" in too_deep.json()["errors"][0]["message"]


async def test_alias_limit_is_fifteen(http, tokens):
    def aliased(n: int) -> str:
        return "{ %s }" % " ".join(f"a{i}: me {{ role }}" for i in range(n))

    assert (await http.post("/graphql", json={"query": aliased(15)},
                            headers=auth(tokens))).status_code == 200
    refused = await http.post("/graphql", json={"query": aliased(16)}, headers=auth(tokens))
    assert refused.status_code == 400
    assert "aliases" in refused.json()["errors"][0]["message"]


async def test_token_limit_is_one_thousand(http, tokens):
    ids = ", ".join(['"x"'] * 1000)  # a thousand strings, plus the punctuation around them
    query = "{ nodes(ids: [%s]) { id } }" % ids
    response = await http.post("/graphql", json={"query": query}, headers=auth(tokens))
    assert response.status_code == 400
    assert "1000 tokens" in response.json()["errors"][0]["message"]


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
async def prod_http(crm_home, database_url):
    app = create_app(load_settings(crm_home=crm_home, crm_env="prod", database_url=None),
                     url=database_url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1") as client:
        yield client
    await app.state.close()


async def test_prod_turns_introspection_and_graphiql_off(prod_http, tokens):
    introspection = await prod_http.post("/graphql", json={"query": "{ __schema { types { name } } }"},
                                         headers=auth(tokens))
    assert introspection.status_code == 400
    assert "introspection" in introspection.json()["errors"][0]["message"].lower()
    page = await prod_http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 401  # no IDE: a plain, unauthenticated GraphQL request
    assert (await prod_http.post("/graphql", json={"query": ME}, headers=auth(tokens))).json() == {
        "data": {"me": {"role": "ADMIN"}}}


async def test_introspection_can_be_enabled_in_prod(crm_home, database_url, tokens):
    app = create_app(load_settings(crm_home=crm_home, crm_env="prod", crm_introspection=True,
                                   database_url=None), url=database_url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1") as client:
        response = await client.post("/graphql", json={"query": "{ __schema { queryType { name } } }"},
                                     headers=auth(tokens))
    await app.state.close()
    assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


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
    assert response.status_code == 400
    assert "NUL" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "HEAD"])
async def test_other_methods_get_405_naming_get_and_post(http, method):
    response = await http.request(method, "/graphql")
    assert response.status_code == 405 and response.headers["allow"] == "GET, POST"
