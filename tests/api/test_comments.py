"""Comments on any record and their @mentions, over HTTP as each role."""

from __future__ import annotations

import itertools

import pytest

from api.schema.ids import to_global_id

_n = itertools.count(1)
CREATE = """mutation($input: CommentCreateInput!) { commentCreate(input: $input) {
  comment { id version kind body visibility } errors { field code message } } }"""
UPDATE = """mutation($input: CommentUpdateInput!) { commentUpdate(input: $input) {
  comment { id version body } errors { field code } } }"""
ARCHIVE = """mutation($input: ArchiveInput!) { commentArchive(input: $input) {
  comment { id archivedAt } errors { field code } } }"""
COMMENTS = """query($id: ID!) { node(id: $id) { id
  ... on Contact { comments { id body } } ... on Account { comments { id body } }
  ... on Opportunity { comments { id body } } ... on Lead { comments { id body } }
  ... on Order { comments { id body } } ... on Case { comments { id body } } } }"""
INBOX = """query($unread: Boolean!) { unreadNotificationCount
  notifications(first: 50, unreadOnly: $unread) { nodes {
    id kind recordType recordId actor fields readAt comment { id body } } } }"""
ACTIVITY_UPDATE = """mutation($input: ActivityUpdateInput!) { activityUpdate(input: $input) {
  errors { field code } } }"""
FIRST = {"Opportunity": "{ opportunities(first: 1) { nodes { id } } }",
         "Lead": "{ leads(first: 1) { nodes { id } } }",
         "Order": "{ orders(first: 1) { nodes { id } } }",
         "Case": "{ cases(first: 1) { nodes { id } } }"}


def body(text: str) -> str:
    return f"{text} #{next(_n)}"


def user_id(principals, role: str) -> str:
    return to_global_id("User", principals[role].user_id)


def mention(principals, role: str) -> str:
    return f"@[{role.title()}](user:{user_id(principals, role)})"


async def first(gql, type_name: str, role: str = "admin") -> str:
    return next(iter((await gql.ok(role, FIRST[type_name])).values()))["nodes"][0]["id"]


async def comment(gql, role: str, record: str, text: str, **more) -> dict:
    data = await gql.ok(role, CREATE, {"input": {"record": record, "body": text, **more}})
    return data["commentCreate"]


async def inbox(gql, role: str, unread: bool = False) -> dict:
    return await gql.ok(role, INBOX, {"unread": unread})


async def told(gql, role: str, text: str) -> list[str]:
    """The kinds of the notifications of `role` about the comment whose body is `text`."""
    nodes = (await inbox(gql, role))["notifications"]["nodes"]
    return [n["kind"] for n in nodes if (n["comment"] or {}).get("body") == text]


# --- Commenting ---------------------------------------------------------------------------

@pytest.mark.parametrize("type_name", ["Contact", "Account", "Opportunity", "Lead", "Order",
                                       "Case"])
async def test_comment_create_on_every_kind_shows_in_its_comments(gql, factories, type_name):
    record = ((await factories.contact())["id"] if type_name == "Contact" else
              (await factories.account())["id"] if type_name == "Account" else
              await first(gql, type_name))
    text = body("**Looks good** to me")
    created = await comment(gql, "admin", record, text)
    assert created["errors"] == []
    assert (created["comment"]["kind"], created["comment"]["body"]) == ("COMMENT", text)
    listed = (await gql.ok("analyst", COMMENTS, {"id": record}))["node"]["comments"]
    assert {"id": created["comment"]["id"], "body": text} in listed


@pytest.mark.parametrize("role, type_name", [
    ("sales", "Opportunity"), ("marketing", "Lead"), ("service", "Case"), ("sales", "Order"),
    ("marketing", "Contact")])
async def test_comment_create_is_allowed_to_who_writes_the_kinds_comments(gql, factories,
                                                                          role, type_name):
    record = ((await factories.contact())["id"] if type_name == "Contact"
              else await first(gql, type_name))
    created = await comment(gql, role, record, body("Noted"))
    assert created["errors"] == []


@pytest.mark.parametrize("role, type_name", [
    ("analyst", "Contact"), ("service", "Opportunity"), ("sales", "Case"),
    ("marketing", "Order"), ("partner", "Account")])
async def test_comment_create_is_refused_without_write_access_to_the_comments(
        gql, factories, role, type_name):
    record = ((await factories.account())["id"] if type_name == "Account" else
              (await factories.contact())["id"] if type_name == "Contact" else
              await first(gql, type_name))
    refused = await comment(gql, role, record, body("Not mine to say"))
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]


CASES = "{ cases(first: 20) { nodes { id } } }"


