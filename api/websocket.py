"""GraphQL over WebSocket on /graphql: graphql-transport-ws only, for subscriptions only.

strawberry implements the protocol. What this module adds is the project's own guard:
- the token comes in connection_init's payload (`Authorization: Bearer …`) and is checked as
  an HTTP request's would be; it is checked again every few seconds, so that a token that
  expires or a subject that is revoked or changes role has its socket closed (4403);
- each document passes the same checks as on HTTP (depth, aliases, tokens, cost,
  introspection, the rate limit), and only subscriptions are run: queries and mutations
  go over HTTP, where the compiled path and the limits are;
- browsers may connect only from the allowed origins, and a connection holds a limited
  number of subscriptions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from graphql import OperationType
from starlette.websockets import WebSocket, WebSocketState
from strawberry import Schema
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)

from api.context import Context
from api.graphql_errors import DocumentErrors, Refusal, document_error
from api.graphql_http import GraphQLEndpoint
from api.graphql_request import Operation, RequestError
from api.live import LiveHub
from auth.principal import Principal
from auth.tokens import TokenError
from persistence.loaders import Loaders

log = logging.getLogger("crm.websocket")
FORBIDDEN = 4403


class SocketContext(Context):
    """The context of one connection's subscriptions: the caller once connection_init has
    been accepted, and loaders renewed for each event so that nothing is read from a cache."""

    def __init__(self, endpoint: GraphQLEndpoint, live: LiveHub, websocket: WebSocket) -> None:
        self.endpoint, self.live, self.websocket = endpoint, live, websocket
        self.engine, self.reader, self.clock = endpoint.engine, endpoint.reader, endpoint.clock
        self.analytics_reader = endpoint.analytics_reader
        self.tokens = endpoint.authenticator.tokens
        self.connection_params: dict | None = None
        self.principal: Principal | None = None
        self.watchdog: asyncio.Task | None = None

    def admit(self, principal: Principal) -> None:
        self.principal = principal
        self.access = principal.access()
        self.refresh()

    def refresh(self) -> None:
        self.loaders = Loaders(self.reader, self.access)


class CheckedTransportWS(BaseGraphQLTransportWSHandler):
    """graphql-transport-ws, with each subscribe message checked as an HTTP request is."""

    async def handle_subscribe(self, message) -> None:
        context: SocketContext = self.context
        if self.connection_acknowledged and message.get("id") not in self.operations:
            problems = subscription_problems(context.endpoint, context.principal,
                                             _operation(message.get("payload") or {}))
            if problems:
                await self.send_message({"id": message["id"], "type": "error",
                                         "payload": problems})
                return
        await super().handle_subscribe(message)

    async def shutdown(self) -> None:
        context: SocketContext = self.context
        if context.watchdog is not None:
            context.watchdog.cancel()
        await super().shutdown()


def _operation(payload: dict) -> Operation:
    return Operation(query=payload.get("query") or "", operation_name=payload.get("operationName"),
                     variables=payload.get("variables") or {})


class SubscriptionSocket(GraphQL):
    """The WebSocket side of /graphql."""

    graphql_transport_ws_handler_class = CheckedTransportWS

    def __init__(self, schema: Schema, endpoint: GraphQLEndpoint, live: LiveHub, *,
                 allowed_origins: list[str], max_subscriptions: int,
                 recheck_seconds: float) -> None:
        super().__init__(schema, graphql_ide=None,
                         allow_queries_via_get=False,
                         subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
                         connection_init_wait_timeout=timedelta(seconds=10),
                         max_subscriptions_per_connection=max_subscriptions,
                         allowed_origins=allowed_origins)
        self.endpoint, self.live = endpoint, live
        self.recheck_seconds = recheck_seconds

    async def get_context(self, request, response) -> SocketContext:
        return SocketContext(self.endpoint, self.live, request)

    async def on_ws_connect(self, context: SocketContext):
        authorization = _authorization(context.connection_params or {})
        try:
            principal = await self.endpoint.authenticator.authenticate(authorization)
        except TokenError as exc:
            log.info("websocket refused: %s", exc)
            raise ConnectionRejectionError from None
        context.admit(principal)
        context.watchdog = asyncio.create_task(self._recheck(context, authorization))
        return {"principal": principal.reference}

    async def _recheck(self, context: SocketContext, authorization: str) -> None:
        """Closes the socket once the token no longer admits the same principal."""
        while True:
            await asyncio.sleep(self.recheck_seconds)
            try:
                still = await self.endpoint.authenticator.authenticate(authorization)
            except TokenError:
                still = None
            except Exception:  # the database may be briefly away: keep the socket, try again
                log.warning("could not re-check a websocket's token", exc_info=True)
                continue
            if still != context.principal:
                if context.websocket.application_state == WebSocketState.CONNECTED:
                    with contextlib.suppress(Exception):
                        await context.websocket.close(FORBIDDEN, "Forbidden")
                return


def _authorization(params: dict) -> str | None:
    """`Authorization` in any case, as HTTP headers are; a bare token is taken as Bearer."""
    for key, value in params.items():
        if key.lower() == "authorization" and isinstance(value, str):
            return value if " " in value else f"Bearer {value}"
    return None


def subscription_problems(endpoint: GraphQLEndpoint, principal: Principal | None,
                          operation: Operation) -> list[dict]:
    """The errors that refuse a subscribe message, none when it may run."""
    try:
        document, ast = endpoint.checked(operation, principal)
    except DocumentErrors as exc:
        return [document_error(e) for e in exc.errors]
    except (Refusal, RequestError) as exc:
        return [_refusal_error(exc)]
    if ast.operation is not OperationType.SUBSCRIPTION:
        return [{"message": "Only subscriptions are served over WebSocket; send queries and "
                            "mutations with HTTP POST.", "extensions": {"code": "BAD_REQUEST"}}]
    return []


def _refusal_error(exc: Refusal | RequestError) -> dict:
    if isinstance(exc, RequestError):
        return {"message": str(exc), "extensions": {"code": exc.code}}
    return exc.body["errors"][0]
