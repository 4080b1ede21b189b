"""noteCreate: an internal note on a contact or an account."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.resolvers.common import mutate
from api.schema.errors import UserError
from api.schema.ids import from_global_id, parse_id
from api.schema.operational.inputs import payload_errors_field
from api.schema.operational.notes import Note
from api.schema.relay import arg
from domain.services.notes import NOTED_TYPES, create_note


@strawberry.input(description="A note to attach to a contact or an account.")
class NoteCreateInput:
    record_id: strawberry.ID = strawberry.field(description="The contact or account.")
    body: str = strawberry.field(description="The text, up to 20,000 characters.")


@strawberry.type(description="The result of noteCreate.")
class NotePayload:
    note: Note | None = strawberry.field(default=None, description="The new note.")
    errors: list[UserError] = payload_errors_field()


NoteArg = Annotated[NoteCreateInput, arg("The record and the text.")]


@strawberry.type
class NoteMutations:
    @strawberry.mutation(description="Attach an internal note to a contact or an account.")
    async def note_create(self, info: strawberry.Info, input: NoteArg) -> NotePayload:
        ctx = info.context

        async def action():
            record_id = parse_id(input.record_id, NOTED_TYPES, "recordId")
            record_type, _ = from_global_id(input.record_id)
            return await create_note(record_type, record_id, input.body, ctx.uow(), ctx.access)

        return await mutate(info, NotePayload, "note", "Note", action)
