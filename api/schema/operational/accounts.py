"""Account: an organisation, with its contacts, parent, owner and territory."""

from __future__ import annotations

import strawberry
from strawberry import UNSET

from api.schema import forms
from api.schema.analytical.rfm import Rfm, rfm_field
from api.schema.custom_values import CustomValueInput, custom_values_input
from api.schema.declared_fields import declared
from api.schema.errors import UserError, load_page
from api.schema.fields import check_readable, node_id, record_type, wrap
from api.schema.filters import (
    order_input,
)
from api.schema.operational.inputs import payload_errors_field
from api.schema.operational.memberships import AccountContactConnection, membership_connection
from api.schema.operational.notes import Note, notes_of
from api.schema.operational.refs import OpportunityRef
from api.schema.record_inputs import record_filter, record_order_field
from api.schema.relay import After, Before, Connection, First, Last, Record, connection, page_args
from domain.accounts import AccountSize
from persistence.accounts import ACCOUNT

Size = strawberry.enum(AccountSize, description="Headcount band of an organisation.")


@record_type("Account")
@strawberry.type(description="An organisation the company does business with.")
@declared(ACCOUNT)
class Account(Record):
    id: strawberry.ID = node_id("Account")
    rfm: Rfm | None = rfm_field()

    @strawberry.field(description="The people at this account, by last name.",
                      metadata=forms.compiled(forms.Link("Contact")))
    async def contacts(self, info: strawberry.Info, first: First = None,
                       after: After = None, last: Last = None,
                       before: Before = None) -> AccountContactConnection | None:
        check_readable(info)
        request = page_args(info, first, after, last, before)
        page = await load_page(info.context.loaders.contacts_by_account_id,
                               (self.data["id"], request))
        return membership_connection(page, "Contact")

    @strawberry.field(description="Internal notes, newest first.", metadata=forms.compiled(forms.Notes()))
    async def notes(self, info: strawberry.Info, first: First = None,
                    after: After = None, last: Last = None,
                    before: Before = None) -> Connection[Note] | None:
        return await notes_of(self.data["id"], info, first, after, last, before)

    @strawberry.field(description="The account's deals you may see, newest first.",
                      metadata=forms.compiled(forms.Owned("Opportunity", "account")))
    async def opportunities(self, info: strawberry.Info, first: First = None,
                            after: After = None, last: Last = None,
                            before: Before = None) -> Connection[OpportunityRef] | None:
        check_readable(info)
        request = page_args(info, first, after, last, before)
        page = await info.context.loaders.opportunities_by_account_id.load(
            (self.data["id"], request))
        return connection(page, lambda row: wrap("Opportunity", row))


AccountFilter = record_filter(ACCOUNT, Account)
AccountOrderField = record_order_field(ACCOUNT)


AccountOrder = order_input(AccountOrderField, "AccountOrder")


@strawberry.input(description="A new account. name is required.")
class AccountCreateInput:
    name: str | None = strawberry.field(default=UNSET, description="Trading name (required).")
    legal_name: str | None = strawberry.field(default=UNSET, description="Legal name.")
    industry: str | None = strawberry.field(default=UNSET, description="Industry.")
    size: Size | None = strawberry.field(default=UNSET, description="Headcount band.")
    website: str | None = strawberry.field(default=UNSET, description="Website; https:// is added.")
    tier: str | None = strawberry.field(default=UNSET, description="Service tier, e.g. GOLD.")
    external_id: str | None = strawberry.field(
        default=UNSET, description="Its id in another system, unique among live accounts: an "
                                   "import matches on it first.")
    parent: strawberry.ID | None = strawberry.field(default=UNSET, description="An Account id.")
    owner: strawberry.ID | None = strawberry.field(
        default=UNSET, description="A User id; defaults to the member of staff creating it.")
    territory: strawberry.ID | None = strawberry.field(default=UNSET, description="A Territory id.")
    custom_fields: list[CustomValueInput] | None = custom_values_input(creating=True)
    allow_duplicate: bool = strawberry.field(
        default=False, description="Create it even when it likely duplicates an account you "
                                   "may read; otherwise that is a DUPLICATE error.")


@strawberry.input(description="Changes to an account; fields left out stay as they are.")
class AccountUpdateInput:
    id: strawberry.ID = strawberry.field(description="The account.")
    version: int = strawberry.field(description="The version you last read; a stale one is refused.")
    name: str | None = strawberry.field(default=UNSET, description="Trading name.")
    legal_name: str | None = strawberry.field(default=UNSET, description="Legal name.")
    industry: str | None = strawberry.field(default=UNSET, description="Industry.")
    size: Size | None = strawberry.field(default=UNSET, description="Headcount band.")
    website: str | None = strawberry.field(default=UNSET, description="Website.")
    tier: str | None = strawberry.field(default=UNSET, description="Service tier, e.g. GOLD.")
    external_id: str | None = strawberry.field(
        default=UNSET, description="Its id in another system, unique among live accounts: an "
                                   "import matches on it first.")
    parent: strawberry.ID | None = strawberry.field(default=UNSET, description="An Account id.")
    owner: strawberry.ID | None = strawberry.field(default=UNSET, description="A User id.")
    territory: strawberry.ID | None = strawberry.field(default=UNSET, description="A Territory id.")
    custom_fields: list[CustomValueInput] | None = custom_values_input(creating=False)


@strawberry.type(description="The result of an account mutation.")
class AccountPayload:
    account: Account | None = strawberry.field(
        default=None, description="The account as it is now; null when nothing was written.")
    errors: list[UserError] = payload_errors_field()
