"""The compiled read path answers exactly as the resolvers do, for every role.

Each query runs against two apps over the same database: one answering from compiled
SQL where it can, one always through the resolvers. The bodies must be identical,
errors included, and the compiled app must really have used compiled SQL where no
field was forbidden (otherwise this test would compare the resolvers with themselves).
"""

from __future__ import annotations

import pytest

from tests.demo import (
    CUSTOMER,
    DEMO_ACTIVITY,
    DEMO_DEAL,
    DEMO_LEAD,
    DEMO_ORDER,
    DEMO_PARTNER_ACCOUNT,
    DEMO_PARTNER_CONTACT,
    DEMO_PARTNER_DEAL,
    TERRITORY_DACH,
    UNREGISTERED_ACCOUNT,
)

ROLES = ("admin", "sales", "marketing", "service", "analyst", "partner", "other_partner",
         "customer")

CONTACT_360 = """query($id: ID!) { contact(id: $id) {
  __typename id version createdAt updatedAt archivedAt createdBy updatedBy
  firstName lastName lifecycleStage leadScore
  emails { address primary label __typename } phones { number primary } address { city country }
  owner { id name email role active territory { name } } territory { name parent { name } }
  consents { id channel purpose status recordedAt source }
  notes(first: 3) { totalCount edges { cursor node { id body createdAt } }
                    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
  accounts(first: 2) { totalCount edges { cursor jobTitle isDecisionMaker node { name size website } }
                       pageInfo { hasNextPage endCursor __typename } __typename }
} }"""
ACCOUNT_360 = """query($id: ID!) { account(id: $id) { name legalName industry size website
  parent { name } owner { name } territory { name }
  contacts(first: 20) { totalCount edges { jobTitle node { firstName lastName
    emails { address } phones { number } consents { channel purpose status } } } }
  notes(first: 10) { nodes { body createdAt } } } }"""
LIST = """query($t: ID, $after: String, $first: Int) {
  contacts(first: $first, after: $after, filter: {territory: {eq: $t}},
           orderBy: [{field: LAST_NAME}, {field: FIRST_NAME, direction: DESC, nulls: FIRST}]) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id firstName lastName accounts(first: 5) { nodes { name } } } } } }"""
BACKWARD = """query($before: String) { contacts(last: 7, before: $before,
  orderBy: [{field: CREATED_AT, direction: DESC}]) {
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { lastName createdAt } } }"""
FILTERED = """{ contacts(first: 50, filter: {or: [{leadScore: {gte: 90}},
  {and: [{lastName: {startsWith: "M"}}, {not: {lifecycleStage: {in: [LEAD]}}}]}]},
  orderBy: [{field: LEAD_SCORE, direction: DESC}]) { totalCount nodes { lastName leadScore } } }"""
EMPTY = """{ contacts(first: 5, filter: {lastName: {eq: "Nobody-At-All"}}) {
  totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor } } }"""
ACCOUNTS = """{ accounts(first: 30, orderBy: [{field: INDUSTRY, direction: DESC, nulls: FIRST}]) {
  totalCount nodes { name industry size } } }"""
SHAPES = """query($c: ID!, $a: ID!, $t: ID!) { __typename
  one: contact(id: $c) { ...Person } two: contact(id: $a) { id }
  thing: node(id: $a) { __typename id ... on Account { name ...Named } }
  place: node(id: $t) { ... on Territory { name children { name } } }
} fragment Person on Contact { firstName lastName ... on Record { version } }
  fragment Named on Account { legalName }"""
CUSTOMER_VIEW = """query($id: ID!) { contact(id: $id) { firstName lastName emails { address }
  phones { number } address { street city postalCode country }
  accounts(first: 5) { nodes { name contacts(first: 5) { nodes { firstName } } } }
  consents { channel purpose status } } }"""
PARTNER_VIEW = """query($a: ID!) { account(id: $a) { name contacts(first: 50) { totalCount
  edges { jobTitle node { firstName lastName emails { address } } } } }
  accounts(first: 20) { totalCount nodes { name } } contacts(first: 20) { nodes { lastName } } }"""

DEAL = """query($id: ID!) { opportunity(id: $id) { id version name amount currency closeDate
  probability stageEnteredAt closedAt closeReason source registration
  account { name } pipeline { name kind stages { name position probability kind } }
  stage { name kind pipeline { name } } owner { name } territory { name } partner { name }
  stageHistory { at actor fromStage { name } toStage { name } }
  contactRoles { role contact { lastName } } } }"""
DEALS = """query($after: String) { opportunities(first: 7, after: $after,
  filter: {or: [{amount: {gte: "20000"}}, {closeDate: {lt: "2026-06-01"}}]},
  orderBy: [{field: CLOSE_DATE, direction: DESC}, {field: NAME}]) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { name amount closeDate stage { name } } } } }"""
PARTNER_DEALS = """{ opportunities(first: 20) { totalCount nodes { name amount registration
  account { name } stage { name } } } }"""

