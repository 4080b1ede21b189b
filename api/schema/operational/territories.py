"""Territory: a node of the sales-region hierarchy."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import UNSET

from api.schema.declared_fields import declared
from api.schema.errors import UserError
from api.schema.fields import (
    child_list,
    node_id,
    record_type,
)
from api.schema.operational.inputs import payload_errors_field
from api.schema.relay import Node
from persistence.territories import TERRITORY


@record_type("Territory")
@strawberry.type(description="A sales region; territories form a hierarchy.")
@declared(TERRITORY)
class Territory(Node):
    data: strawberry.Private[dict]

    id: strawberry.ID = node_id("Territory")
    children: list[Annotated["Territory", strawberry.lazy(__name__)]] | None = child_list(
        "children", "Territory", "Territories directly below this one, by name.")


@strawberry.input(description="A new territory, or changes to one (id and version to change).")
class TerritoryInput:
    id: strawberry.ID | None = strawberry.field(default=UNSET, description="The territory to change.")
    version: int | None = strawberry.field(default=UNSET, description="Its version, to change it.")
    name: str | None = strawberry.field(default=UNSET, description="Name, unique (required to create).")
    parent: strawberry.ID | None = strawberry.field(default=UNSET, description="The territory above.")


@strawberry.type(description="The result of a territory mutation.")
class TerritoryPayload:
    territory: Territory | None = strawberry.field(default=None, description="As it is now.")
    errors: list[UserError] = payload_errors_field()