async def test_comment_create_on_a_record_the_caller_cannot_see_is_not_found(gql, principals):
    owned = [n["id"] for n in (await gql.ok("customer", CASES))["cases"]["nodes"]]
    others = next(n["id"] for n in (await gql.ok("admin", CASES))["cases"]["nodes"]
                  if n["id"] not in owned)
    own = owned[0]
    unseen = await comment(gql, "customer", others, body("Hello?"))
    never = await comment(gql, "admin", to_global_id("Lead", principals["admin"].user_id),
                          body("Nobody"))
    for refused in (unseen, never):
        assert [(e["field"], e["code"]) for e in refused["errors"]] in (
            [("record", "NOT_FOUND")], [("case", "NOT_FOUND")])
    reply = await comment(gql, "customer", own, body("Any news?"))
    assert reply["errors"] == [] and reply["comment"]["visibility"] == "CUSTOMER"


async def test_comment_create_validates_the_body(gql, factories):
    record = (await factories.contact())["id"]
    blank = await comment(gql, "admin", record, "   ")
    long = await comment(gql, "admin", record, "x" * 20_001)
    visible = await comment(gql, "admin", record, "x", visibility="CUSTOMER")
    assert [[(e["field"], e["code"]) for e in r["errors"]] for r in (blank, long, visible)] == [
        [("body", "REQUIRED")], [("body", "INVALID")], [("visibility", "INVALID")]]


async def test_comment_update_is_for_its_author_only(gql, factories):
    record = (await factories.account())["id"]
    created = (await comment(gql, "sales", record, body("First draft")))["comment"]
    edited = await gql.ok("sales", UPDATE, {"input": {
        "id": created["id"], "version": 1, "body": "Second draft"}})
    assert edited["commentUpdate"]["comment"] == {
        "id": created["id"], "version": 2, "body": "Second draft"}
    for role in ("admin", "service", "sales2"):
        refused = await gql.ok(role, UPDATE, {"input": {
            "id": created["id"], "version": 2, "body": "Not yours"}})
        assert [e["code"] for e in refused["commentUpdate"]["errors"]] == ["FORBIDDEN"]
    stale = await gql.ok("sales", UPDATE, {"input": {"id": created["id"], "version": 1,
                                                     "body": "Late"}})
    assert [e["code"] for e in stale["commentUpdate"]["errors"]] == ["STALE_VERSION"]
    by_activity = await gql.ok("admin", ACTIVITY_UPDATE, {"input": {
        "id": created["id"], "version": 2, "subject": "Sneaky"}})
    assert [e["code"] for e in by_activity["activityUpdate"]["errors"]] == ["INVALID"]


async def test_comment_archive_is_for_its_author_and_admins(gql, factories):
    record = (await factories.contact())["id"]
    mine = (await comment(gql, "service", record, body("Mine")))["comment"]
    theirs = (await comment(gql, "service", record, body("Theirs")))["comment"]
    refused = await gql.ok("sales", ARCHIVE, {"input": {"id": mine["id"], "version": 1}})
    assert [e["code"] for e in refused["commentArchive"]["errors"]] == ["FORBIDDEN"]
    for role, archived in (("service", mine), ("admin", theirs)):
        done = await gql.ok(role, ARCHIVE, {"input": {"id": archived["id"], "version": 1}})
        assert done["commentArchive"]["errors"] == []
        assert done["commentArchive"]["comment"]["archivedAt"] is not None
    listed = (await gql.ok("admin", COMMENTS, {"id": record}))["node"]["comments"]
    assert listed == []


# --- Mentions -------------------------------------------------------------------------------

async def test_a_mention_notifies_a_user_who_may_read_the_record(gql, principals):
    case = await first(gql, "Case")
    text = body(f"{mention(principals, 'analyst')} can you check?")
    created = await comment(gql, "service", case, text)
    assert created["errors"] == []
    assert await told(gql, "analyst", text) == ["MENTION"]


async def test_a_mention_of_a_user_who_may_not_read_the_record_tells_nobody_anything(
        gql, principals):
    case = await first(gql, "Case")
    text = body(f"{mention(principals, 'marketing')} have a look")
    created = await comment(gql, "service", case, text)
    # then the author learns nothing: the same answer as for a reader
    assert created["errors"] == [] and created["comment"]["body"] == text
    nodes = (await inbox(gql, "marketing"))["notifications"]["nodes"]
    assert [n for n in nodes if n["recordId"] == case] == []


async def test_an_edit_notifies_only_the_newly_mentioned(gql, factories, principals):
    record = (await factories.contact())["id"]
    first_text = body(f"{mention(principals, 'service')} first")
    created = (await comment(gql, "sales", record, first_text))["comment"]
    second_text = f"{first_text} and {mention(principals, 'analyst')}"
    await gql.ok("sales", UPDATE, {"input": {"id": created["id"], "version": 1,
                                             "body": second_text}})
    assert await told(gql, "service", second_text) == ["MENTION"]  # told once, on create
    assert await told(gql, "analyst", second_text) == ["MENTION"]
