"""Every request is bounded: query cost, statement time, rate per principal and per address,
and no schema hints in error messages where introspection is off."""

from __future__ import annotations

import contextlib

import asyncpg
import pytest

from tests.graphql import GraphQLClient

NESTED = ("accounts(first: 100) { nodes { contacts(first: 100) { nodes { notes(first: 100) "
          "{ nodes { body } } accounts(first: 100) { nodes { contacts(first: 100) { nodes { "
          "notes { nodes { body } } } } } } } } } }")
FIFTEEN_NESTED = "{ " + " ".join(f"a{i}: {NESTED}" for i in range(15)) + " }"
NODES = ("query($v: [ID!]!) { "
         + " ".join(f"n{i}: nodes(ids: $v) {{ ... on Account {{ contacts(first: 100) {{ nodes {{ "
                    f"notes(first: 100) {{ nodes {{ body }} }} }} }} }} }}" for i in range(15))
         + " }")
BY_PAGE = """query Page($n: Int!) { contacts(first: $n) { ...Linked } }
fragment Linked on ContactConnection { nodes { accounts(first: 100) { nodes { id } } } }"""
COUNT = "query Count { contacts(first: 1) { totalCount } }"


def _only_error(result) -> dict:
    assert result.data is None and len(result.errors) == 1, result.body
    return result.errors[0]


async def test_query_over_the_cost_limit_is_refused_before_it_runs(gql):
    # when a query may return billions of records (the 15-alias, five-level probe)
    result = await gql("admin", FIFTEEN_NESTED)
    # then it is refused with its cost and the limit, and nothing runs
    error = _only_error(result)
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["limit"] == 20_000
    assert error["extensions"]["cost"] > 10**10