LEAD = """query($id: ID!) { lead(id: $id) { id version firstName lastName title email phone
  company industry size country website source campaign status score lastCapturedAt
  owner { name } territory { name } captures { at form { name source active } payload }
  convertedAt convertedContact { lastName } convertedAccount { name } } }"""
LEADS = """{ leads(first: 15, orderBy: [{field: SCORE, direction: DESC}],
  filter: {status: {in: [NEW, WORKING, CONVERTED]}}) { totalCount
  edges { cursor node { lastName company score status convertedAccount { name } } } } }"""

ACTIVITY = """query($id: ID!) { activity(id: $id) { id kind at subject body direction
  durationSeconds outcome callScript { name questions { question answers } } messageId
  startsAt endsAt location attendees { user { name } contact { lastName } } dueAt priority
  status assignee { name } owner { name } contact { lastName } account { name } } }"""

ORDER = """query($id: ID!) { order(id: $id) { id number status currency orderedAt subtotal
  discountTotal total account { name } priceBook { name isStandard entries { currency unitPrice
  product { sku } } } lines { position quantity unitPrice discountPercent total
  product { sku name family active } } owner { name } } }"""

# Queries that stay within what the portals may read.
WITHIN_POLICY = {("customer", CUSTOMER_VIEW), ("partner", PARTNER_VIEW),
                 ("other_partner", PARTNER_VIEW), ("partner", PARTNER_DEALS),
                 ("other_partner", PARTNER_DEALS), ("analyst", DEALS)}
CASES = [
    (CONTACT_360, {"id": CUSTOMER}),
    (CONTACT_360, {"id": DEMO_PARTNER_CONTACT}),
    (ACCOUNT_360, {"id": DEMO_PARTNER_ACCOUNT}),
    (ACCOUNT_360, {"id": UNREGISTERED_ACCOUNT}),
    (LIST, {"t": TERRITORY_DACH, "first": 4}),
    (LIST, {"first": 50}),
    (BACKWARD, {}),
    (FILTERED, {}),
    (EMPTY, {}),
    (ACCOUNTS, {}),
    (SHAPES, {"c": CUSTOMER, "a": DEMO_PARTNER_ACCOUNT, "t": TERRITORY_DACH}),
    (CUSTOMER_VIEW, {"id": CUSTOMER}),
    (PARTNER_VIEW, {"a": DEMO_PARTNER_ACCOUNT}),
    (DEAL, {"id": DEMO_DEAL}),
    (DEAL, {"id": DEMO_PARTNER_DEAL}),
    (DEALS, {}),
    (PARTNER_DEALS, {}),
    (LEAD, {"id": DEMO_LEAD}),
    (LEADS, {}),
    (ACTIVITY, {"id": DEMO_ACTIVITY}),
    (ORDER, {"id": DEMO_ORDER}),
]


