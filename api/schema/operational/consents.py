"""Consent: a contact's latest decision for one channel and purpose."""

from __future__ import annotations

import strawberry

from api.schema.declared_fields import declared
from api.schema.fields import node_id, record_type
from api.schema.relay import Node
from domain.consents import ConsentChannel, ConsentStatus
from persistence.consents import CONSENT

Channel = strawberry.enum(ConsentChannel, description="A way of reaching a contact.")
Status = strawberry.enum(ConsentStatus, description="Granted or withdrawn.")


@record_type("Consent")
@strawberry.type(description="Permission to contact a person on a channel for a purpose.")
@declared(CONSENT)
class Consent(Node):
    data: strawberry.Private[dict]

    id: strawberry.ID = node_id("Consent")
