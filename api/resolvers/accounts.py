"""account, accounts, and the account mutations."""

from __future__ import annotations

from api.resolvers.plain import plain_record_resolvers
from api.schema.operational.accounts import (
    Account,
    AccountCreateInput,
    AccountFilter,
    AccountOrder,
    AccountPayload,
    AccountUpdateInput,
)
from domain.services.accounts import ACCOUNT

AccountQueries, AccountMutations = plain_record_resolvers(
    ACCOUNT, node=Account, filter_input=AccountFilter, order_input=AccountOrder,
    create_input=AccountCreateInput, update_input=AccountUpdateInput, payload=AccountPayload,
    name="account", plural="accounts", article="an")