async def ask(client, token: str, query: str, variables: dict) -> tuple[int, dict]:
    response = await client.post("/graphql", json={"query": query, "variables": variables},
                                 headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


def _sorted_errors(body: dict) -> dict:
    # Sibling resolvers finish in any order, so errors are compared as a set.
    if "errors" in body:
        body = {**body, "errors": sorted(body["errors"], key=lambda e: str(e.get("path")))}
    return body


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", range(len(CASES)))
async def test_compiled_answers_equal_the_resolvers(app, http, resolver_http, tokens, role, case):
    query, variables = CASES[case]
    before = app.state.graphql.compiled.answers
    fast = await ask(http, tokens[role], query, variables)
    slow = await ask(resolver_http, tokens[role], query, variables)
    assert fast[0] == slow[0]
    assert _sorted_errors(fast[1]) == _sorted_errors(slow[1])
    used_compiled = app.state.graphql.compiled.answers > before
    if "errors" in slow[1]:
        assert not used_compiled  # errors are the resolvers' to report
    if role in ("admin", "sales") or (role, query) in WITHIN_POLICY:
        # these ask for nothing the role may not read: the compiled path must answer
        assert used_compiled


async def test_pages_walked_with_compiled_cursors_match(http, resolver_http, tokens):
    """Cursors made by SQL are accepted by the resolvers, and the reverse."""
    compiled, resolvers = http, resolver_http
    pages = []
    for client in (compiled, resolvers, compiled):
        variables = {"first": 3, "after": pages[-1]["contacts"]["pageInfo"]["endCursor"]
                     if pages else None}
        status, body = await ask(client, tokens["sales"], LIST, variables)
        assert status == 200 and "errors" not in body
        pages.append(body["data"])
    second = (await ask(resolvers, tokens["sales"], LIST, {
        "first": 3, "after": pages[0]["contacts"]["pageInfo"]["endCursor"]}))[1]["data"]
    assert second == pages[1]
    ids = [e["node"]["id"] for page in pages for e in page["contacts"]["edges"]]
    assert len(ids) == len(set(ids)) == 9


async def test_deal_pages_by_close_date_walk_alike_on_both_paths(http, resolver_http, tokens):
    """Cursors over dates made by SQL and by Python are the same cursors."""
    pages = {}
    for name, client in (("compiled", http), ("resolvers", resolver_http)):
        first = (await ask(client, tokens["admin"], DEALS, {}))[1]["data"]["opportunities"]
        after = first["pageInfo"]["endCursor"]
        pages[name] = (first, (await ask(client, tokens["admin"], DEALS, {"after": after}))[1])
    assert pages["compiled"] == pages["resolvers"]
    assert len(pages["compiled"][1]["data"]["opportunities"]["edges"]) == 7


async def test_a_failing_compiled_read_is_answered_by_the_resolvers(app, http, tokens,
                                                                     monkeypatch):
    # given the compiled statement fails at the database
    async def broken(*args):
        raise RuntimeError("connection lost")

    monkeypatch.setattr("api.compiled_reads.fetch_json", broken)
    before = app.state.graphql.compiled.answers
    # when a query it would answer arrives
    status, body = await ask(http, tokens["sales"], ACCOUNT_360, {"id": DEMO_PARTNER_ACCOUNT})
    # then the resolvers answer it in full
    assert status == 200 and "errors" not in body and body["data"]["account"]["name"]
    assert app.state.graphql.compiled.answers == before


LOOKUP = "query($id: ID!) { contact(id: $id) { id lastName } again: node(id: $id) { id } }"
SHARED = """query($id: ID!) { contact(id: $id) { id }
  contacts(first: 5, filter: {owner: {eq: $id}}) { totalCount } }"""


async def test_lookups_of_different_records_reuse_one_template_correctly(app, http, tokens):
    # given two contacts asked for with the same document, one after the other
    ids = [c["id"] for c in (await ask(http, tokens["admin"], "{ contacts(first: 2) "
                                        "{ nodes { id } } }", {}))[1]["data"]["contacts"]["nodes"]]
    answers = [await ask(http, tokens["admin"], LOOKUP, {"id": i}) for i in ids]
    # then each answer is about its own contact, in both places that look it up
    assert [a[1]["data"]["contact"]["id"] for a in answers] == ids
    assert [a[1]["data"]["again"]["id"] for a in answers] == ids


async def test_a_variable_read_elsewhere_too_is_not_templated(app, http, tokens):
    from tests.demo import SALES_USER

    # a User id is not a Contact: the lookup is null, the filter still uses the id
    first = await ask(http, tokens["admin"], SHARED, {"id": SALES_USER})
    other = await ask(http, tokens["admin"], SHARED, {
        "id": "VXNlcjowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"})
    assert first[1]["data"]["contacts"]["totalCount"] > 0
    assert other[1]["data"]["contacts"]["totalCount"] == 0


async def test_every_node_type_answers_node_alike_on_both_paths(http, resolver_http, tokens,
                                                                factories):
    """node(id) of an audit entry, a type reached by node only, is answered by both paths."""
    account = await factories.account()
    trail = """query($r: ID!) { auditTrail(recordId: $r) { nodes { id } } }"""
    entry = (await ask(http, tokens["admin"], trail, {"r": account["id"]}))[1]["data"][
        "auditTrail"]["nodes"][0]["id"]
    query = """query($id: ID!) { node(id: $id) { id ... on AuditEntry { action } } }"""
    fast = await ask(http, tokens["admin"], query, {"id": entry})
    slow = await ask(resolver_http, tokens["admin"], query, {"id": entry})
    assert fast == slow and fast[1]["data"]["node"] == {"id": entry, "action": "create"}


async def test_two_root_fields_of_one_type_keep_their_own_selections(gql, app):
    query = f"""{{ one: contact(id: "{CUSTOMER}") {{ firstName }}
                 two: contact(id: "{CUSTOMER}") {{ lastName }} }}"""
    # (other tests rename the demo customer: read the names as they are now)
    whole = (await gql.ok("admin", f'{{ contact(id: "{CUSTOMER}") {{ firstName lastName }} }}'))
    first, last = whole["contact"]["firstName"], whole["contact"]["lastName"]
    answered = app.state.graphql.compiled.answers
    assert await gql.ok("admin", query) == {"one": {"firstName": first},
                                            "two": {"lastName": last}}
    assert app.state.graphql.compiled.answers == answered + 1


async def test_fragments_on_two_types_keep_their_own_selections_of_one_field(gql, app):
    # given one document whose fragments select a contact's owner and an account's owner
    # differently, asked first of a contact and then of an account
    query = """query($id: ID!) { node(id: $id) { id
      ... on Contact { owner { name email } } ... on Account { owner { name } } } }"""
    answered = app.state.graphql.compiled.answers
    contact = (await gql.ok("admin", query, {"id": DEMO_PARTNER_CONTACT}))["node"]
    account = (await gql.ok("admin", query, {"id": UNREGISTERED_ACCOUNT}))["node"]
    # then each answer has the keys of its own fragment, from the compiled path
    assert set(contact["owner"]) == {"name", "email"}
    assert set(account["owner"]) == {"name"}
    assert app.state.graphql.compiled.answers == answered + 2
