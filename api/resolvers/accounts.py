"""account, accounts, and the account mutations."""

from __future__ import annotations

import strawberry

from api.resolvers.common import get_record, list_records, mutate
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
from api.schema.relay import Connection
from domain.accounts import REFERENCES
from domain.services.accounts import ACCOUNT
from domain.services.records import archive_record, create_record, update_record


@strawberry.type
class AccountQueries:
    @strawberry.field(description="An account by id; null when there is none you may see.")
    async def account(self, info: strawberry.Info, id: strawberry.ID) -> Account | None:
        return await get_record(info, "Account", id)

    @strawberry.field(description="Accounts you may see; first/last run from 1 to 100 (default 20).")
    async def accounts(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None, filter: AccountFilter | None = None,
        order_by: list[AccountOrder] | None = None, include_archived: bool = False,
    ) -> Connection[Account]:
        return await list_records(info, "Account", first=first, after=after, last=last,
                                  before=before, filter=filter, order_by=order_by,
                                  references=REFERENCES, include_archived=include_archived)


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description="Create an account.")
    async def account_create(self, info: strawberry.Info,
                             input: AccountCreateInput) -> AccountPayload:
        ctx = info.context

        async def action():
            return await create_record(ACCOUNT, field_values(input, REFERENCES), ctx.uow(),
                                       ctx.access)

        return await mutate(info, AccountPayload, "account", "Account", action)

    @strawberry.mutation(description="Change an account; `version` must be the one you last read.")
    async def account_update(self, info: strawberry.Info,
                             input: AccountUpdateInput) -> AccountPayload:
        ctx = info.context

        async def action():
            return await update_record(ACCOUNT, parse_id(input.id, "Account"), input.version,
                                       field_values(input, REFERENCES), ctx.uow(), ctx.access)

        return await mutate(info, AccountPayload, "account", "Account", action)

    @strawberry.mutation(description="Archive an account: it leaves lists but keeps its history.")
    async def account_archive(self, info: strawberry.Info, input: ArchiveInput) -> AccountPayload:
        ctx = info.context

        async def action():
            return await archive_record(ACCOUNT, parse_id(input.id, "Account"), input.version,
                                        ctx.uow(), ctx.access)

        return await mutate(info, AccountPayload, "account", "Account", action)
