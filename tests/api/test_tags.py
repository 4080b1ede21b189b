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


async def create(gql, kind: str, name: str, role: str = "marketing", **more) -> dict:
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
