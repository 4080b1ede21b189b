"""Following records and the notification inbox, over HTTP as each role: who hears of
comments and changes, and each user's own notifications."""

from __future__ import annotations

import asyncio

import pytest

from api.feed_consumers import notify_followers
from api.worker import JobContext
from auth.grants import access_for
from auth.principal import staff_access
from domain.access import SYSTEM, Role
from domain.comments import ChangeEvent
from domain.ids import from_global_id
from domain.services.notifications import notify_change
from persistence.uow import UnitOfWork
from tests.api.test_comments import (
    INBOX,
    body,
    comment,
    first,
    inbox,
    mention,
    told,
    user_id,
)

FOLLOW = """mutation($input: FollowInput!) { follow(input: $input) {
  following record { id } errors { field code } } }"""
UNFOLLOW = """mutation($input: FollowInput!) { unfollow(input: $input) {
  following errors { field code } } }"""
MARK = """mutation($input: NotificationMarkReadInput!) { notificationMarkRead(input: $input) {
  marked unread errors { field code } } }"""
MARK_ALL = "mutation { notificationMarkAllRead { marked unread errors { field code } } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Notification { kind } } }"


# --- Following ------------------------------------------------------------------------------

async def test_followers_and_the_owner_hear_of_comments_but_not_their_own(gql, factories,
                                                                        principals):
    account = (await factories.account(owner=user_id(principals, "sales")))["id"]
    followed = await gql.ok("service", FOLLOW, {"input": {"record": account}})
    assert followed["follow"] == {"following": True, "record": {"id": account},
                                  "errors": []}
    text = body("Renewal is at risk")
    await comment(gql, "admin", account, text)
    assert await told(gql, "service", text) == ["COMMENT"]
    assert await told(gql, "sales", text) == ["COMMENT"]  # the owner
    assert await told(gql, "admin", text) == []  # the author, who now follows it
    reply = body("On it")
    await comment(gql, "service", account, reply)
    assert await told(gql, "admin", reply) == ["COMMENT"]
    assert await told(gql, "service", reply) == []


async def test_unfollow_stops_comments_even_for_the_owner(gql, factories, principals):
    account = (await factories.account(owner=user_id(principals, "sales")))["id"]
    for role in ("sales", "service"):
        await gql.ok(role, FOLLOW, {"input": {"record": account}})
        left = await gql.ok(role, UNFOLLOW, {"input": {"record": account}})
        assert left["unfollow"] == {"following": False, "errors": []}
    text = body("Anyone?")
    await comment(gql, "admin", account, text)
    assert await told(gql, "sales", text) == [] and await told(gql, "service", text) == []


@pytest.mark.parametrize("role, code", [("marketing", "NOT_FOUND"), ("customer", "FORBIDDEN"),
                                        ("partner", "FORBIDDEN")])
async def test_follow_is_refused_on_what_the_caller_may_not_read(gql, role, code):
    case = await first(gql, "Case")
    refused = await gql.ok(role, FOLLOW, {"input": {"record": case}})
    assert [e["code"] for e in refused["follow"]["errors"]] == [code]


async def test_notify_change_tells_following_readers_the_fields_they_may_read(
        gql, app, factories, principals, clock):
    deal = await first(gql, "Opportunity")
    for role in ("marketing", "analyst", "admin"):
        await gql.ok(role, FOLLOW, {"input": {"record": deal}})
    await gql.ok("marketing", MARK_ALL)
    await gql.ok("analyst", MARK_ALL)
    _, raw = from_global_id(deal)
    event = ChangeEvent("Opportunity", raw, "update", ("amount", "closeDate"),
                        f"User:{principals['admin'].user_id}")
    uow = UnitOfWork(app.state.engine, access_for(Role.ADMIN, SYSTEM), access_of=staff_access)
    assert await notify_change(event, uow, clock()) >= 2
    changes = {role: [(n["kind"], n["recordId"], n["fields"], n["actor"])
                      for n in (await inbox(gql, role, unread=True))["notifications"]["nodes"]]
               for role in ("marketing", "analyst", "admin")}
    actor = user_id(principals, "admin")
    assert changes["marketing"] == [("CHANGE", deal, ["closeDate"], actor)]  # no amounts
    assert changes["analyst"] == [("CHANGE", deal, ["amount", "closeDate"], actor)]
    assert all(n[0] != "CHANGE" or n[1] != deal for n in changes["admin"])  # who changed it


