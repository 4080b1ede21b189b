"""Partner: an organisation whose portal reaches the records registered to it."""

from __future__ import annotations

import strawberry

from api.schema.fields import column, node_id, record_type
from api.schema.relay import Node


@record_type("Partner")
@strawberry.type(description="A partner organisation, e.g. a reseller.")
class Partner(Node):
    data: strawberry.Private[dict]

    id: strawberry.ID = node_id("Partner")
    name: str | None = column("Name, unique across partners.")
