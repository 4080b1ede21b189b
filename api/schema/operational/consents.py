"""Consent: a contact's latest decision for one channel and purpose."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.schema.fields import column, node_id, record_type
from api.schema.relay import Node
from domain.consents import ConsentChannel, ConsentStatus

Channel = strawberry.enum(ConsentChannel, description="A way of reaching a contact.")
Status = strawberry.enum(ConsentStatus, description="Granted or withdrawn.")


@record_type("Consent")
@strawberry.type(description="Permission to contact a person on a channel for a purpose.")
class Consent(Node):
    data: strawberry.Private[dict]

    id: strawberry.ID = node_id("Consent")
    channel: Channel | None = column("The channel.")
    purpose: str | None = column("The purpose, a slug such as `newsletter`.")
    status: Status | None = column("The latest decision.")
    recorded_at: datetime | None = column("When the decision was recorded.")
    source: str | None = column("Where the decision was made, e.g. `portal` or `web-form:signup`.")
    version: int | None = column("Increases with every decision.")
