"""Comments on any record that takes them, and following records; their mutations.

A comment is an Activity of kind COMMENT: it shows in its record's `comments` and timeline.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.resolvers.common import mutate, mutate_any
from api.schema.errors import UserError
from api.schema.ids import parse_id, parse_typed_id
from api.schema.operational.activities import Activity, MessageVisibility
from api.schema.operational.inputs import ArchiveInput, payload_errors_field
from api.schema.relay import Node, arg
from domain.comments import MAX_BODY
from domain.services import comments as service
from domain.services.notifications import COMMENTABLE, follow

BODY = (f"Markdown, 1 to {MAX_BODY} characters, kept exactly as written: the server renders "
        f"none of it. Mention a user as `@[Display Name](user:ID)` with the User's id: a "
        f"mentioned user who may read the record is notified, anyone else is not, and you "
        f"are not told which.")


@strawberry.input(description="A comment on a record.")
class CommentCreateInput:
    record: strawberry.ID = strawberry.field(
        description="A contact, account, opportunity, lead, case or order you may read.")
    body: str = strawberry.field(description=BODY)
    visibility: MessageVisibility | None = strawberry.field(
        default=None, description="Only on a case: INTERNAL (default for staff) or CUSTOMER "
                                  "(the customer reads it); customers always write CUSTOMER.")


@strawberry.input(description="A new body for your own comment, at the version you read.")
class CommentUpdateInput:
    id: strawberry.ID = strawberry.field(description="The comment (an Activity of kind COMMENT).")
    version: int = strawberry.field(description="The version you last read.")
    body: str = strawberry.field(description=BODY + " Only users newly mentioned are told.")


@strawberry.type(description="The result of a comment mutation.")
class CommentPayload:
    comment: Activity | None = strawberry.field(default=None, description="As it is now.")
    errors: list[UserError] = payload_errors_field()


@strawberry.input(description="A record to follow or to stop following.")
class FollowInput:
    record: strawberry.ID = strawberry.field(
        description="A contact, account, opportunity, lead, case or order you may read.")


@strawberry.type(description="The result of follow or unfollow.")
class FollowPayload:
    record: Node | None = strawberry.field(default=None, description="The record.")
    following: bool | None = strawberry.field(default=None,
                                              description="Whether you now follow it.")
    errors: list[UserError] = payload_errors_field()


@strawberry.type
class CommentMutations:
    @strawberry.mutation(description="Comment on a record you may read, if you may write its "
                                     "comments; you then follow it. On a case it is a reply, "
                                     "as caseReply.")
    async def comment_create(self, info: strawberry.Info,
                             input: Annotated[CommentCreateInput, arg("The comment.")]
                             ) -> CommentPayload:
        ctx = info.context

        async def action():
            record_type, record_id = parse_typed_id(input.record, COMMENTABLE, "record")
            visibility = input.visibility.value if input.visibility else None
            return await service.add_comment(record_type, record_id, input.body, ctx.uow(),
                                             ctx.access, ctx.clock(), visibility)

        return await mutate(info, CommentPayload, "comment", "Activity", action)

    @strawberry.mutation(description="Change the body of your own comment.")
    async def comment_update(self, info: strawberry.Info,
                             input: Annotated[CommentUpdateInput, arg("The new body.")]
                             ) -> CommentPayload:
        ctx = info.context
        return await mutate(info, CommentPayload, "comment", "Activity", lambda: (
            service.edit_comment(parse_id(input.id, "Activity"), input.version, input.body,
                                 ctx.uow(), ctx.access, ctx.clock())))

    @strawberry.mutation(description="Archive a comment: your own, or any as an admin.")
    async def comment_archive(self, info: strawberry.Info,
                              input: Annotated[ArchiveInput, arg("The comment.")]
                              ) -> CommentPayload:
        ctx = info.context
        return await mutate(info, CommentPayload, "comment", "Activity", lambda: (
            service.archive_comment(parse_id(input.id, "Activity"), input.version, ctx.uow(),
                                    ctx.access)))

    @strawberry.mutation(description="Follow a record you may read: you are told of its "
                                     "comments and changes. Staff users only.")
    async def follow(self, info: strawberry.Info,
                     input: Annotated[FollowInput, arg("The record.")]) -> FollowPayload:
        return await _following(info, input, True)

    @strawberry.mutation(description="Stop following a record, also one you own.")
    async def unfollow(self, info: strawberry.Info,
                       input: Annotated[FollowInput, arg("The record.")]) -> FollowPayload:
        return await _following(info, input, False)


async def _following(info: strawberry.Info, input: FollowInput, following: bool
                     ) -> FollowPayload:
    ctx = info.context

    async def action():
        record_type, record_id = parse_typed_id(input.record, COMMENTABLE, "record")
        return record_type, await follow(record_type, record_id, following, ctx.uow(),
                                         ctx.access)

    payload = await mutate_any(info, FollowPayload, "record", action)
    if not payload.errors:
        payload.following = following
    return payload
