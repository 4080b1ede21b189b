"""Notification: a user's inbox of mentions, comments and changes on what they follow; its
queries and mutations. A notification names its record by type and id only."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.resolvers.common import page_of
from api.schema import forms
from api.schema.declared_fields import declared
from api.schema.errors import UserError, coded_error, user_errors
from api.schema.fields import actor, check_readable, column, node_id, record_type
from api.schema.ids import parse_id, to_global_id
from api.schema.operational.inputs import payload_errors_field
from api.schema.relay import After, Connection, First, Node, arg
from domain.comments import NotificationKind
from domain.errors import DomainError, ErrorCode
from domain.filters import Condition, Op, OrderTerm
from domain.services.notifications import MAX_MARKED_AT_ONCE, mark_read
from persistence.notifications import NOTIFICATION, unread_count

NEWEST_FIRST = [OrderTerm("createdAt", descending=True)]
# The GraphQL enum of the declared `kind` field, with its description.
Kind = strawberry.enum(NotificationKind, description="Why you were told: MENTION, COMMENT or "
                                                     "CHANGE.")


@record_type("Notification")
@strawberry.type(description="Something you were told of: a mention of you in a comment, or a "
                             "comment on or a change to a record you follow. It names the "
                             "record by type and id only; read the record for the rest.")
@declared(NOTIFICATION)
class Notification(Node):
    data: strawberry.Private[dict]

    id: strawberry.ID = node_id("Notification")
    version: int | None = column("Optimistic-concurrency version.")
    actor: strawberry.ID | None = actor("Global id of who commented or changed the record.")
    fields: list[str] | None = column("CHANGE: the names of the fields that changed that you "
                                      "may read; never their values. Empty otherwise.")

    @strawberry.field(description="Global id of the record it is about.",
                      metadata=forms.compiled(forms.RecordGlobalId()))
    def record_id(self, info: strawberry.Info) -> strawberry.ID | None:
        check_readable(info)
        return strawberry.ID(to_global_id(self.data["recordType"], self.data["recordId"]))


@strawberry.input(description="Notifications of yours to mark read.")
class NotificationMarkReadInput:
    ids: list[strawberry.ID] = strawberry.field(
        description=f"1 to {MAX_MARKED_AT_ONCE} of your notifications; others change nothing.")


@strawberry.type(description="The result of marking notifications read.")
class NotificationMarkReadPayload:
    marked: int | None = strawberry.field(default=None,
                                          description="How many were unread and now are read.")
    unread: int | None = strawberry.field(default=None, description="How many are unread now.")
    errors: list[UserError] = payload_errors_field()


def _staff_only(info: strawberry.Info) -> None:
    if info.context.access.user_id is None:
        raise coded_error("Only staff users have notifications.", ErrorCode.FORBIDDEN.value)


@strawberry.type
class NotificationQueries:
    @strawberry.field(description="Your notifications, newest first; with `unreadOnly`, those "
                                  "not yet marked read.")
    async def notifications(
        self, info: strawberry.Info, first: First = None, after: After = None,
        unread_only: Annotated[bool, arg("Only the unread ones.")] = False,
    ) -> Connection[Notification]:
        _staff_only(info)
        condition = Condition("readAt", Op.IS_NULL, True) if unread_only else None
        return await page_of(info, "Notification", (first, after, None, None), condition,
                             NEWEST_FIRST)

    @strawberry.field(description="How many of your notifications are unread.")
    async def unread_notification_count(self, info: strawberry.Info) -> int:
        _staff_only(info)
        return await unread_count(info.context.reader, info.context.access)


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(description="Mark some of your notifications read.")
    async def notification_mark_read(
        self, info: strawberry.Info,
        input: Annotated[NotificationMarkReadInput, arg("The notifications.")],
    ) -> NotificationMarkReadPayload:
        async def marking(uow, access, now):
            ids = [parse_id(i, "Notification", "ids") for i in input.ids]
            return await mark_read(ids, uow, access, now)
        return await _marked(info, marking)

    @strawberry.mutation(description="Mark all your notifications read.")
    async def notification_mark_all_read(self, info: strawberry.Info
                                         ) -> NotificationMarkReadPayload:
        return await _marked(info, lambda uow, access, now: mark_read(None, uow, access, now))


async def _marked(info: strawberry.Info, marking) -> NotificationMarkReadPayload:
    ctx = info.context
    try:
        marked = await marking(ctx.uow(), ctx.access, ctx.clock())
    except DomainError as exc:
        return NotificationMarkReadPayload(errors=user_errors(exc))
    return NotificationMarkReadPayload(marked=marked, errors=[],
                                       unread=await unread_count(ctx.reader, ctx.access))
