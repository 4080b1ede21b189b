"""Custom fields: admins define them per kind of record, values are checked like built-in
fields, read and filtered under the policy group each joins, and never lost on a change."""

from __future__ import annotations

import pytest

from tests.api.custom_setup import DEFINE, RETIRE, define, required_fields_retired, unique

__all__ = ["required_fields_retired"]  # retires the required fields a test leaves

REDEFINE = """mutation($input: CustomFieldUpdateInput!) { customFieldUpdate(input: $input) {
  customField { type options version } misfits { record value problem } misfitCount
  errors { field code message } } }"""
SET = """mutation($input: CustomValuesInput!) { customValuesSet(input: $input) {
  record { id ... on Contact { version customFields { name label type value } } }
  errors { field code message } } }"""
READ = """query($id: ID!) { contact(id: $id) { version customFields { name type value } } }"""
FIND = """query($filter: ContactFilter) { contacts(first: 100, filter: $filter) {
  nodes { id } } }"""
TRAIL = """query($id: ID!) { auditTrail(recordId: $id, first: 1) {
  nodes { action changes { field before after } } } }"""


async def put(gql, record: str, version: int, role="admin", **values) -> dict:
    data = await gql.ok(role, SET, {"input": {"record": record, "version": version, "values": [
        {"name": k, "value": v} for k, v in values.items()]}})
    return data["customValuesSet"]


async def fresh_contact(factories) -> str:
    return (await factories.contact(lastName=unique("Custom")))["id"]


async def test_custom_values_are_checked_stored_and_read_in_the_order_defined(gql, resolver_gql,
                                                                           factories):
    tier, seats = unique("tier"), unique("seats")
    await define(gql, name=tier, type="SINGLE_SELECT", options=["Gold", "Silver"])
    await define(gql, name=seats, type="NUMBER", minimum="1")
    contact = await fresh_contact(factories)
    done = await put(gql, contact, 1, **{tier: "Gold", seats: 25})
    assert done["errors"] == []
    shown = {v["name"]: (v["type"], v["value"]) for v in done["record"]["customFields"]}
    assert shown == {tier: ("SINGLE_SELECT", "Gold"), seats: ("NUMBER", 25)}
    assert done["record"]["version"] == 2
    for role in ("admin", "analyst"):  # the compiled path and the resolvers agree
        assert await gql.ok(role, READ, {"id": contact}) == await resolver_gql.ok(
            role, READ, {"id": contact})
    trail = (await gql.ok("admin", TRAIL, {"id": contact}))["auditTrail"]["nodes"][0]
    assert trail["changes"] == [{"field": "customFields", "before": {seats: None, tier: None},
                                 "after": {seats: 25, tier: "Gold"}}]


@pytest.mark.parametrize("type_, extra, value, code", [
    ("NUMBER", {}, "many", "INVALID"),
    ("NUMBER", {"maximum": "10"}, 11, "INVALID"),
    ("DECIMAL", {}, "12,5", "INVALID"),
    ("DATE", {}, "31.12.2026", "INVALID"),
    ("BOOLEAN", {}, "yes", "INVALID"),
    ("SINGLE_SELECT", {"options": ["A"]}, "B", "INVALID"),
    ("MULTI_SELECT", {"options": ["A", "B"]}, ["A", "A"], "INVALID"),
    ("URL", {}, "ftp://example.com", "INVALID"),
    ("EMAIL", {}, "not-an-email", "INVALID"),
    ("PHONE", {}, "12", "INVALID"),
    ("TEXT", {"maxLength": 3}, "four", "INVALID"),
    ("TEXT", {"required": True}, None, "REQUIRED"),
])
async def test_custom_values_that_do_not_fit_are_refused_at_their_path(gql, factories, type_,
                                                                       extra, value, code):
    name = unique("field")
    contact = await fresh_contact(factories)  # made before a required field would stop it
    await define(gql, name=name, type=type_, **extra)
    done = await put(gql, contact, 1, **{name: value})
    assert [(e["field"], e["code"]) for e in done["errors"]] == [(f"customFields.{name}", code)]


