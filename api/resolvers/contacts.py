"""contact, contacts, and the contact mutations."""

from __future__ import annotations

import strawberry

from api.resolvers.common import get_record, list_records, mutate
from api.schema.ids import parse_id
from api.schema.operational.contacts import (
    Contact,
    ContactCreateInput,
    ContactFilter,
    ContactOrder,
    ContactPayload,
    ContactUpdateInput,
)
from api.schema.operational.inputs import ArchiveInput, field_values
from api.schema.relay import Connection
from domain.contacts import REFERENCES
from domain.services.contacts import CONTACT
from domain.services.records import archive_record, create_record, update_record


@strawberry.type
class ContactQueries:
    @strawberry.field(description="A contact by id; null when there is none you may see.")
    async def contact(self, info: strawberry.Info, id: strawberry.ID) -> Contact | None:
        return await get_record(info, "Contact", id)

    @strawberry.field(description="Contacts you may see; first/last run from 1 to 100 (default 20).")
    async def contacts(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None, filter: ContactFilter | None = None,
        order_by: list[ContactOrder] | None = None, include_archived: bool = False,
    ) -> Connection[Contact]:
        return await list_records(info, "Contact", first=first, after=after, last=last,
                                  before=before, filter=filter, order_by=order_by,
                                  references=REFERENCES, include_archived=include_archived)


@strawberry.type
class ContactMutations:
    @strawberry.mutation(description="Create a contact.")
    async def contact_create(self, info: strawberry.Info,
                             input: ContactCreateInput) -> ContactPayload:
        ctx = info.context

        async def action():
            return await create_record(CONTACT, field_values(input, REFERENCES), ctx.uow(),
                                       ctx.access)

        return await mutate(info, ContactPayload, "contact", "Contact", action)

    @strawberry.mutation(description="Change a contact; `version` must be the one you last read.")
    async def contact_update(self, info: strawberry.Info,
                             input: ContactUpdateInput) -> ContactPayload:
        ctx = info.context

        async def action():
            return await update_record(CONTACT, parse_id(input.id, "Contact"), input.version,
                                       field_values(input, REFERENCES), ctx.uow(), ctx.access)

        return await mutate(info, ContactPayload, "contact", "Contact", action)

    @strawberry.mutation(description="Archive a contact: it leaves lists but keeps its history.")
    async def contact_archive(self, info: strawberry.Info, input: ArchiveInput) -> ContactPayload:
        ctx = info.context

        async def action():
            return await archive_record(CONTACT, parse_id(input.id, "Contact"), input.version,
                                        ctx.uow(), ctx.access)

        return await mutate(info, ContactPayload, "contact", "Contact", action)
