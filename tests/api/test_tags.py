"""Tags: each kind of record has its own vocabulary, which admins and marketing keep."""

from __future__ import annotations

import itertools

import pytest

_n = itertools.count(1)
CREATE = """mutation($input: TagCreateInput!) { tagCreate(input: $input) {
  tag { id kind name colour version } errors { field code message } } }"""
RENAME = """mutation($input: TagRenameInput!) { tagRename(input: $input) {
  tag { name colour version } errors { field code } } }"""
ARCHIVE = """mutation($input: ArchiveInput!) { tagArchive(input: $input) {
  tag { id } errors { field code } } }"""
LIST = """query($filter: TagFilter) { tags(filter: $filter, first: 100, orderBy: [{field: NAME}]) {
  nodes { name kind } } }"""


def unique(name: str) -> str:
    return f"{name} {next(_n)}"


async def create(gql, kind: str, name: str, role: str = "admin", **more) -> dict:
    data = await gql.ok(role, CREATE, {"input": {"kind": kind, "name": name, **more}})
    assert data["tagCreate"]["errors"] == []
    return data["tagCreate"]["tag"]


async def test_tag_create_gives_a_tag_grey_unless_coloured(gql):
    vip = await create(gql, "CONTACT", unique("VIP"))
    assert (vip["kind"], vip["colour"], vip["version"]) == ("CONTACT", "#9E9E9E", 1)
    red = await create(gql, "CASE", unique("Hot"), colour="#ff0000")
    assert red["colour"] == "#FF0000"


async def test_tag_create_refuses_a_name_taken_in_its_kind_whatever_the_case(gql):
    name = unique("Renewal risk")
    await create(gql, "ACCOUNT", name)
    twin = await gql.ok("admin", CREATE, {"input": {"kind": "ACCOUNT", "name": name.upper()}})
    assert [(e["field"], e["code"]) for e in twin["tagCreate"]["errors"]] == [("name", "CONFLICT")]
    other_kind = await create(gql, "LEAD", name)
    assert other_kind["kind"] == "LEAD"


@pytest.mark.parametrize("values, errors", [
    ({"name": " "}, [("name", "REQUIRED")]),
    ({"name": "x" * 51}, [("name", "INVALID")]),
    ({"name": "Blue", "colour": "blue"}, [("colour", "INVALID")]),
])
async def test_tag_create_validates_its_input(gql, values, errors):
    data = await gql.ok("admin", CREATE, {"input": {"kind": "CONTACT", **values}})
    assert [(e["field"], e["code"]) for e in data["tagCreate"]["errors"]] == errors


@pytest.mark.parametrize("role", ["admin", "marketing"])
async def test_tag_create_is_for_admin_and_marketing(gql, role):
    tag = await create(gql, "OPPORTUNITY", unique("Strategic"), role=role)
    assert tag["name"].startswith("Strategic")


@pytest.mark.parametrize("role", ["sales", "service", "analyst"])
async def test_tag_create_is_refused_to_other_staff(gql, role):
    data = await gql.ok(role, CREATE, {"input": {"kind": "CONTACT", "name": unique("Mine")}})
    assert [e["code"] for e in data["tagCreate"]["errors"]] == ["FORBIDDEN"]


@pytest.mark.parametrize("role", ["partner", "customer"])
async def test_tags_are_unknown_to_partners_and_customers(gql, role):
    await create(gql, "CONTACT", unique("Internal"))
    answer = await gql(role, LIST)
    assert answer.error_codes() == ["FORBIDDEN"]
    refused = await gql.ok(role, CREATE, {"input": {"kind": "CONTACT", "name": unique("X")}})
    assert [e["code"] for e in refused["tagCreate"]["errors"]] == ["FORBIDDEN"]


async def test_tag_rename_keeps_the_kind_and_refuses_a_stale_version(gql):
    tag = await create(gql, "CONTACT", unique("Newsletter"))
    renamed = await gql.ok("marketing", RENAME, {"input": {
        "id": tag["id"], "version": 1, "name": "Newsletter (weekly)", "colour": "#00aa00"}})
    assert renamed["tagRename"]["tag"] == {
        "name": "Newsletter (weekly)", "colour": "#00AA00", "version": 2}
    stale = await gql.ok("marketing", RENAME, {"input": {"id": tag["id"], "version": 1,
                                                          "name": "Late"}})
    assert [e["code"] for e in stale["tagRename"]["errors"]] == ["STALE_VERSION"]
    by_sales = await gql.ok("sales", RENAME, {"input": {"id": tag["id"], "version": 2,
                                                         "name": "Sales' own"}})
    assert [e["code"] for e in by_sales["tagRename"]["errors"]] == ["FORBIDDEN"]


