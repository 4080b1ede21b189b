"""The organisation: users, territories and partners, and partner registrations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.resolvers.common import fixed_page, mutate, save_record
from api.schema import forms
from api.schema.ids import parse_id, parse_typed_id
from api.schema.operational.partners import (
    Partner,
    PartnerInput,
    PartnerPayload,
    PartnerRegistrationInput,
)
from api.schema.operational.territories import Territory, TerritoryInput, TerritoryPayload
from api.schema.operational.users import User, UserCreateInput, UserPayload, UserUpdateInput
from api.schema.relay import After, Before, Connection, First, Last, arg
from domain.filters import OrderTerm
from domain.services.directory import PARTNER, REGISTRABLE, TERRITORY, USER, register

USERS = forms.Page("User", (OrderTerm("name"),))
TERRITORIES = forms.Page("Territory", (OrderTerm("name"),))
PARTNERS = forms.Page("Partner", (OrderTerm("name"),))


@strawberry.type
class DirectoryQueries:
    @strawberry.field(description="Staff users, by name.", metadata=forms.compiled(USERS))
    async def users(self, info: strawberry.Info, first: First = None, after: After = None,
                    last: Last = None, before: Before = None) -> Connection[User]:
        return await fixed_page(info, USERS, first, after, last, before)

    @strawberry.field(description="Territories, by name.", metadata=forms.compiled(TERRITORIES))
    async def territories(self, info: strawberry.Info, first: First = None, after: After = None,
                          last: Last = None, before: Before = None) -> Connection[Territory]:
        return await fixed_page(info, TERRITORIES, first, after, last, before)

    @strawberry.field(description="Partners you may see, by name.",
                      metadata=forms.compiled(PARTNERS))
    async def partners(self, info: strawberry.Info, first: First = None, after: After = None,
                       last: Last = None, before: Before = None) -> Connection[Partner]:
        return await fixed_page(info, PARTNERS, first, after, last, before)


UserCreateArg = Annotated[UserCreateInput, arg("The new user.")]
UserUpdateArg = Annotated[UserUpdateInput, arg("The user, its version, and the changes.")]
TerritoryArg = Annotated[TerritoryInput, arg("The territory: without id to create one.")]
PartnerArg = Annotated[PartnerInput, arg("The partner: without id to create one.")]
RegistrationArg = Annotated[PartnerRegistrationInput, arg("The partner and the record.")]


@strawberry.type
class DirectoryMutations:
    @strawberry.mutation(description="Add a member of staff. Admins only.")
    async def user_create(self, info: strawberry.Info, input: UserCreateArg) -> UserPayload:
        return await save_record(info, USER, input, UserPayload, "user")

    @strawberry.mutation(description="Change a user's email, name, role, territory or activity.")
    async def user_update(self, info: strawberry.Info, input: UserUpdateArg) -> UserPayload:
        return await save_record(info, USER, input, UserPayload, "user")

    @strawberry.mutation(description="Create or change a territory. Admins only.")
    async def territory_save(self, info: strawberry.Info, input: TerritoryArg) -> TerritoryPayload:
        return await save_record(info, TERRITORY, input, TerritoryPayload, "territory")

    @strawberry.mutation(description="Create or rename a partner. Admins only.")
    async def partner_save(self, info: strawberry.Info, input: PartnerArg) -> PartnerPayload:
        return await save_record(info, PARTNER, input, PartnerPayload, "partner")

    @strawberry.mutation(description="Let a partner's portal reach an account or a contact.")
    async def partner_register(self, info: strawberry.Info,
                               input: RegistrationArg) -> PartnerPayload:
        return await _registration(info, input, registered=True)

    @strawberry.mutation(description="Stop a partner's portal from reaching a record.")
    async def partner_unregister(self, info: strawberry.Info,
                                 input: RegistrationArg) -> PartnerPayload:
        return await _registration(info, input, registered=False)


async def _registration(info: strawberry.Info, input: PartnerRegistrationInput, registered: bool):
    ctx = info.context

    async def action():
        partner_id = parse_id(input.partner_id, "Partner", "partnerId")
        record_type, record_id = parse_typed_id(input.record_id, REGISTRABLE, "recordId")
        return await register(partner_id, record_type, record_id, registered, ctx.uow(),
                              ctx.access)

    return await mutate(info, PartnerPayload, "partner", "Partner", action)
