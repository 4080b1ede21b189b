"""The compiled read path answers as the resolvers do, for every role, on queries generated
from the record-type declarations (tests/api/parity.py): every field of every declared type,
its relations and theirs, every list with its pages, filters and sort keys, and the root fields
of their own (timeline, myCalendar, overdueTasks, knowledgeSearch, auditTrail, nodes).

Each query runs against two apps over one database: one answering from compiled SQL where it
can, one always through the resolvers. The bodies must be equal, errors included; and the
compiled path must have answered every query that the resolvers answer without an error, so
that no field silently takes the slow path.
"""

from __future__ import annotations

import asyncpg
import pytest

from api.schema.ids import to_global_id
from persistence.calendar import TIMELINE_TYPES
from persistence.record_types import BY_NAME
from tests.api.parity import (
    SELECTED,
    by_ids,
    declared,
    leaves,
    list_fields,
    node_types,
    record_selections,
)
from tests.demo import CUSTOMER, DEMO_PARTNER_ACCOUNT, SALES2_USER, SALES_USER, TERRITORY_DACH

ROLES = ("admin", "sales", "marketing", "service", "analyst", "partner", "other_partner",
         "customer")
SAMPLES = 3  # records of each type, by id, besides those each role lists first
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
ACCOUNT_UPDATE = """mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) {
  errors { field code message } } }"""
WORDS = ("password", "invoice refund", '"two factor" -sms', "пароль")


def timeline(access) -> str:
    return ("query($id: ID!, $after: String, $kinds: [ActivityKind!]) { timeline(recordId: $id, "
            f"first: 3, after: $after, kinds: $kinds) {{ totalCount {PAGE_INFO} edges {{ cursor "
            f"node {{ {leaves('Activity', access)} }} }} }} }}")


def calendar(access) -> str:
    return ("query($from: DateTime!, $to: DateTime!) { myCalendar(from: $from, to: $to) { "
            f"{leaves('Activity', access)} }} }}")


def overdue(access) -> str:
    return ("query($assignee: ID) { overdueTasks(assignee: $assignee, first: 5) { totalCount "
            f"edges {{ cursor node {{ {leaves('Activity', access)} }} }} }} }}")


def search(access) -> str:
    return ("query($q: String!, $language: String) { knowledgeSearch(query: $q, first: 5, "
            f"language: $language) {{ __typename rank snippet article {{ "
            f"{leaves('Article', access)} }} }} }}")


def trail(access) -> str:
    return (f"query($id: ID!) {{ auditTrail(recordId: $id, first: 5) {{ totalCount {PAGE_INFO} "
            f"edges {{ cursor node {{ {leaves('AuditEntry', access)} }} }} }} }}")




