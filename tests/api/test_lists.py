"""Connections: keyset paging forward and backward, ordering with nulls, and filters,
checked against the same data filtered and sorted in Python."""

from __future__ import annotations

import pytest

from tests.demo import TERRITORY_DACH

FIELDS = "id firstName lastName leadScore lifecycleStage territory { id } emails { address }"
PAGE = """query($first: Int, $after: String, $last: Int, $before: String,
               $filter: ContactFilter, $order: [ContactOrder!]) {
  contacts(first: $first, after: $after, last: $last, before: $before, filter: $filter,
           orderBy: $order) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { %s }
  }
}""" % FIELDS


async def all_contacts(gql, role="admin", **variables) -> list[dict]:
    """Every contact, page by page."""
    rows, after = [], None
    while True:
        data = (await gql.ok(role, PAGE, {"first": 100, "after": after, **variables}))["contacts"]
        rows += data["nodes"]
        if not data["pageInfo"]["hasNextPage"]:
            return rows
        after = data["pageInfo"]["endCursor"]


async def test_forward_pages_visit_every_contact_once(gql):
    everyone = await all_contacts(gql)
    seen, after, pages = [], None, 0
    order = [{"field": "LAST_NAME"}, {"field": "FIRST_NAME", "direction": "DESC"}]
    while True:
        data = (await gql.ok("admin", PAGE, {"first": 7, "after": after, "order": order}))["contacts"]
        seen += data["nodes"]
        pages += 1
        assert data["totalCount"] == len(everyone)
        assert data["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert len(seen) == len(everyone) == len({c["id"] for c in seen})
    keys = [(c["lastName"], c["firstName"]) for c in seen]
    # Descending, a missing first name comes first (the API's default for DESC).
    assert keys == sorted(keys, key=lambda k: (k[0], NULL_FIRST if k[1] is None else _desc(k[1])))
    assert pages == -(-len(everyone) // 7)


NULL_FIRST = (float("-inf"),)


def _desc(text: str) -> tuple:
    return tuple(-ord(ch) for ch in text) + (1,)


async def test_backward_pages_mirror_forward_pages(gql):
    order = [{"field": "LEAD_SCORE", "direction": "DESC"}]
    forward = (await gql.ok("admin", PAGE, {"first": 30, "order": order}))["contacts"]["nodes"]
    # walking back from the 31st item, 10 at a time, gives the first 30 in the same order
    cursor_page = await gql.ok("admin", PAGE, {"first": 31, "order": order})
    before = cursor_page["contacts"]["pageInfo"]["endCursor"]
    backward = []
    while True:
        data = (await gql.ok("admin", PAGE, {"last": 10, "before": before, "order": order}))["contacts"]
        backward = data["nodes"] + backward
        if not data["pageInfo"]["hasPreviousPage"]:
            break
        before = data["pageInfo"]["startCursor"]
    assert [c["id"] for c in backward] == [c["id"] for c in forward]


ACCOUNTS = """query($first: Int, $after: String, $order: [AccountOrder!], $filter: AccountFilter) {
  accounts(first: $first, after: $after, orderBy: $order, filter: $filter) {
    pageInfo { hasNextPage endCursor } nodes { id industry } } }"""


@pytest.mark.parametrize("nulls", ["FIRST", "LAST"])
async def test_ordering_places_nulls_where_asked_across_pages(gql, factories, nulls):
    # given accounts without an industry among accounts with one
    for _ in range(3):
        await factories.account(name=f"Nulls {nulls}", allowDuplicate=True)
    order = [{"field": "INDUSTRY", "nulls": nulls}]
    seen, after = [], None
    while True:
        data = (await gql.ok("admin", ACCOUNTS, {"first": 4, "after": after, "order": order}))
        seen += data["accounts"]["nodes"]
        if not data["accounts"]["pageInfo"]["hasNextPage"]:
            break
        after = data["accounts"]["pageInfo"]["endCursor"]
    industries = [a["industry"] for a in seen]
    nones = [i for i, v in enumerate(industries) if v is None]
    assert len(nones) >= 3
    expected = list(range(len(nones))) if nulls == "FIRST" else list(
        range(len(industries) - len(nones), len(industries)))
    assert nones == expected
    named = [v for v in industries if v is not None]
    assert named == sorted(named)


FILTERS = [
    ({"lastName": {"startsWith": "Mc"}}, lambda c: c["lastName"].startswith("Mc")),
    ({"lastName": {"ilike": "%son%"}}, lambda c: "son" in c["lastName"].lower()),
    ({"leadScore": {"gte": 50, "lt": 80}}, lambda c: 50 <= c["leadScore"] < 80),
    ({"lifecycleStage": {"in": ["CUSTOMER", "CHURNED"]}},
     lambda c: c["lifecycleStage"] in ("CUSTOMER", "CHURNED")),
    ({"territory": {"eq": TERRITORY_DACH}},
     lambda c: (c["territory"] or {}).get("id") == TERRITORY_DACH),
    ({"or": [{"leadScore": {"lt": 10}}, {"leadScore": {"gt": 90}}]},
     lambda c: c["leadScore"] < 10 or c["leadScore"] > 90),
    ({"and": [{"leadScore": {"gt": 20}}, {"not": {"lifecycleStage": {"eq": "LEAD"}}}]},
     lambda c: c["leadScore"] > 20 and c["lifecycleStage"] != "LEAD"),
    ({"firstName": {"isNull": True}}, lambda c: c["firstName"] is None),
    ({"email": {"startsWith": "o"}},
     lambda c: bool(c["emails"]) and c["emails"][0]["address"].lower().startswith("o")),
    ({"lastName": {"neq": "Smith"}, "leadScore": {"neq": 50}},
     lambda c: c["lastName"] != "Smith" and c["leadScore"] != 50),
]


@pytest.mark.parametrize("condition, predicate", FILTERS)
async def test_filter_returns_exactly_the_matching_contacts(gql, condition, predicate):
    everyone = await all_contacts(gql)
    expected = {c["id"] for c in everyone if predicate(c)}
    found = await all_contacts(gql, filter=condition)
    assert {c["id"] for c in found} == expected


async def test_filter_in_with_an_empty_list_matches_nothing(gql):
    data = await gql.ok("admin", PAGE, {"first": 5, "filter": {"lastName": {"in": []}}})
    assert data["contacts"]["totalCount"] == 0 and data["contacts"]["nodes"] == []


async def test_filter_on_an_id_of_the_wrong_type_is_invalid(gql):
    result = await gql("admin", PAGE, {"first": 5, "filter": {"territory": {
        "eq": "Q29udGFjdDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"}}})
    assert result.errors[0]["extensions"]["code"] == "NOT_FOUND"


async def test_nested_connection_pages_per_parent(gql, factories):
    # given an account with five people
    account = await factories.account()
    people = [await factories.contact(lastName=f"Nested{i}") for i in range(5)]
    for person in people:
        await factories.link(account["id"], person["id"], jobTitle="Engineer")
    query = """query($id: ID!, $after: String) { account(id: $id) { contacts(first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { jobTitle node { lastName } } } } }"""
    # when its contacts are paged two at a time
    names, after = [], None
    while True:
        page = (await gql.ok("admin", query, {"id": account["id"], "after": after}))
        contacts = page["account"]["contacts"]
        assert contacts["totalCount"] == 5
        names += [e["node"]["lastName"] for e in contacts["edges"]]
        if not contacts["pageInfo"]["hasNextPage"]:
            break
        after = contacts["pageInfo"]["endCursor"]
    # then all five come, in last-name order, each once
    assert names == [f"Nested{i}" for i in range(5)]


@pytest.mark.parametrize("query", [
    '{ accounts(first: 1) { nodes { contacts(after: "\\u000e|J") { totalCount } } } }',
    '{ contacts(first: 1) { nodes { accounts(after: "\\u000e|J") { totalCount } } } }',
    '{ accounts(first: 1) { nodes { notes(after: "\\u000e|J") { totalCount } } } }',
])
async def test_a_forged_cursor_in_a_nested_connection_is_a_coded_error(gql, query):
    result = await gql("admin", query)
    assert result.error_codes() == ["INVALID"], result.body
