"""consentGrant and consentWithdraw."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.resolvers.common import mutate
from api.schema.errors import UserError
from api.schema.ids import parse_id
from api.schema.operational.consents import Channel, Consent
from api.schema.operational.inputs import payload_errors_field
from api.schema.relay import arg
from domain.consents import ConsentStatus
from domain.services.consents import record_consent


@strawberry.input(description="A contact's decision for one channel and purpose.")
class ConsentInput:
    contact_id: strawberry.ID = strawberry.field(description="The contact.")
    channel: Channel = strawberry.field(description="The channel.")
    purpose: str = strawberry.field(description="A slug such as `newsletter`.")
    source: str = strawberry.field(description="Where the decision was made, e.g. `portal`.")


@strawberry.type(description="The result of a consent mutation.")
class ConsentPayload:
    consent: Consent | None = strawberry.field(default=None, description="The consent as it is now.")
    errors: list[UserError] = payload_errors_field()


async def _record(info: strawberry.Info, input: ConsentInput, status: ConsentStatus):
    ctx = info.context

    async def action():
        contact_id = parse_id(input.contact_id, "Contact", "contactId")
        return await record_consent(contact_id, input.channel, input.purpose, input.source,
                                    status, ctx.uow(), ctx.access)

    return await mutate(info, ConsentPayload, "consent", "Consent", action)


ConsentArg = Annotated[ConsentInput, arg("The contact, channel, purpose and source.")]


@strawberry.type
class ConsentMutations:
    @strawberry.mutation(description="Record that the contact grants consent.")
    async def consent_grant(self, info: strawberry.Info, input: ConsentArg) -> ConsentPayload:
        return await _record(info, input, ConsentStatus.GRANTED)

    @strawberry.mutation(description="Record that the contact withdraws consent.")
    async def consent_withdraw(self, info: strawberry.Info, input: ConsentArg) -> ConsentPayload:
        return await _record(info, input, ConsentStatus.WITHDRAWN)