async def test_tag_archive_frees_the_name_and_hides_the_tag(gql):
    name = unique("Trade fair")
    tag = await create(gql, "LEAD", name)
    refused = await gql.ok("service", ARCHIVE, {"input": {"id": tag["id"], "version": 1}})
    assert [e["code"] for e in refused["tagArchive"]["errors"]] == ["FORBIDDEN"]
    archived = await gql.ok("admin", ARCHIVE, {"input": {"id": tag["id"], "version": 1}})
    assert archived["tagArchive"]["errors"] == []
    listed = await gql.ok("analyst", LIST, {"filter": {"kind": {"eq": "LEAD"}}})
    assert name not in [t["name"] for t in listed["tags"]["nodes"]]
    again = await create(gql, "LEAD", name)
    assert again["id"] != tag["id"]


async def test_tags_list_by_kind_for_every_staff_role(gql):
    name = unique("Partner-sourced")
    await create(gql, "OPPORTUNITY", name)
    for role in ("admin", "sales", "marketing", "service", "analyst"):
        listed = await gql.ok(role, LIST, {"filter": {"kind": {"eq": "OPPORTUNITY"}}})
        names = [t["name"] for t in listed["tags"]["nodes"]]
        assert name in names and {t["kind"] for t in listed["tags"]["nodes"]} == {"OPPORTUNITY"}


# --- Tagging records ----------------------------------------------------------------------

TAG = """mutation($input: TaggingInput!) { tag(input: $input) {
  record { id ... on Contact { tags { name } } } errors { field code message } } }"""
UNTAG = """mutation($input: TaggingInput!) { untag(input: $input) {
  record { id } errors { field code } } }"""
TAGS_OF = """query($id: ID!) { node(id: $id) { id
  ... on Contact { tags { id name colour } } ... on Account { tags { id name } }
  ... on Opportunity { tags { id name } } ... on Lead { tags { id name } }
  ... on Case { tags { id name } } } }"""
CONTACTS_TAGGED = """query($filter: ContactFilter) {
  contacts(first: 100, filter: $filter) { nodes { id } } }"""
TRAIL = """query($id: ID!) { auditTrail(recordId: $id, first: 5) {
  nodes { action changes { field before after } } } }"""
COUNT = """query($filter: TagFilter) { tags(filter: $filter, first: 10) { nodes { name count } } }"""
FIRST = {"CASE": "{ cases(first: 1) { nodes { id } } }",
         "OPPORTUNITY": "{ opportunities(first: 1) { nodes { id } } }",
         "LEAD": "{ leads(first: 1) { nodes { id } } }",
         "ACCOUNT": "{ accounts(first: 1) { nodes { id } } }"}


async def tag(gql, role: str, record: str, *tags: str, query: str = TAG) -> dict:
    data = await gql.ok(role, query, {"input": {"record": record, "tags": list(tags)}})
    return data["tag" if query is TAG else "untag"]


async def test_tag_shows_on_the_record_in_filters_and_in_its_trail(gql, factories):
    contact = (await factories.contact(lastName="Tagged"))["id"]
    vip = await create(gql, "CONTACT", unique("VIP"), colour="#FFD700")
    tagged = await tag(gql, "service", contact, vip["id"])
    assert tagged["errors"] == []
    assert tagged["record"]["tags"] == [{"name": vip["name"]}]
    shown = await gql.ok("analyst", TAGS_OF, {"id": contact})
    assert shown["node"]["tags"] == [{"id": vip["id"], "name": vip["name"], "colour": "#FFD700"}]
    found = await gql.ok("sales", CONTACTS_TAGGED, {"filter": {"tags": {"eq": vip["name"]}}})
    assert [n["id"] for n in found["contacts"]["nodes"]] == [contact]
    trail = (await gql.ok("admin", TRAIL, {"id": contact}))["auditTrail"]["nodes"]
    assert trail[0] == {"action": "tag", "changes": [
        {"field": "tags", "before": None, "after": [vip["name"]]}]}


async def test_tag_twice_changes_nothing_and_untag_takes_it_off(gql, factories):
    contact = (await factories.contact(lastName="Untagged"))["id"]
    lapsed = await create(gql, "CONTACT", unique("Lapsed"))
    await tag(gql, "admin", contact, lapsed["id"])
    again = await tag(gql, "admin", contact, lapsed["id"], lapsed["id"])
    assert again["errors"] == []
    untagged = await tag(gql, "admin", contact, lapsed["id"], query=UNTAG)
    assert untagged["errors"] == []
    assert (await gql.ok("admin", TAGS_OF, {"id": contact}))["node"]["tags"] == []
    actions = [n["action"] for n in
               (await gql.ok("admin", TRAIL, {"id": contact}))["auditTrail"]["nodes"]]
    assert actions[:3] == ["untag", "tag", "create"]
    without = await gql.ok("admin", CONTACTS_TAGGED, {"filter": {"and": [
        {"tags": {"isNull": True}}, {"lastName": {"eq": "Untagged"}}]}})
    assert contact in [n["id"] for n in without["contacts"]["nodes"]]


