"""contact, contacts, and the contact mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.resolvers.common import get_record, list_records, mutate
from api.schema import forms
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
from api.schema.relay import After, Before, Connection, First, IncludeArchived, Last, NodeId, arg
from domain.contacts import REFERENCES
from domain.services.contacts import CONTACT
from domain.services.records import archive_record, create_record, update_record

FilterArg = Annotated[ContactFilter | None, arg("Which contacts to list.")]
OrderArg = Annotated[list[ContactOrder] | None, arg("Sort keys, most significant first; default: createdAt.")]
CreateArg = Annotated[ContactCreateInput, arg("The new contact.")]
UpdateArg = Annotated[ContactUpdateInput, arg("The contact, its version, and the fields to change.")]
ArchiveArg = Annotated[ArchiveInput, arg("The contact and its version.")]


@strawberry.type
class ContactQueries:
    @strawberry.field(description="A contact by id; null when there is none you may see.",
                      metadata=forms.compiled(forms.ById("Contact")))
    async def contact(self, info: strawberry.Info, id: NodeId) -> Contact | None:
        return await get_record(info, "Contact", id)

    @strawberry.field(description="Contacts you may see; first/last run from 1 to 100 (default 20).",
                      metadata=forms.compiled(forms.Listing("Contact", REFERENCES)))
    async def contacts(
        self, info: strawberry.Info, first: First = None, after: After = None,
        last: Last = None, before: Before = None, filter: FilterArg = None,
        order_by: OrderArg = None, include_archived: IncludeArchived = False,
    ) -> Connection[Contact]:
        return await list_records(info, "Contact", first=first, after=after, last=last,
                                  before=before, filter=filter, order_by=order_by,
                                  references=REFERENCES, include_archived=include_archived)


@strawberry.type
class ContactMutations:
    @strawberry.mutation(description="Create a contact.")
    async def contact_create(self, info: strawberry.Info,
                             input: CreateArg) -> ContactPayload:
        ctx = info.context

        async def action():
            return await create_record(CONTACT, field_values(input, REFERENCES), ctx.uow(),
                                       ctx.access)

        return await mutate(info, ContactPayload, "contact", "Contact", action)

    @strawberry.mutation(description="Change a contact; `version` must be the one you last read.")
    async def contact_update(self, info: strawberry.Info,
                             input: UpdateArg) -> ContactPayload:
        ctx = info.context

        async def action():
            return await update_record(CONTACT, parse_id(input.id, "Contact"), input.version,
                                       field_values(input, REFERENCES), ctx.uow(), ctx.access)

        return await mutate(info, ContactPayload, "contact", "Contact", action)

    @strawberry.mutation(description="Archive a contact: it leaves lists but keeps its history.")
    async def contact_archive(self, info: strawberry.Info, input: ArchiveArg) -> ContactPayload:
        ctx = info.context

        async def action():
            return await archive_record(CONTACT, parse_id(input.id, "Contact"), input.version,
                                        ctx.uow(), ctx.access)

        return await mutate(info, ContactPayload, "contact", "Contact", action)
