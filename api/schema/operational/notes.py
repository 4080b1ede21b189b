"""Note: an internal note on a contact or an account."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.schema import forms
from api.schema.declared_fields import declared
from api.schema.errors import load_page
from api.schema.fields import check_readable, node_id, record_type, wrap
from api.schema.relay import Connection, Node, connection, page_args
from domain.access import ActorRef
from persistence.notes import NOTE

if TYPE_CHECKING:
    from api.schema.operational.users import User


@record_type("Note")
@strawberry.type(description="An internal note; staff with the notes permission read it.")
@declared(NOTE)
class Note(Node):
    data: strawberry.Private[dict]

    id: strawberry.ID = node_id("Note")

    @strawberry.field(description="Who wrote it; null when written by the system.",
                      metadata=forms.compiled(forms.ActorUser()))
    async def author(
        self, info: strawberry.Info
    ) -> Annotated["User", strawberry.lazy("api.schema.operational.users")] | None:
        check_readable(info)
        actor = ActorRef.parse(self.data["author"])
        if actor.type != "User" or actor.id is None:
            return None
        return wrap("User", await info.context.loaders.by_id("User").load(actor.id))


async def notes_of(record_id, info: strawberry.Info, first, after, last, before) -> Connection[Note]:
    """The `notes` connection of a contact or an account, newest first."""
    check_readable(info)
    request = page_args(info, first, after, last, before)
    page = await load_page(info.context.loaders.notes_by_record_id, (record_id, request))
    return connection(page, lambda row: Note(data=row))