@pytest.mark.parametrize("kind", ["ACCOUNT", "OPPORTUNITY", "LEAD", "CASE"])
async def test_every_taggable_kind_carries_its_own_tags(gql, kind):
    record = (await gql.ok("admin", FIRST[kind]))
    record_id = next(iter(record.values()))["nodes"][0]["id"]
    own = await create(gql, kind, unique("Own"))
    tagged = await tag(gql, "admin", record_id, own["id"])
    assert tagged["errors"] == []
    assert {"id": own["id"], "name": own["name"]} in (
        await gql.ok("admin", TAGS_OF, {"id": record_id}))["node"]["tags"]
    foreign = await create(gql, "CONTACT", unique("Contact-only"))
    refused = await tag(gql, "admin", record_id, foreign["id"])
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("tags", "NOT_FOUND")]


@pytest.mark.parametrize("role, record, code", [
    ("analyst", "contact", "FORBIDDEN"),  # reads tags, writes none
    ("partner", "contact", "FORBIDDEN"),
    ("customer", "contact", "FORBIDDEN"),
    ("sales2", "contact", "FORBIDDEN"),  # a contact outside its territory
    ("marketing", "case", "FORBIDDEN"),  # marketing reads no case
])
async def test_tag_is_refused_without_write_access_to_the_record(gql, factories, role, record,
                                                                 code):
    if record == "contact":
        target = (await factories.contact(lastName="Elsewhere"))["id"]
        kind = "CONTACT"
    else:
        target, kind = (await gql.ok("admin", FIRST["CASE"]))["cases"]["nodes"][0]["id"], "CASE"
    given = await create(gql, kind, unique("Guarded"))
    refused = await tag(gql, role, target, given["id"])
    assert [e["code"] for e in refused["errors"]] == [code]


async def test_an_archived_tag_leaves_its_records_and_cannot_be_given(gql, factories):
    contact = (await factories.contact(lastName="Retired"))["id"]
    old = await create(gql, "CONTACT", unique("Old"))
    await tag(gql, "admin", contact, old["id"])
    await gql.ok("admin", ARCHIVE, {"input": {"id": old["id"], "version": 1}})
    assert (await gql.ok("admin", TAGS_OF, {"id": contact}))["node"]["tags"] == []
    refused = await tag(gql, "admin", contact, old["id"])
    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]


async def test_tags_count_the_records_the_caller_may_see(gql, factories):
    name = unique("Counted")
    counted = await create(gql, "CONTACT", name)
    for last_name in ("One", "Two"):
        await tag(gql, "admin", (await factories.contact(lastName=last_name))["id"], counted["id"])
    listed = await gql.ok("analyst", COUNT, {"filter": {"name": {"eq": name}}})
    assert listed["tags"]["nodes"] == [{"name": name, "count": 2}]


async def test_tags_of_a_kind_whose_tags_the_caller_may_not_read_do_not_exist_for_it(gql):
    case_tag = await create(gql, "CASE", unique("Escalated"), role="admin")
    hidden = await gql.ok("marketing", COUNT, {"filter": {"name": {"eq": case_tag["name"]}}})
    assert hidden["tags"]["nodes"] == []
    shown = await gql.ok("service", COUNT, {"filter": {"name": {"eq": case_tag["name"]}}})
    assert shown["tags"]["nodes"] == [{"name": case_tag["name"], "count": 0}]
    refused = await gql.ok("marketing", CREATE, {"input": {"kind": "CASE", "name": unique("X")}})
    assert [e["code"] for e in refused["tagCreate"]["errors"]] == ["FORBIDDEN"]


@pytest.mark.parametrize("role", ["partner", "customer"])
async def test_record_tags_are_unknown_to_partners_and_customers(gql, role):
    from tests.demo import CUSTOMER, DEMO_PARTNER_CONTACT
    record = CUSTOMER if role == "customer" else DEMO_PARTNER_CONTACT
    answer = await gql(role, "query($id: ID!) { contact(id: $id) { lastName tags { name } } }",
                       {"id": record})
    assert answer.data["contact"]["tags"] is None
    assert answer.error_codes() == ["FORBIDDEN"]