async def test_custom_values_are_normalised_like_built_in_fields(gql, factories):
    amount, phone, email, day, picks = (unique(s) for s in ("amount", "phone", "email", "day",
                                                            "picks"))
    for name, type_, extra in ((amount, "DECIMAL", {}), (phone, "PHONE", {}),
                               (email, "EMAIL", {}), (day, "DATE", {}),
                               (picks, "MULTI_SELECT", {"options": ["x", "y", "z"]})):
        await define(gql, name=name, type=type_, **extra)
    done = await put(gql, await fresh_contact(factories), 1, **{
        amount: "12.50", phone: "+49 30 1234567", email: "Ada@Example.ORG", day: "2026-12-01",
        picks: ["z", "x"]})
    values = {v["name"]: v["value"] for v in done["record"]["customFields"]}
    assert values == {amount: "12.5", phone: "+49301234567", email: "Ada@example.org",
                      day: "2026-12-01", picks: ["x", "z"]}


async def test_contacts_filter_on_custom_values(gql, factories):
    level, since = unique("level"), unique("since")
    await define(gql, name=level, type="DECIMAL")
    await define(gql, name=since, type="DATE")
    low, high = await fresh_contact(factories), await fresh_contact(factories)
    await put(gql, low, 1, **{level: "9.5", since: "2020-01-01"})
    await put(gql, high, 1, **{level: "10.25", since: "2024-06-30"})

    async def found(*conditions) -> set[str]:
        data = await gql.ok("sales", FIND, {"filter": {"customFields": list(conditions)}})
        return {n["id"] for n in data["contacts"]["nodes"]}

    assert await found({"name": level, "gt": "10"}) == {high}  # as numbers, not as text
    assert await found({"name": level, "eq": 9.50}) == {low}
    assert await found({"name": since, "lt": "2022-01-01"}) == {low}
    assert await found({"name": level, "isNull": False}, {"name": since, "gte": "2024-01-01"}
                       ) == {high}
    assert await found({"name": "neverDefined", "isNull": True}) == set()


async def test_a_custom_field_follows_the_policy_of_the_group_it_joined(gql):
    # given a field in Contact.sales: admin and sales write it, marketing, service and
    # analysts read it, partners and customers know nothing of it
    from tests.demo import CUSTOMER

    score = unique("score")
    await define(gql, name=score, type="NUMBER", group="sales")
    version = (await gql.ok("admin", READ, {"id": CUSTOMER}))["contact"]["version"]
    assert (await put(gql, CUSTOMER, version, **{score: 7}))["errors"] == []
    for role in ("marketing", "analyst"):
        shown = (await gql.ok(role, READ, {"id": CUSTOMER}))["contact"]["customFields"]
        assert {"name": score, "type": "NUMBER", "value": 7} in shown
    refused = await put(gql, CUSTOMER, version + 1, role="service", **{score: 8})
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        (f"customFields.{score}", "FORBIDDEN")]
    # the customer writes its own contact, but reads neither its sales group nor the custom
    # group that holds the values
    own = await gql("customer", READ, {"id": CUSTOMER})
    assert own.data["contact"]["customFields"] is None
    assert own.error_codes() == ["FORBIDDEN"]
    unknown = await put(gql, CUSTOMER, version + 1, role="customer", **{score: 8})
    assert [(e["field"], e["code"]) for e in unknown["errors"]] == [
        (f"customFields.{score}", "NOT_FOUND")]
    visible = await gql.ok("analyst", FIND, {"filter": {"customFields": [
        {"name": score, "eq": 7}]}})
    assert visible["contacts"]["nodes"] == [{"id": CUSTOMER}]


async def test_a_filter_on_a_field_in_a_group_the_caller_may_not_read_matches_nothing(gql):
    from tests.demo import DEMO_PARTNER_CONTACT

    secret = unique("secret")
    await define(gql, name=secret, type="TEXT", group="notes")
    version = (await gql.ok("admin", READ, {"id": DEMO_PARTNER_CONTACT}))["contact"]["version"]
    assert (await put(gql, DEMO_PARTNER_CONTACT, version, **{secret: "x"}))["errors"] == []
    # marketing reads Contact.custom, but not Contact.notes
    hidden = await gql.ok("marketing", FIND, {"filter": {"customFields": [
        {"name": secret, "eq": "x"}]}})
    assert hidden["contacts"]["nodes"] == []
    shown = await gql.ok("marketing", READ, {"id": DEMO_PARTNER_CONTACT})
    assert secret not in [v["name"] for v in shown["contact"]["customFields"]]
    found = await gql.ok("service", FIND, {"filter": {"customFields": [
        {"name": secret, "eq": "x"}]}})
    assert found["contacts"]["nodes"] == [{"id": DEMO_PARTNER_CONTACT}]


