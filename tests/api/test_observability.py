"""What operators see: request ids, and metrics in Prometheus' text format."""

from __future__ import annotations

import re

import pytest
from prometheus_client.parser import text_string_to_metric_families

COUNT = "query CountContacts { contacts(first: 1) { totalCount } }"


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def test_request_id_is_echoed_or_made(http, tokens):
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    given = await http.post("/graphql", json={"query": COUNT},
                            headers={**headers, "X-Request-ID": "checkout-42"})
    assert given.headers["x-request-id"] == "checkout-42"
    made = await http.post("/graphql", json={"query": COUNT}, headers=headers)
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    # an id that could forge log lines or headers is replaced, not echoed
    odd = await http.post("/graphql", json={"query": COUNT},
                          headers={**headers, "X-Request-ID": "a b\tc" + "x" * 200})
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["x-request-id"])
    assert (await http.get("/healthz")).headers["x-request-id"]


async def test_metrics_count_requests_outcomes_compiled_reads_and_refusals(client_with, tokens):
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    async with client_with(crm_rate_limit="2/minute", crm_max_query_cost=10) as http:
        # given a query answered by one compiled statement, one refused for its cost,
        # and one refused by the rate limit
        assert (await http.post("/graphql", json={"query": COUNT}, headers=headers)
                ).status_code == 200
        big = "query Big { contacts(first: 11) { nodes { id } } }"
        assert (await http.post("/graphql", json={"query": big}, headers=headers)
                ).json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert (await http.post("/graphql", json={"query": COUNT}, headers=headers)
                ).status_code == 429
        # when Prometheus scrapes
        scrape = await http.get("/metrics")
    # then each is counted
    assert scrape.status_code == 200 and scrape.headers["content-type"].startswith("text/plain")
    seen = samples(scrape.text)
    total = "crm_graphql_requests_total"
    assert seen[(total, (("operation", "CountContacts"), ("outcome", "ok")))] == 1
    assert seen[(total, (("operation", "Big"), ("outcome", "too_complex")))] == 1
    assert seen[(total, (("operation", "anonymous"), ("outcome", "rate_limited")))] == 1
    assert seen[("crm_graphql_request_duration_seconds_count",
                 (("operation", "CountContacts"),))] == 1
    assert seen[("crm_compiled_reads_total", (("result", "hit"),))] == 1
    assert seen[("crm_refusals_total", (("reason", "query_cost"),))] == 1
    assert seen[("crm_refusals_total", (("reason", "rate_limit"),))] == 1
    assert seen[("crm_db_pool_size", ())] >= 1
    assert ("crm_db_pool_connections", (("state", "in_use"),)) in seen


async def test_operation_names_are_bounded_labels(client_with, tokens):
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    async with client_with() as http:
        odd = "query Ünïcode { me { role } }"  # not a GraphQL name: a syntax error, never a label
        await http.post("/graphql", json={"query": odd}, headers=headers)
        scrape = (await http.get("/metrics")).text
    assert "Ünïcode" not in scrape


@pytest.mark.parametrize("token, presented, status", [
    (None, None, 404),  # prod without a metrics token: not served at all
    ("s3cret-metrics", None, 401),
    ("s3cret-metrics", "wrong", 401),
    ("s3cret-metrics", "s3cret-metrics", 200),
])
async def test_metrics_in_prod_need_the_metrics_token(client_with, configured_key, token,
                                                      presented, status):
    headers = {"Authorization": f"Bearer {presented}"} if presented else {}
    async with client_with(crm_env="prod", crm_metrics_token=token,
                           crm_jwt_private_key=configured_key) as http:
        assert (await http.get("/metrics", headers=headers)).status_code == status
