"""The rules of comments, mentions and notifications, without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from auth.principal import staff_access
from domain.access import Role
from domain.comments import (
    MAX_BODY,
    ChangeEvent,
    Notice,
    NotificationKind,
    change_notices,
    comment_notices,
    mentioned,
    newly_mentioned,
    validate_body,
)
from domain.errors import DomainError, ErrorCode
from domain.ids import to_global_id
from domain.services.comments import add_comment, archive_comment, edit_comment
from domain.services.notifications import notify_change
from tests.unit.callers import USER_ID, staff
from tests.unit.fakes import FakeUnitOfWork

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
ADA, BOB, CY = (uuid.UUID(f"00000000-0000-4000-8000-00000000000{n}") for n in (2, 3, 4))


def mention(user: uuid.UUID, name: str = "Someone") -> str:
    return f"@[{name}](user:{to_global_id('User', user)})"


def _codes(error: pytest.ExceptionInfo) -> list[tuple[str | None, ErrorCode]]:
    return [(p.field, p.code) for p in error.value.problems]


# --- Mentions and bodies -----------------------------------------------------------------

def test_mentioned_reads_users_once_in_order_and_ignores_what_is_no_user():
    body = (f"{mention(BOB, 'Bob')} and {mention(ADA, 'Ada')}, again {mention(BOB, 'Bob')}; "
            f"@[Deal](user:{to_global_id('Opportunity', CY)}) @[x](user:nonsense) bob@example.com "
            f"@[No id](user:)")
    assert mentioned(body) == [BOB, ADA]


def test_newly_mentioned_leaves_out_who_was_mentioned_before():
    assert newly_mentioned(mention(ADA), f"{mention(ADA)} {mention(BOB)}") == [BOB]
    assert newly_mentioned(None, mention(CY)) == [CY]


def test_validate_body_keeps_markdown_as_written_and_bounds_it():
    body = "  * item\n\n    indented code\n"
    assert validate_body(body) == body
    with pytest.raises(DomainError) as blank:
        validate_body(" \n ")
    assert _codes(blank) == [("body", ErrorCode.REQUIRED)]
    with pytest.raises(DomainError) as long:
        validate_body("x" * (MAX_BODY + 1))
    assert _codes(long) == [("body", ErrorCode.INVALID)]


# --- Who is told ---------------------------------------------------------------------------

def test_comment_notices_tell_readers_once_a_mention_first_and_never_the_author():
    notices = comment_notices(ADA, mentions=[BOB, CY, ADA], followers=[ADA, BOB, USER_ID],
                              readers={ADA, BOB, USER_ID})
    assert notices == [Notice(BOB, NotificationKind.MENTION),
                       Notice(USER_ID, NotificationKind.COMMENT)]


def test_change_notices_tell_followers_the_fields_they_read_but_not_the_actor():
    event = ChangeEvent("Opportunity", uuid.uuid4(), "update", ("amount", "name"),
                        f"User:{ADA}")
    readers = {ADA: staff_access(Role.SALES, ADA), BOB: staff_access(Role.MARKETING, BOB),
               CY: staff_access(Role.ANALYST, CY)}
    told = change_notices(event, [ADA, BOB, CY, USER_ID], readers)
    # marketing reads no amount, the analyst both; USER_ID may not read the deal at all
    assert told == [(Notice(BOB, NotificationKind.CHANGE), ["name"]),
                    (Notice(CY, NotificationKind.CHANGE), ["amount", "name"])]


def test_change_notices_keep_quiet_about_a_change_only_to_hidden_fields():
    event = ChangeEvent("Opportunity", uuid.uuid4(), "update", ("amount",), "System")
    assert change_notices(event, [BOB], {BOB: staff_access(Role.MARKETING, BOB)}) == []
    archived = ChangeEvent("Opportunity", uuid.uuid4(), "archive", ("archived",), "System")
    assert change_notices(archived, [BOB], {BOB: staff_access(Role.MARKETING, BOB)}) == [
        (Notice(BOB, NotificationKind.CHANGE), ["archived"])]


# --- The use cases, on the fake unit of work -----------------------------------------------

@pytest.fixture
def uow() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.notifications.users = {u: staff_access(Role.SALES, u) for u in (ADA, BOB, CY, USER_ID)}
    return uow


async def test_add_comment_tells_the_mentioned_reader_and_the_owner_and_makes_the_author_follow(
        uow):
    deal = uow.records.add("Opportunity", {"owner": CY})
    uow.notifications.blind.add(BOB)  # Bob may not read the deal
    comment = await add_comment("Opportunity", deal, f"{mention(ADA)} {mention(BOB)} look",
                                uow, staff(Role.SALES), NOW)
    assert uow.committed
    assert uow.records.get("Activity", comment)["recordId"] == deal
    assert uow.notifications.kinds() == {ADA: "MENTION", CY: "COMMENT"}
    assert uow.notifications.follows == {(USER_ID, deal): True}
    assert [(e["type"], e["action"], e["parent"]) for e in uow.audit.entries] == [
        ("Activity", "create", deal)]


async def test_add_comment_needs_the_record_and_write_access_to_its_comments(uow):
    lead = uow.records.add("Lead", {})
    with pytest.raises(DomainError) as analyst:
        await add_comment("Lead", lead, "hi", uow, staff(Role.ANALYST), NOW)
    assert _codes(analyst) == [("comments", ErrorCode.FORBIDDEN)]
    uow.records.hidden.add(lead)
    with pytest.raises(DomainError) as unseen:
        await add_comment("Lead", lead, "hi", uow, staff(Role.SALES), NOW)
    assert _codes(unseen) == [("record", ErrorCode.NOT_FOUND)]
    assert uow.notifications.told == [] and uow.audit.entries == []


async def test_edit_comment_is_the_authors_and_tells_only_the_newly_mentioned(uow):
    contact = uow.records.add("Contact", {})
    comment = uow.records.add("Activity", {
        "kind": "COMMENT", "recordType": "Contact", "recordId": contact,
        "body": mention(ADA), "createdBy": f"User:{USER_ID}"})
    with pytest.raises(DomainError) as other:
        await edit_comment(comment, 1, "mine now", uow, staff_access(Role.SALES, BOB), NOW)
    assert _codes(other) == [("id", ErrorCode.FORBIDDEN)]
    await edit_comment(comment, 1, f"{mention(ADA)} {mention(BOB)}", uow, staff(Role.SALES),
                       NOW)
    assert uow.notifications.kinds() == {BOB: "MENTION"}
    with pytest.raises(DomainError) as stale:
        await edit_comment(comment, 1, "again", uow, staff(Role.SALES), NOW)
    assert _codes(stale) == [("version", ErrorCode.STALE_VERSION)]


async def test_archive_comment_is_for_its_author_and_admins(uow):
    account = uow.records.add("Account", {})
    comment = uow.records.add("Activity", {
        "kind": "COMMENT", "recordType": "Account", "recordId": account, "body": "x",
        "createdBy": f"User:{ADA}"})
    with pytest.raises(DomainError) as other:
        await archive_comment(comment, 1, uow, staff(Role.SALES))
    assert _codes(other) == [("id", ErrorCode.FORBIDDEN)]
    await archive_comment(comment, 1, uow, staff(Role.ADMIN))
    assert comment in uow.records.archived


async def test_notify_change_tells_followers_who_read_it_but_not_who_changed_it(uow):
    case = uow.records.add("Case", {"assignee": ADA})
    uow.notifications.follows[(BOB, case)] = True
    uow.notifications.follows[(CY, case)] = True
    uow.notifications.blind.add(CY)
    event = ChangeEvent("Case", case, "status", ("status",), f"User:{BOB}")
    assert await notify_change(event, uow, NOW) == 1
    assert [(n["user"], n["kind"], n["fields"]) for n in uow.notifications.told] == [
        (ADA, "CHANGE", ["status"])]
    assert await notify_change(ChangeEvent("Activity", case, "update", ("body",), "System"),
                               uow, NOW) == 0