@pytest.mark.parametrize("role", ["sales", "marketing", "service", "analyst", "partner",
                                  "customer"])
async def test_only_admins_define_custom_fields(gql, role):
    data = await gql.ok(role, DEFINE, {"input": {"kind": "CONTACT", "name": unique("mine"),
                                                 "label": "Mine", "type": "TEXT"}})
    assert [e["code"] for e in data["customFieldCreate"]["errors"]] == ["FORBIDDEN"]


async def test_a_definition_refuses_a_bad_name_a_taken_name_and_an_unknown_group(gql):
    name = unique("region")
    await define(gql, name=name, type="TEXT")
    for values, error in (({"name": "Bad Name", "type": "TEXT"}, ("name", "INVALID")),
                          ({"name": name, "type": "TEXT"}, ("name", "CONFLICT")),
                          ({"name": unique("x"), "type": "TEXT", "group": "nope"},
                           ("group", "INVALID")),
                          ({"name": unique("x"), "type": "SINGLE_SELECT"},
                           ("options", "REQUIRED"))):
        data = await gql.ok("admin", DEFINE, {"input": {"kind": "CONTACT", "label": "L",
                                                        **values}})
        assert [(e["field"], e["code"]) for e in data["customFieldCreate"]["errors"]] == [error]


async def test_changing_a_definition_keeps_every_value_and_reports_misfits(gql, factories):
    size = unique("size")
    field = await define(gql, name=size, type="SINGLE_SELECT", options=["S", "M", "L"])
    small, large = await fresh_contact(factories), await fresh_contact(factories)
    await put(gql, small, 1, **{size: "S"})
    await put(gql, large, 1, **{size: "L"})
    changed = (await gql.ok("admin", REDEFINE, {"input": {
        "id": field["id"], "version": 1, "options": ["M", "L", "XL"], "required": True}}))
    payload = changed["customFieldUpdate"]
    assert payload["errors"] == [] and payload["customField"]["options"] == ["M", "L", "XL"]
    misfits = {m["record"]: (m["value"], m["problem"]) for m in payload["misfits"]}
    assert misfits[small][0] == "S"
    assert large not in misfits
    assert payload["misfitCount"] == len(payload["misfits"])
    # the misfit is kept and still shown, as it was stored
    kept = await gql.ok("admin", READ, {"id": small})
    assert {v["name"]: v["value"] for v in kept["contact"]["customFields"]}[size] == "S"
    stale = await gql.ok("admin", REDEFINE, {"input": {"id": field["id"], "version": 1,
                                                       "label": "Late"}})
    assert [e["code"] for e in stale["customFieldUpdate"]["errors"]] == ["STALE_VERSION"]


async def test_retiring_a_field_hides_its_values_and_keeps_its_name(gql, factories):
    old = unique("legacy")
    field = await define(gql, name=old, type="TEXT")
    contact = await fresh_contact(factories)
    await put(gql, contact, 1, **{old: "kept"})
    retired = await gql.ok("admin", RETIRE, {"input": {"id": field["id"], "version": 1}})
    assert retired["customFieldArchive"]["errors"] == []
    assert (await gql.ok("admin", READ, {"id": contact}))["contact"]["customFields"] == []
    again = await gql.ok("admin", DEFINE, {"input": {"kind": "CONTACT", "name": old,
                                                     "label": "L", "type": "NUMBER"}})
    assert [e["code"] for e in again["customFieldCreate"]["errors"]] == ["CONFLICT"]


async def test_custom_values_set_refuses_a_stale_version_and_an_unknown_field(gql, factories):
    note = unique("note")
    await define(gql, name=note, type="TEXT")
    contact = await fresh_contact(factories)
    stale = await put(gql, contact, 7, **{note: "x"})
    assert [e["code"] for e in stale["errors"]] == ["STALE_VERSION"]
    unknown = await put(gql, contact, 1, nothingHere="x")
    assert [(e["field"], e["code"]) for e in unknown["errors"]] == [
        ("customFields.nothingHere", "NOT_FOUND")]


@pytest.mark.parametrize("kind, listing", [
    ("ACCOUNT", "accounts"), ("OPPORTUNITY", "opportunities"), ("LEAD", "leads"),
    ("CASE", "cases")])
