"""The cost of a query: the most records it can return, from its document alone."""

from __future__ import annotations

import pytest
from graphql import get_operation_ast, parse

from api.query_cost import CostCache, query_cost
from api.schema import schema
from api.schema.adapter import graphql_schema


def cost(query: str, variables: dict | None = None) -> int:
    document = parse(query)
    return query_cost(graphql_schema(schema), document, get_operation_ast(document), variables)


@pytest.mark.parametrize("query, expected", [
    # scalars and objects without an id are free
    ("{ me { role } }", 0),
    ("{ contacts(first: 5) { totalCount pageInfo { hasNextPage } } }", 0),
    # a record by id, and a page of records, by edges or by nodes
    ("query($id: ID!) { contact(id: $id) { firstName } }", 1),
    ("{ contacts(first: 50) { nodes { firstName } } }", 50),
    ("{ contacts(last: 30) { edges { cursor node { firstName } } } }", 30),
    # no first or last: the default page of 20
    ("{ contacts { nodes { id } } }", 20),
    # nested pages multiply; a plain list of records counts 20; values (emails) are free
    ("{ contacts(first: 10) { nodes { accounts(first: 3) { nodes { name } } } } }", 10 + 30),
    ("{ contacts(first: 10) { nodes { emails { address } consents { status } } } }", 10 + 200),
    # aliases add up
    ("{ a: contacts(first: 10) { nodes { id } } b: accounts(first: 7) { nodes { id } } }", 17),
    # an inline fragment and a named one are counted where they are spread
    ("query($id: ID!) { node(id: $id) { ... on Account { contacts(first: 4) { ...C } } } } "
     "fragment C on ContactConnection { nodes { id } }", 1 + 4),
])
def test_cost_is_the_most_records_a_query_can_return(query, expected):
    assert cost(query) == expected


def test_page_sizes_and_ids_come_from_the_variables():
    query = ("query($n: Int, $ids: [ID!]!) { contacts(first: $n) { nodes { id } } "
             "nodes(ids: $ids) { id } }")
    assert cost(query, {"n": 40, "ids": ["a", "b", "c"]}) == 43
    assert cost(query, {"ids": []}) == 20  # a missing size is the default page


def test_the_five_level_probe_costs_billions():
    probe = ("{ accounts(first: 100) { nodes { contacts(first: 100) { nodes { notes(first: 100) "
             "{ nodes { body } } accounts(first: 100) { nodes { contacts(first: 100) { nodes { "
             "notes { nodes { body } } } } } } } } } } }")
    assert cost(probe) == 100 + 100**2 + 100**3 + 100**3 + 100**4 + 100**4 * 20


def test_cache_keys_a_cost_by_the_variables_that_size_lists():
    cache = CostCache(graphql_schema(schema))
    query = ("query($n: Int, $name: String) { contacts(first: $n, filter: {lastName: "
             "{eq: $name}}) { nodes { id } } }")
    document = parse(query)
    operation = get_operation_ast(document)
    assert cache.cost(query, document, operation, {"n": 30, "name": "a"}) == 30
    assert cache.cost(query, document, operation, {"n": 30, "name": "b"}) == 30
    assert cache.cost(query, document, operation, {"n": 70, "name": "a"}) == 70
    assert len(cache._costs) == 2  # the name filters; it sizes nothing
