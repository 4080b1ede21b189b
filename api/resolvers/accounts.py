"""account, accounts, and the account mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.resolvers.common import get_record, list_records, mutate
from api.schema import forms
from api.schema.ids import parse_id
from api.schema.operational.accounts import (
    Account,
    AccountCreateInput,
    AccountFilter,
    AccountOrder,
    AccountPayload,
    AccountUpdateInput,
)
from api.schema.operational.inputs import ArchiveInput, field_values
from api.schema.relay import After, Before, Connection, First, IncludeArchived, Last, NodeId, arg
from domain.accounts import REFERENCES
from domain.services.accounts import ACCOUNT
from domain.services.records import archive_record, create_record, update_record

FilterArg = Annotated[AccountFilter | None, arg("Which accounts to list.")]
OrderArg = Annotated[list[AccountOrder] | None, arg("Sort keys, most significant first; default: createdAt.")]
CreateArg = Annotated[AccountCreateInput, arg("The new account.")]
UpdateArg = Annotated[AccountUpdateInput, arg("The account, its version, and the fields to change.")]
ArchiveArg = Annotated[ArchiveInput, arg("The account and its version.")]


@strawberry.type
class AccountQueries:
    @strawberry.field(description="An account by id; null when there is none you may see.",
                      metadata=forms.compiled(forms.ById("Account")))
    async def account(self, info: strawberry.Info, id: NodeId) -> Account | None:
        return await get_record(info, "Account", id)

    @strawberry.field(description="Accounts you may see; first/last run from 1 to 100 (default 20).",
                      metadata=forms.compiled(forms.Listing("Account", REFERENCES)))
    async def accounts(
        self, info: strawberry.Info, first: First = None, after: After = None,
        last: Last = None, before: Before = None, filter: FilterArg = None,
        order_by: OrderArg = None, include_archived: IncludeArchived = False,
    ) -> Connection[Account]:
        return await list_records(info, "Account", first=first, after=after, last=last,
                                  before=before, filter=filter, order_by=order_by,
                                  references=REFERENCES, include_archived=include_archived)


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description="Create an account.")
    async def account_create(self, info: strawberry.Info,
                             input: CreateArg) -> AccountPayload:
        ctx = info.context

        async def action():
            return await create_record(ACCOUNT, field_values(input, REFERENCES), ctx.uow(),
                                       ctx.access)

        return await mutate(info, AccountPayload, "account", "Account", action)

    @strawberry.mutation(description="Change an account; `version` must be the one you last read.")
    async def account_update(self, info: strawberry.Info,
                             input: UpdateArg) -> AccountPayload:
        ctx = info.context

        async def action():
            return await update_record(ACCOUNT, parse_id(input.id, "Account"), input.version,
                                       field_values(input, REFERENCES), ctx.uow(), ctx.access)

        return await mutate(info, AccountPayload, "account", "Account", action)

    @strawberry.mutation(description="Archive an account: it leaves lists but keeps its history.")
    async def account_archive(self, info: strawberry.Info, input: ArchiveArg) -> AccountPayload:
        ctx = info.context

        async def action():
            return await archive_record(ACCOUNT, parse_id(input.id, "Account"), input.version,
                                        ctx.uow(), ctx.access)

        return await mutate(info, AccountPayload, "account", "Account", action)