# --- The inbox ------------------------------------------------------------------------------

async def test_inbox_counts_unread_and_marks_read(gql, factories, principals):
    await gql.ok("service", MARK_ALL)
    record = (await factories.contact())["id"]
    texts = [body(f"{mention(principals, 'service')} one"),
             body(f"{mention(principals, 'service')} two")]
    for text in texts:
        await comment(gql, "sales", record, text)
    unread = await inbox(gql, "service", unread=True)
    assert unread["unreadNotificationCount"] == 2
    nodes = unread["notifications"]["nodes"]
    assert [n["comment"]["body"] for n in nodes] == texts[::-1]  # newest first
    assert {(n["kind"], n["recordType"], n["recordId"], n["readAt"]) for n in nodes} == {
        ("MENTION", "Contact", record, None)}
    marked = await gql.ok("service", MARK, {"input": {"ids": [nodes[0]["id"]]}})
    assert marked["notificationMarkRead"] == {"marked": 1, "unread": 1, "errors": []}
    assert len((await inbox(gql, "service", unread=True))["notifications"]["nodes"]) == 1
    everything = await gql.ok("service", MARK_ALL)
    assert everything["notificationMarkAllRead"] == {"marked": 1, "unread": 0, "errors": []}
    assert len([n for n in (await inbox(gql, "service"))["notifications"]["nodes"]
                if n["readAt"] is not None and n["recordId"] == record]) == 2


async def test_inbox_is_each_users_own(gql, factories, principals):
    record = (await factories.contact())["id"]
    text = body(f"{mention(principals, 'sales')} private")
    await comment(gql, "admin", record, text)
    mine = [n for n in (await inbox(gql, "sales", unread=True))["notifications"]["nodes"]
            if (n["comment"] or {}).get("body") == text]
    assert len(mine) == 1
    theirs = mine[0]["id"]
    for role in ("admin", "analyst", "sales2"):
        assert theirs not in [n["id"] for n in (await inbox(gql, role))["notifications"]["nodes"]]
        assert (await gql.ok(role, NODE, {"id": theirs}))["node"] is None
        marked = await gql.ok(role, MARK, {"input": {"ids": [theirs]}})
        assert marked["notificationMarkRead"]["marked"] == 0
    assert (await gql.ok("sales", NODE, {"id": theirs}))["node"] == {"id": theirs,
                                                                   "kind": "MENTION"}
    still = [n for n in (await inbox(gql, "sales", unread=True))["notifications"]["nodes"]
             if n["id"] == theirs]
    assert len(still) == 1


@pytest.mark.parametrize("role", ["customer", "partner"])
async def test_inbox_is_for_staff_users(gql, role):
    answer = await gql(role, INBOX, {"unread": False})
    assert answer.error_codes() == ["FORBIDDEN"]
    marked = await gql.ok(role, MARK_ALL)
    assert [e["code"] for e in marked["notificationMarkAllRead"]["errors"]] == ["FORBIDDEN"]


UPDATE_ACCOUNT = """mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) {
  account { version } errors { field code } } }"""


async def test_the_worker_tells_followers_of_changes_once_whoever_runs_it(
        gql, app, factories, principals, clock):
    # given an account that service follows, changed by admin
    account = (await factories.account(owner=user_id(principals, "sales")))["id"]
    await gql.ok("service", FOLLOW, {"input": {"record": account}})
    await notify_followers(JobContext(app.state.engine, clock))  # the cursor, past the setup
    await gql.ok("service", MARK_ALL)
    changed = await gql.ok("admin", UPDATE_ACCOUNT, {"input": {
        "id": account, "version": 1, "name": "Renamed by admin"}})
    assert changed["accountUpdate"]["errors"] == []
    # when two workers run the feed's consumer at once, and then again
    context = JobContext(app.state.engine, clock)
    await asyncio.gather(notify_followers(context), notify_followers(context))
    await notify_followers(context)
    # then service and the owner hear of it once each, and the admin not at all
    for role, expected in (("service", 1), ("sales", 1), ("admin", 0)):
        heard = [n for n in (await inbox(gql, role, unread=True))["notifications"]["nodes"]
                 if n["recordId"] == account and n["kind"] == "CHANGE"]
        assert len(heard) == expected, (role, heard)
        assert all(n["fields"] == ["name"] for n in heard)
