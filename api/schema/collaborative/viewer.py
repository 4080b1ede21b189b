"""me: who the caller is and what the policy lets them do, so a frontend knows what to show."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.schema.fields import wrap
from api.schema.operational.contacts import Contact
from api.schema.operational.partners import Partner
from api.schema.operational.users import StaffRole, User
from domain.access import Access, Action, RecordRule

Principal = Annotated[User | Partner | Contact, strawberry.union(
    "Principal", description="The staff user, the partner, or the customer's own contact.")]


@strawberry.type(description="What the caller may read and write on one type.")
class TypePermission:
    type: str = strawberry.field(description="The GraphQL type, e.g. Contact.")
    readable: list[str] = strawberry.field(description="Fields the caller may read.")
    writable: list[str] = strawberry.field(description="Fields the caller may set.")
    can_create: bool = strawberry.field(description="Whether the caller may create one.")
    can_archive: bool = strawberry.field(description="Whether the caller may archive one.")


def permissions(access: Access) -> list[TypePermission]:
    """The policy as it applies to this caller: a type it reaches no record of shows no fields."""
    result = []
    for type_name in sorted(set(access.readable) | set(access.writable)):
        reads = access.read_rule(type_name) is not RecordRule.NONE or type_name not in (
            access.read_rules)
        writes = access.write_rule(type_name) is not RecordRule.NONE or type_name not in (
            access.write_rules)
        result.append(TypePermission(
            type=type_name,
            readable=sorted(access.readable.get(type_name, ())) if reads else [],
            writable=sorted(access.writable.get(type_name, ())) if writes else [],
            can_create=writes and access.can(type_name, Action.CREATE),
            can_archive=writes and access.can(type_name, Action.ARCHIVE),
        ))
    return result


@strawberry.type(description="The caller: a staff user, a partner, or a customer.")
class Viewer:
    role: StaffRole = strawberry.field(description="The caller's role.")
    scopes: list[str] = strawberry.field(description="Scopes of a partner's token; empty otherwise.")
    permissions: list[TypePermission] = strawberry.field(
        description="Per type, the fields the caller may read and write.")

    @strawberry.field(description="The user, partner or contact the caller acts as.")
    async def principal(self, info: strawberry.Info) -> Principal | None:
        actor = info.context.principal.actor
        return wrap(actor.type, await info.context.loaders.by_id(actor.type).load(actor.id))
