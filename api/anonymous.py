"""Requests without a token. They are refused (401, as ever) unless all they do is answer a
survey through an invitation's signed link: `surveyRespondByLink`, whose token argument is
the credential, and whose use case acts only as the invited contact. Such a caller is the
anonymous principal, which the policy grants nothing, rate-limited by its address.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from graphql import FieldNode, OperationDefinitionNode, OperationType
from starlette.requests import Request

from api.graphql_errors import Refusal, refusal
from api.ratelimit import RateLimit, RateLimitExceeded
from auth.principal import Principal

PUBLIC_MUTATIONS = frozenset({"surveyRespondByLink"})
ANONYMOUS = Principal.anonymous()


class NotPublic(Exception):
    """The operation needs a token."""


class RateLimited(Exception):
    """Too many requests without a token from one address: the refusal to answer with."""

    def __init__(self, refused: Refusal) -> None:
        super().__init__(str(refused))
        self.refused = refused


def only_public(ast: OperationDefinitionNode) -> bool:
    """A mutation whose every root field is a public one (or __typename), and one at least."""
    if ast.operation is not OperationType.MUTATION:
        return False
    names = [s.name.value if isinstance(s, FieldNode) else None
             for s in ast.selection_set.selections]
    return (any(n in PUBLIC_MUTATIONS for n in names)
            and all(n in PUBLIC_MUTATIONS or n == "__typename" for n in names))


async def or_authenticated(request: Request, info, authenticate) -> Principal | None:
    """The caller of a request with a token; None, to be decided by the operation, without."""
    if not request.headers.get("authorization"):
        return None
    return await authenticate(request, info)


def principal_for(ast: OperationDefinitionNode, request: Request,
                  rate_limit: RateLimit | None) -> Principal:
    """The anonymous principal, for a public operation (NotPublic else), within its address's
    rate limit."""
    if not only_public(ast):
        raise NotPublic
    if rate_limit is not None:
        address = request.client.host if request.client else "unknown"
        try:
            rate_limit.hit(f"address:{address}")
        except RateLimitExceeded as exc:
            raise RateLimited(refusal.rate_limited(exc.retry_after, str(exc))) from None
    return ANONYMOUS


@contextlib.asynccontextmanager
async def refused_as_unauthenticated(principal: Principal | None,
                                     authenticate: Callable[..., Awaitable[Principal]],
                                     request: Request, info) -> AsyncIterator[None]:
    """Without a token, whatever is wrong with the request, or an operation that is not
    public, is answered as before links existed: the missing token's 401."""
    try:
        yield
    except RateLimited as exc:
        raise exc.refused from None
    except Exception:
        if principal is not None:
            raise
        await authenticate(request, info)  # raises the 401, and counts the failure
        raise