async def test_every_extensible_kind_takes_custom_values(gql, kind, listing):
    name = unique("extra")
    await define(gql, kind=kind, name=name, type="BOOLEAN")
    node = (await gql.ok("admin", f"{{ {listing}(first: 1) {{ nodes {{ id version }} }} }}")
            )[listing]["nodes"][0]
    done = await put(gql, node["id"], node["version"], **{name: True})
    assert done["errors"] == []
    typename = {"ACCOUNT": "Account", "OPPORTUNITY": "Opportunity", "LEAD": "Lead",
                "CASE": "Case"}[kind]
    read = await gql.ok("admin", f"""query($id: ID!) {{ node(id: $id) {{
      ... on {typename} {{ customFields {{ name value }} }} }} }}""", {"id": node["id"]})
    assert {"name": name, "value": True} in read["node"]["customFields"]


SORTED = """query($order: [ContactOrder!], $filter: ContactFilter, $after: String) {
  contacts(first: 2, orderBy: $order, filter: $filter, after: $after) {
    nodes { id } pageInfo { endCursor hasNextPage } } }"""


async def test_contacts_sort_by_a_custom_value_and_page_alike_on_both_paths(gql, resolver_gql,
                                                                          factories):
    rank, tag = unique("rank"), unique("batch")
    await define(gql, name=rank, type="DECIMAL")
    await define(gql, name=tag, type="TEXT")
    ids = []
    for value in ("10.5", "9", "100", None):
        contact = await fresh_contact(factories)
        values = {tag: "sorted"} | ({rank: value} if value is not None else {})
        await put(gql, contact, 1, **values)
        ids.append(contact)
    order = [{"field": "CUSTOM_FIELDS", "customField": rank, "direction": "DESC"}]
    variables = {"order": order, "filter": {"customFields": [{"name": tag, "eq": "sorted"}]}}
    for client in (gql, resolver_gql):
        first = (await client.ok("analyst", SORTED, variables))["contacts"]
        rest = (await client.ok("analyst", SORTED, {
            **variables, "after": first["pageInfo"]["endCursor"]}))["contacts"]
        # as numbers, descending, the contact without a value first (nulls first descending)
        assert [n["id"] for n in first["nodes"] + rest["nodes"]] == [
            ids[3], ids[2], ids[0], ids[1]]
    compiled = (await gql.ok("analyst", SORTED, variables))["contacts"]["pageInfo"]
    resolved = (await resolver_gql.ok("analyst", SORTED, variables))["contacts"]["pageInfo"]
    assert compiled == resolved


async def test_sorting_by_a_custom_field_needs_its_name_and_only_with_custom_fields(gql):
    missing = await gql("admin", SORTED, {"order": [{"field": "CUSTOM_FIELDS"}]})
    assert missing.error_codes() == ["INVALID"]
    bogus = await gql("admin", SORTED, {"order": [{"field": "CUSTOM_FIELDS",
                                                   "customField": "x'; --"}]})
    assert bogus.error_codes() == ["INVALID"]
    stray = await gql("admin", SORTED, {"order": [{"field": "LAST_NAME", "customField": "x"}]})
    assert stray.error_codes() == ["INVALID"]


async def test_sorting_by_a_custom_field_the_caller_may_not_read_orders_nothing(gql, factories):
    secret, batch = unique("secret"), unique("batch")
    await define(gql, name=secret, type="NUMBER", group="notes")  # marketing reads no notes
    await define(gql, name=batch, type="TEXT")
    for value in (1, 2, 3):
        await put(gql, await fresh_contact(factories), 1, **{secret: value, batch: "b"})

    async def ordered(role: str, direction: str) -> list[str]:
        data = await gql.ok(role, FIND_SORTED, {
            "order": [{"field": "CUSTOM_FIELDS", "customField": secret, "direction": direction}],
            "filter": {"customFields": [{"name": batch, "eq": "b"}]}})
        return [n["id"] for n in data["contacts"]["nodes"]]

    assert await ordered("admin", "ASC") == list(reversed(await ordered("admin", "DESC")))
    assert await ordered("marketing", "ASC") == await ordered("marketing", "DESC")


FIND_SORTED = """query($order: [ContactOrder!], $filter: ContactFilter) {
  contacts(first: 10, orderBy: $order, filter: $filter) { nodes { id } } }"""
