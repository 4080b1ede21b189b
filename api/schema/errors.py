"""Errors as clients see them: UserErrors in payloads, coded GraphQL errors at paths."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from domain.errors import DomainError, ErrorCode

UserErrorCode = strawberry.enum(ErrorCode, description="Why a mutation refused its input.")


@strawberry.type(description="A problem with a mutation's input; nothing was written.")
class UserError:
    field: str | None = strawberry.field(
        description="The input field at fault, e.g. `emails[0].address`; null for the whole input.")
    code: UserErrorCode = strawberry.field(description="Stable code to switch on.")
    message: str = strawberry.field(description="A sentence for people.")


def user_errors(error: DomainError) -> list[UserError]:
    return [UserError(field=p.field, code=p.code, message=p.message) for p in error.problems]


def coded_error(message: str, code: str, **extra) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extra})


def forbidden_field(type_name: str, field_name: str) -> GraphQLError:
    return coded_error(f"You may not read {type_name}.{field_name}.", ErrorCode.FORBIDDEN.value)


def argument_error(error: DomainError) -> GraphQLError:
    """A query argument that cannot be served (page size, cursor, filter): a top-level error."""
    problem = error.problems[0]
    return coded_error(str(error), problem.code.value, argument=problem.field)


async def load_page(loader, key):
    """A nested connection's page; a bad cursor in its arguments is a coded error at its path,
    not a server error."""
    try:
        return await loader.load(key)
    except DomainError as exc:
        raise argument_error(exc) from None
