"""Comments on records, the @mentions in them, and who hears of a comment or a change.

A comment's body is Markdown, kept exactly as written: the server never renders it, so a
frontend renders it (and sanitises the HTML it makes). A mention is written
`@[Display Name](user:ID)`, where ID is the User's id as the API gives it (`users { id }`):
a picker in the frontend inserts it, and the name in brackets is only what readers see.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.access import Access
from domain.errors import DomainError, ErrorCode
from domain.ids import from_global_id

MAX_BODY = 20_000
MENTION = re.compile(r"@\[(?P<name>[^\[\]\n]{1,200})\]\(user:(?P<id>[A-Za-z0-9_=-]{1,200})\)")


class CommentableKind(StrEnum):
    """The kinds of record that take comments; a comment is on exactly one record."""

    CONTACT = "Contact"
    ACCOUNT = "Account"
    OPPORTUNITY = "Opportunity"
    LEAD = "Lead"
    CASE = "Case"
    ORDER = "Order"


# The field of each kind that names who owns the record, and so follows it unless they
# unfollow: a case's owner is the agent it is assigned to.
OWNERS = {kind.value: "owner" for kind in CommentableKind} | {"Case": "assignee"}


class NotificationKind(StrEnum):
    """Why a user is told: mentioned in a comment, a comment on what they follow, or a change
    to what they follow."""

    MENTION = "MENTION"
    COMMENT = "COMMENT"
    CHANGE = "CHANGE"


def validate_body(body: str | None) -> str:
    """The body as written: Markdown, not blank, at most MAX_BODY characters."""
    if body is None or not body.strip():
        raise DomainError.one("body", ErrorCode.REQUIRED, "A comment needs a body.")
    if len(body) > MAX_BODY:
        raise DomainError.one("body", ErrorCode.INVALID,
                              f"A comment is at most {MAX_BODY} characters long.")
    if "\x00" in body:
        raise DomainError.one("body", ErrorCode.INVALID, "A comment cannot hold NUL characters.")
    return body


def mentioned(body: str | None) -> list[uuid.UUID]:
    """The users a body mentions, in the order first mentioned, each once. A token that is no
    User id is plain text: it mentions nobody."""
    users: dict[uuid.UUID, None] = {}
    for match in MENTION.finditer(body or ""):
        try:
            type_name, raw = from_global_id(match["id"])
        except ValueError:
            continue
        if type_name == "User":
            users[raw] = None
    return list(users)


def newly_mentioned(before: str | None, after: str) -> list[uuid.UUID]:
    """Who an edit mentions that the body did not mention before: only they are told."""
    earlier = set(mentioned(before))
    return [user for user in mentioned(after) if user not in earlier]


@dataclass(frozen=True, slots=True)
class Notice:
    """One notification to write: to whom and why."""

    recipient: uuid.UUID
    kind: NotificationKind


def comment_notices(author: uuid.UUID | None, mentions: Iterable[uuid.UUID],
                    followers: Iterable[uuid.UUID], readers: Collection[uuid.UUID]
                    ) -> list[Notice]:
    """Who hears of a comment: each mentioned user a MENTION, each follower a COMMENT, one
    notification per user (a mention wins), never the author, and only users who may read
    the comment: a mention of anyone else is left as text and tells nobody anything."""
    notices: dict[uuid.UUID, NotificationKind] = {}
    for user in mentions:
        notices.setdefault(user, NotificationKind.MENTION)
    for user in followers:
        notices.setdefault(user, NotificationKind.COMMENT)
    return [Notice(user, kind) for user, kind in notices.items()
            if user != author and user in readers]


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """A change to a record, as the change feed reports it: its type and id, the action, the
    names of the fields that changed, and who changed it (`User:uuid`, as rows keep it)."""

    record_type: str
    record_id: uuid.UUID
    action: str
    fields: tuple[str, ...]
    actor: str


def change_notices(event: ChangeEvent, followers: Iterable[uuid.UUID],
                   readers: Mapping[uuid.UUID, Access]) -> list[tuple[Notice, list[str]]]:
    """Who hears of a change, with the changed names each may see: the followers who read
    the record and at least one field that changed (a change only to fields hidden from a
    follower is no news to them), never the one who made it. A name that is no field of the
    type (`archived`) is seen by whoever reads the record."""
    told = []
    for user in dict.fromkeys(followers):
        access = readers.get(user)
        if access is None or str(access.actor) == event.actor:
            continue
        declared = access.declared.get(event.record_type, frozenset())
        fields = [f for f in event.fields
                  if access.can_read(event.record_type, f) or f not in declared]
        if fields or not event.fields:
            told.append((Notice(user, NotificationKind.CHANGE), fields))
    return told