async def test_nodes_cost_the_ids_they_name(gql):
    ids = (await gql.ok("admin", "{ accounts(first: 100) { nodes { id } } }"))["accounts"]["nodes"]
    result = await gql("admin", NODES, {"v": [n["id"] for n in ids]})
    assert _only_error(result)["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    # one alias of one id with small pages is well within the limit
    small = "query($v: [ID!]!) { nodes(ids: $v) { id } }"
    assert (await gql.ok("admin", small, {"v": [ids[0]["id"]]}))["nodes"][0]["id"] == ids[0]["id"]


async def test_cost_counts_variables_and_fragments(client_with, tokens):
    async with client_with(crm_max_query_cost=10_000) as http:
        gql = GraphQLClient(http, tokens)
        # 100 contacts with up to 100 accounts each: 100 + 100 × 100 records
        refused = _only_error(await gql("admin", BY_PAGE, {"n": 100}))
        assert refused["extensions"] == {"code": "QUERY_TOO_COMPLEX", "cost": 10_100,
                                         "limit": 10_000}
        # the same document with 50 contacts: 50 + 50 × 100 = 5,050
        assert len((await gql.ok("admin", BY_PAGE, {"n": 50}))["contacts"]["nodes"]) == 50


async def test_each_principal_has_its_own_request_rate(client_with, tokens):
    async with client_with(crm_rate_limit="3/minute") as http:
        gql = GraphQLClient(http, tokens)
        # given three requests as sales
        for _ in range(3):
            assert (await gql("sales", COUNT)).status == 200
        # when a fourth follows within the minute
        response = await http.post("/graphql", json={"query": COUNT},
                                   headers={"Authorization": f"Bearer {tokens['sales']}"})
        # then it is refused with 429 and the seconds to wait
        assert response.status_code == 429
        # (the window slides: three hits late in one minute still weigh a third in the next,
        # so the wait runs to the end of this minute and up to 20 s into the next)
        assert 1 <= int(response.headers["retry-after"]) <= 80
        assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        # and another principal is not held back
        assert (await gql("service", COUNT)).status == 200


async def test_rejected_tokens_are_limited_per_address(client_with, tokens):
    async with client_with(crm_auth_failure_limit="3/minute") as http:
        def post(token: str):
            return http.post("/graphql", json={"query": COUNT},
                             headers={"Authorization": f"Bearer {token}"})
        # given three rejected tokens from one address
        for _ in range(3):
            assert (await post("not-a-token")).status_code == 401
        # then the address is refused for a while, even with a good token
        refused = await post(tokens["admin"])
        assert refused.status_code == 429 and refused.headers["retry-after"].isdigit()
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_wrong_variable_types_get_a_code(gql):
    result = await gql("admin", "query($n: Int!) { contacts(first: $n) { totalCount } }",
                       {"n": "ten"})
    assert _only_error(result)["extensions"]["code"] == "BAD_USER_INPUT"


HINTS = [
    ("{ contactz(first: 1) { totalCount } }", None),
    ("{ contacts(frist: 1) { totalCount } }", None),
    ("{ contacts(first: 1, filter: {lastNme: {eq: \"x\"}}) { totalCount } }", None),
    ("{ contacts(first: 1, filter: {lifecycleStage: {eq: LEADD}}) { totalCount } }", None),
    ("query($s: LifecycleStage) { contacts(first: 1, filter: {lifecycleStage: {eq: $s}}) "
     "{ totalCount } }", {"s": "LEADD"}),
]


@pytest.mark.parametrize("query, variables", HINTS)
async def test_error_messages_hint_at_the_schema_only_where_introspection_is_on(
        client_with, tokens, query, variables):
    headers = {"Authorization": f"Bearer {tokens['customer']}"}
    body = {"query": query, "variables": variables}
    async with client_with(crm_introspection=False) as closed:
        hidden = (await closed.post("/graphql", json=body, headers=headers)).json()
    async with client_with(crm_introspection=True) as open_:
        shown = (await open_.post("/graphql", json=body, headers=headers)).json()
    assert "Did you mean" not in str(hidden) and hidden["errors"]
    assert "Did you mean" in str(shown)


@contextlib.asynccontextmanager
async def locked(database_url: str, table: str):
    """`table` locked by another transaction while the block runs."""
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            yield
    finally:
        await conn.close()


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "resolvers"])
async def test_a_statement_over_the_timeout_answers_TIMEOUT(client_with, tokens, compiled,
                                                             database_url):
    async with (client_with(crm_statement_timeout_ms=300, crm_compiled_reads=compiled) as http,
                locked(database_url, "contact")):
        result = await GraphQLClient(http, tokens)("admin", COUNT)
    assert result.status == 200 and result.data in (None, {"contacts": None})
    assert result.error_codes() == ["TIMEOUT"]
    assert "300 ms" in result.errors[0]["message"]


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "resolvers"])
async def test_a_write_over_the_timeout_answers_TIMEOUT_and_writes_nothing(
        client_with, tokens, gql, database_url, compiled):
    contact = (await gql.ok("admin", "{ contacts(first: 1) { nodes { id version leadScore } } }")
               )["contacts"]["nodes"][0]
    update = ("mutation($id: ID!, $v: Int!) { contactUpdate(input: {id: $id, version: $v, "
              "leadScore: 99}) { contact { leadScore } errors { code } } }")
    async with (client_with(crm_statement_timeout_ms=300, crm_compiled_writes=compiled) as http,
                locked(database_url, "contact")):
        result = await GraphQLClient(http, tokens)(
            "admin", update, {"id": contact["id"], "v": contact["version"]})
    assert result.status == 200 and result.data is None
    assert result.error_codes() == ["TIMEOUT"] and result.errors[0]["path"] == ["contactUpdate"]
    assert result.errors[0]["locations"] == [{"line": 1, "column": 32}]
    after = await gql.ok("admin", "query($id: ID!) { contact(id: $id) { version leadScore } }",
                         {"id": contact["id"]})
    assert after["contact"] == {"version": contact["version"], "leadScore": contact["leadScore"]}
