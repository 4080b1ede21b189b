"""User: a member of staff, with a role and a territory."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry
from strawberry import UNSET

from api.schema.declared_fields import declared
from api.schema.errors import UserError
from api.schema.fields import node_id, record_type
from api.schema.operational.inputs import payload_errors_field
from api.schema.relay import Node
from domain.access import Role
from persistence.users import USER

if TYPE_CHECKING:
    pass

StaffRole = strawberry.enum(Role, name="Role", description="A principal's role.")


@record_type("User")
@strawberry.type(description="A member of staff.")
@declared(USER)
class User(Node):
    data: strawberry.Private[dict]

    id: strawberry.ID = node_id("User")


@strawberry.input(description="A new member of staff.")
class UserCreateInput:
    email: str | None = strawberry.field(default=UNSET, description="Sign-in email (required).")
    name: str | None = strawberry.field(default=UNSET, description="Full name (required).")
    role: StaffRole | None = strawberry.field(default=UNSET, description="A staff role (required).")
    territory: strawberry.ID | None = strawberry.field(default=UNSET, description="A Territory id.")


@strawberry.input(description="Changes to a user; fields left out stay as they are.")
class UserUpdateInput:
    id: strawberry.ID = strawberry.field(description="The user.")
    version: int = strawberry.field(description="The version you last read.")
    email: str | None = strawberry.field(default=UNSET, description="Sign-in email.")
    name: str | None = strawberry.field(default=UNSET, description="Full name.")
    role: StaffRole | None = strawberry.field(default=UNSET, description="A staff role.")
    territory: strawberry.ID | None = strawberry.field(default=UNSET, description="A Territory id.")
    active: bool | None = strawberry.field(default=UNSET, description="false: the user cannot sign in.")


@strawberry.type(description="The result of a user mutation.")
class UserPayload:
    user: User | None = strawberry.field(default=None, description="The user as it is now.")
    errors: list[UserError] = payload_errors_field()
