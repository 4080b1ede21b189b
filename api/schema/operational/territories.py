"""Territory: a node of the sales-region hierarchy."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.schema.fields import check_readable, column, node_id, record_type, reference, wrap
from api.schema.relay import Node


@record_type("Territory")
@strawberry.type(description="A sales region; territories form a hierarchy.")
class Territory(Node):
    data: strawberry.Private[dict]

    id: strawberry.ID = node_id("Territory")
    name: str | None = column("Name, unique across territories.")
    parent: Annotated["Territory", strawberry.lazy(__name__)] | None = reference(
        "Territory", "The territory this one belongs to; null at the top.")

    @strawberry.field(description="Territories directly below this one, by name.")
    async def children(self, info: strawberry.Info) -> list[Territory] | None:
        check_readable(info)
        rows = await info.context.loaders.territories_by_parent_id.load(self.data["id"])
        return [wrap("Territory", r) for r in rows]
