"""User: a member of staff, with a role and a territory."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.schema.fields import column, node_id, record_type, reference
from api.schema.relay import Node
from domain.access import Role

if TYPE_CHECKING:
    from api.schema.operational.territories import Territory

StaffRole = strawberry.enum(Role, name="Role", description="A principal's role.")


@record_type("User")
@strawberry.type(description="A member of staff.")
class User(Node):
    data: strawberry.Private[dict]

    id: strawberry.ID = node_id("User")
    email: str | None = column("Sign-in email.")
    name: str | None = column("Full name.")
    role: StaffRole | None = column("What the user may do: see the access policy.")
    active: bool | None = column("Inactive users cannot sign in.")
    version: int | None = column("Optimistic-concurrency version.")
    territory: Annotated["Territory", strawberry.lazy("api.schema.operational.territories")] | None = (
        reference("Territory", "The user's home territory."))
