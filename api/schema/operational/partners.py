"""Partner: an organisation whose portal reaches the records registered to it."""

from __future__ import annotations

import strawberry
from strawberry import UNSET

from api.schema.declared_fields import declared
from api.schema.errors import UserError
from api.schema.fields import node_id, record_type
from api.schema.operational.inputs import payload_errors_field
from api.schema.relay import Node
from persistence.partners import PARTNER


@record_type("Partner")
@strawberry.type(description="A partner organisation, e.g. a reseller.")
@declared(PARTNER)
class Partner(Node):
    data: strawberry.Private[dict]

    id: strawberry.ID = node_id("Partner")


@strawberry.input(description="A new partner, or changes to one (id and version to change).")
class PartnerInput:
    id: strawberry.ID | None = strawberry.field(default=UNSET, description="The partner to change.")
    version: int | None = strawberry.field(default=UNSET, description="Its version, to change it.")
    name: str | None = strawberry.field(default=UNSET, description="Name, unique (required to create).")


@strawberry.input(description="A record to register to a partner, or to take back.")
class PartnerRegistrationInput:
    partner_id: strawberry.ID = strawberry.field(description="The partner.")
    record_id: strawberry.ID = strawberry.field(description="An Account or a Contact.")


@strawberry.type(description="The result of a partner mutation.")
class PartnerPayload:
    partner: Partner | None = strawberry.field(default=None, description="As it is now.")
    errors: list[UserError] = payload_errors_field()