async def ask(client, token: str, query: str, variables: dict) -> tuple[int, dict]:
    response = await client.post("/graphql", json={"query": query, "variables": variables},
                                 headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


def _sorted_errors(body: dict) -> dict:
    # Sibling resolvers finish in any order, so errors are compared as a set.
    if "errors" in body:
        body = {**body, "errors": sorted(body["errors"], key=lambda e: str(e.get("path")))}
    return body


@pytest.fixture
def alike(app, http, resolver_http, tokens):
    """Ask both paths as a role; the answers must be equal. A query that selects only what
    the role may read must be answered by the compiled path unless it is an error; any other
    may be left to the resolvers when they find no value to refuse (an empty page)."""
    async def check(role: str, query: str, variables: dict | None = None, *,
                    readable: bool = True) -> dict:
        variables = variables or {}
        before = app.state.graphql.compiled.answers
        fast = await ask(http, tokens[role], query, variables)
        slow = await ask(resolver_http, tokens[role], query, variables)
        assert fast[0] == slow[0], (query, variables, slow)
        assert _sorted_errors(fast[1]) == _sorted_errors(slow[1]), (query, variables)
        compiled = app.state.graphql.compiled.answers > before
        if readable or "errors" in slow[1]:
            assert compiled == ("errors" not in slow[1]), (query, variables, slow[1])
        return slow[1]
    return check


@pytest.fixture(scope="session")
async def audited(gql, factories) -> str:
    """An account with a history: created, changed (references too), linked, noted."""
    account = await factories.account(owner=SALES_USER, territory=TERRITORY_DACH, tier="GOLD")
    await gql.ok("admin", ACCOUNT_UPDATE, {"input": {
        "id": account["id"], "version": account["version"], "owner": SALES2_USER,
        "territory": None, "website": "https://example.com/ü"}})
    contact = await factories.contact(owner=SALES2_USER)
    await factories.link(account["id"], contact["id"], jobTitle="Buyer")
    await factories.note(account["id"], "Called about the renewal.")
    return account["id"]


@pytest.fixture(scope="session")
async def sample_ids(database_url, audited) -> dict[str, list[str]]:
    """The global ids of records of each node type: the first by raw id, and the newest."""
    conn = await asyncpg.connect(database_url)
    try:
        found = {}
        for name in node_types():
            table = BY_NAME[name].table.name
            rows = await conn.fetch(
                f"(SELECT id FROM {table} ORDER BY id LIMIT {SAMPLES}) UNION "
                f"(SELECT id FROM {table} ORDER BY created_at DESC, id LIMIT {SAMPLES})")
            found[name] = sorted(to_global_id(name, row["id"]) for row in rows)
        return found
    finally:
        await conn.close()


async def _listed_ids(alike, role: str, type_name: str) -> list[str]:
    """The first records of a type that the role lists, if a list of the type exists."""
    for field in list_fields():
        if field.type_name == type_name:
            body = await alike(role, "{ %s(first: 2) { nodes { id } } }" % field.name,
                               readable=False)
            return [n["id"] for n in (body.get("data") or {}).get(field.name, {}).get("nodes", [])]
    return []


@pytest.mark.parametrize("type_name", node_types())
@pytest.mark.parametrize("role", ROLES)
async def test_every_field_and_nested_path_of_a_type_reads_alike(alike, principals, sample_ids,
                                                                  role, type_name):
    # given records of the type: the first by id, and the first the role lists
    ids = list(dict.fromkeys([*sample_ids[type_name],
                              *await _listed_ids(alike, role, type_name)]))
    access = principals[role].access()
    readable = list(record_selections(type_name, access))
    every = [s for s in record_selections(type_name, None) if s not in readable]
    # when each generated selection is asked, with only what the role may read and with all
    for selection in readable:
        # then both paths answer alike, the compiled one whenever no field is refused
        await alike(role, by_ids(type_name, selection), {"ids": ids})
    for selection in every:
        await alike(role, by_ids(type_name, selection), {"ids": ids}, readable=False)


@pytest.mark.parametrize("field", list_fields(), ids=lambda f: f.name)
@pytest.mark.parametrize("role", ROLES)
async def test_every_list_pages_filters_and_sorts_alike(alike, principals, role, field):
    access = principals[role].access()
    # given the list's first page, then the page after it, then back from there
    first = await alike(role, field.page(access), {"first": 3})
    end = ((first.get("data") or {}).get(field.name) or {}).get("pageInfo", {}).get("endCursor")
    if end:
        second = await alike(role, field.page(access), {"first": 3, "after": end})
        start = second["data"][field.name]["pageInfo"]["startCursor"]
        if field.backward and start:
            await alike(role, field.backward_page(access), {"before": start})
    await alike(role, field.page(None), {"first": 3}, readable=False)
    # and each filter and sort key, with the page after the first where one follows
    for arguments in (*field.filters(), *field.orders()):
        body = await alike(role, field.page(access, arguments), {"first": 2})
        end = ((body.get("data") or {}).get(field.name) or {}).get("pageInfo", {}).get(
            "endCursor")
        if end and "orderBy" in arguments:
            await alike(role, field.page(access, arguments), {"first": 2, "after": end})


@pytest.mark.parametrize("role", ROLES)
async def test_timelines_read_alike(alike, principals, sample_ids, role):
    query = timeline(principals[role].access())
    others = [CUSTOMER, DEMO_PARTNER_ACCOUNT, SALES_USER, "not-an-id"]
    for record in [*(i for t in TIMELINE_TYPES for i in sample_ids[t]), *others]:
        body = await alike(role, query, {"id": record})
        page = (body.get("data") or {}).get("timeline")
        if page and page["pageInfo"]["endCursor"]:
            await alike(role, query, {"id": record, "after": page["pageInfo"]["endCursor"]})
        await alike(role, query, {"id": record, "kinds": ["CALL", "EMAIL", "TASK"]})


@pytest.mark.parametrize("role", ROLES)
async def test_calendars_and_overdue_tasks_read_alike(alike, principals, role):
    access = principals[role].access()
    for start, end in (("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
                       ("2025-06-01T00:00:00Z", "2026-06-01T00:00:00Z"),
                       ("2027-01-01T00:00:00Z", "2026-01-01T00:00:00Z")):
        await alike(role, calendar(access), {"from": start, "to": end})
    for assignee in (None, SALES_USER, SALES2_USER, CUSTOMER):
        await alike(role, overdue(access), {"assignee": assignee})


@pytest.mark.parametrize("role", ROLES)
async def test_knowledge_searches_read_alike(alike, principals, role):
    query = search(principals[role].access())
    for words in WORDS:
        for language in (None, "en", "ru"):
            await alike(role, query, {"q": words, "language": language})
    await alike(role, query, {"q": ""})


@pytest.mark.parametrize("role", ROLES)
async def test_audit_trails_and_node_lists_read_alike(alike, principals, sample_ids, audited,
                                                     role):
    query = trail(principals[role].access())
    for record in (audited, *sample_ids["Account"], *sample_ids["Contact"], CUSTOMER):
        await alike(role, query, {"id": record})
    mixed = [i for ids in sample_ids.values() for i in ids[:1]]
    await alike(role, "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
                {"ids": mixed})


def test_the_generated_queries_select_every_declared_field():
    # given every selection the parity tests generate
    for type_name in node_types():
        for _ in record_selections(type_name, None):
            pass
    for field in list_fields():
        field.page(None)
    # then every declared field that a GraphQL type shows is selected by one of them
    assert sorted(declared() - SELECTED) == []
