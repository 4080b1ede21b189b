"""accountContactLink and accountContactUnlink."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.resolvers.common import mutate
from api.schema.errors import UserError
from api.schema.ids import parse_id
from api.schema.operational.contacts import Contact
from api.schema.operational.inputs import payload_errors_field
from api.schema.relay import arg
from domain.services.links import link_contact, unlink_contact


@strawberry.input(description="Put a contact in an account, or change the role it has there.")
class AccountContactLinkInput:
    account_id: strawberry.ID = strawberry.field(description="The account.")
    contact_id: strawberry.ID = strawberry.field(description="The contact.")
    job_title: str | None = strawberry.field(default=None, description="Job title there.")
    is_decision_maker: bool = strawberry.field(default=False, description="Decides purchases.")


@strawberry.input(description="Take a contact out of an account.")
class AccountContactUnlinkInput:
    account_id: strawberry.ID = strawberry.field(description="The account.")
    contact_id: strawberry.ID = strawberry.field(description="The contact.")


@strawberry.type(description="The result of linking or unlinking.")
class AccountContactPayload:
    contact: Contact | None = strawberry.field(default=None, description="The contact, as it is now.")
    errors: list[UserError] = payload_errors_field()


def _ids(input) -> tuple:
    return (parse_id(input.account_id, "Account", "accountId"),
            parse_id(input.contact_id, "Contact", "contactId"))


LinkArg = Annotated[AccountContactLinkInput, arg("The account, the contact and the role.")]
UnlinkArg = Annotated[AccountContactUnlinkInput, arg("The account and the contact.")]


@strawberry.type
class LinkMutations:
    @strawberry.mutation(description="Link a contact to an account with a job title.")
    async def account_contact_link(self, info: strawberry.Info,
                                   input: LinkArg) -> AccountContactPayload:
        ctx = info.context

        async def action():
            account_id, contact_id = _ids(input)
            await link_contact(account_id, contact_id, input.job_title, input.is_decision_maker,
                               ctx.uow(), ctx.access)
            return contact_id

        return await mutate(info, AccountContactPayload, "contact", "Contact", action)

    @strawberry.mutation(description="Unlink a contact from an account.")
    async def account_contact_unlink(self, info: strawberry.Info,
                                     input: UnlinkArg) -> AccountContactPayload:
        ctx = info.context

        async def action():
            account_id, contact_id = _ids(input)
            await unlink_contact(account_id, contact_id, ctx.uow(), ctx.access)
            return contact_id

        return await mutate(info, AccountContactPayload, "contact", "Contact", action)
