"""Account: an organisation, with its contacts, parent, owner and territory."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry import UNSET

from api.schema import forms
from api.schema.errors import UserError, load_page
from api.schema.fields import check_readable, column, node_id, record_type, reference, wrap
from api.schema.filters import (
    DateTimeFilter,
    IDFilter,
    StringFilter,
    enum_filter,
    order_input,
)
from api.schema.operational.inputs import payload_errors_field
from api.schema.operational.memberships import AccountContactConnection, membership_connection
from api.schema.operational.notes import Note, notes_of
from api.schema.operational.refs import OpportunityRef, TerritoryRef, UserRef
from api.schema.relay import After, Before, Connection, First, Last, Record, connection, page_args
from domain.accounts import AccountSize

Size = strawberry.enum(AccountSize, description="Headcount band of an organisation.")


@record_type("Account")
@strawberry.type(description="An organisation the company does business with.")
class Account(Record):
    id: strawberry.ID = node_id("Account")
    name: str | None = column("Trading name.")
    legal_name: str | None = column("Registered legal name.")
    industry: str | None = column("Industry, e.g. Software or Retail.")
    size: Size | None = column("Headcount band.")
    website: str | None = column("Website address.")
    tier: str | None = column("Service tier, e.g. GOLD; SLA policies may apply by tier.")
    parent: Annotated["Account", strawberry.lazy(__name__)] | None = reference(
        "Account", "The parent organisation, e.g. a holding company.")
    owner: UserRef | None = reference("User", "The member of staff responsible for the account.")
    territory: TerritoryRef | None = reference("Territory", "The account's territory.")

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


AccountSizeFilter = enum_filter(AccountSize, "AccountSizeFilter")


@strawberry.input(description="Which accounts to list; conditions given together must all hold.")
class AccountFilter:
    and_: list[AccountFilter] | None = strawberry.field(
        default=UNSET, name="and", description="All of these hold.")
    or_: list[AccountFilter] | None = strawberry.field(
        default=UNSET, name="or", description="At least one of these holds.")
    not_: AccountFilter | None = strawberry.field(
        default=UNSET, name="not", description="This does not hold.")
    name: StringFilter | None = strawberry.field(default=UNSET, description="Trading name.")
    legal_name: StringFilter | None = strawberry.field(default=UNSET, description="Legal name.")
    industry: StringFilter | None = strawberry.field(default=UNSET, description="Industry.")
    size: AccountSizeFilter | None = strawberry.field(default=UNSET, description="Size band.")
    website: StringFilter | None = strawberry.field(default=UNSET, description="Website.")
    tier: StringFilter | None = strawberry.field(default=UNSET, description="Service tier.")
    parent: IDFilter | None = strawberry.field(default=UNSET, description="Parent (an Account id).")
    owner: IDFilter | None = strawberry.field(default=UNSET, description="Owner (a User id).")
    territory: IDFilter | None = strawberry.field(
        default=UNSET, description="Territory (a Territory id).")
    created_at: DateTimeFilter | None = strawberry.field(default=UNSET, description="Created.")
    updated_at: DateTimeFilter | None = strawberry.field(default=UNSET, description="Changed.")


@strawberry.enum(description="Fields accounts can be sorted by.")
class AccountOrderField(Enum):
    NAME = "name"
    LEGAL_NAME = "legalName"
    INDUSTRY = "industry"
    SIZE = "size"
    CREATED_AT = "createdAt"
    UPDATED_AT = "updatedAt"


AccountOrder = order_input(AccountOrderField, "AccountOrder")


@strawberry.input(description="A new account. name is required.")
class AccountCreateInput:
    name: str | None = strawberry.field(default=UNSET, description="Trading name (required).")
    legal_name: str | None = strawberry.field(default=UNSET, description="Legal name.")
    industry: str | None = strawberry.field(default=UNSET, description="Industry.")
    size: Size | None = strawberry.field(default=UNSET, description="Headcount band.")
    website: str | None = strawberry.field(default=UNSET, description="Website; https:// is added.")
    tier: str | None = strawberry.field(default=UNSET, description="Service tier, e.g. GOLD.")
    parent: strawberry.ID | None = strawberry.field(default=UNSET, description="An Account id.")
    owner: strawberry.ID | None = strawberry.field(
        default=UNSET, description="A User id; defaults to the member of staff creating it.")
    territory: strawberry.ID | None = strawberry.field(default=UNSET, description="A Territory id.")


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
    parent: strawberry.ID | None = strawberry.field(default=UNSET, description="An Account id.")
    owner: strawberry.ID | None = strawberry.field(default=UNSET, description="A User id.")
    territory: strawberry.ID | None = strawberry.field(default=UNSET, description="A Territory id.")


@strawberry.type(description="The result of an account mutation.")
class AccountPayload:
    account: Account | None = strawberry.field(
        default=None, description="The account as it is now; null when nothing was written.")
    errors: list[UserError] = payload_errors_field()
