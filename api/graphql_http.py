"""GraphQL over HTTP: POST (and GET for queries), one operation per request.

A request passes, in order: the caller's token, the rate limits, the document (parsed and
validated once and cached; depth, aliases and tokens are validation rules), the query cost,
and then one compiled statement, a compiled plain update, or the resolvers. Whatever refuses
it answers at once, so a refused request never reaches the database's heavy work.
"""

from __future__ import annotations

import contextlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from starlette.requests import Request
from starlette.responses import Response
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule

from api import anonymous, telemetry
from api.compiled.planner import Planner
from api.compiled_reads import CompiledReads, unavailable
from api.compiled_writes import CompiledWrites
from api.context import Context, utc_now
from api.graphiql import graphiql_page
from api.graphql_errors import (
    GRAPHQL_RESPONSE,
    DocumentErrors,
    Refusal,
    document_error,
    execution_status,
    format_error,
    nul_strings,
    outcome_of,
    refusal,
    request_error_status,
)
from api.graphql_request import Operation, RequestError, read_operation
from api.query_cost import CostCache
from api.ratelimit import RateLimit, RateLimitExceeded
from api.tracing import Tracing
from auth.authenticator import Authenticator
from auth.principal import Principal
from auth.tokens import TokenError
from domain.webhooks import WebhookRules
from persistence.db import Reader, is_unavailable

log = logging.getLogger("crm.graphql")

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 1000
DOCUMENT_CACHE_SIZE = 512


class GraphQLEndpoint:
    """The /graphql route."""

    def __init__(self, schema: GraphQLSchema, authenticator: Authenticator, engine,
                 reader: Reader, *, introspection: bool, graphiql: bool,
                 planner: Planner | None = None, compiled_reads: bool = True,
                 compiled_writes: bool = True, clock: Callable[[], datetime] = utc_now,
                 max_cost: int = 20_000, statement_timeout_ms: int = 5000,
                 rate_limit: RateLimit | None = None, auth_failures: RateLimit | None = None,
                 metrics=None, tracing: Tracing | None = None,
                 webhook_rules: WebhookRules | None = None, max_upload_bytes: int = 0,
                 reporting_currency: str = "EUR", analytics_reader: Reader | None = None) -> None:
        self.schema, self.authenticator, self.engine, self.reader = schema, authenticator, engine, reader
        self.reporting_currency, self.analytics_reader = reporting_currency, analytics_reader or reader
        self.max_upload_bytes = max_upload_bytes
        self.webhook_rules = webhook_rules or WebhookRules()
        self.clock = clock
        self.graphiql = graphiql
        self.max_cost = max_cost
        self.statement_timeout_ms = statement_timeout_ms
        self.rate_limit, self.auth_failures = rate_limit, auth_failures
        self.metrics = metrics
        self.tracing = tracing or Tracing(False)
        # Suggestions ("Did you mean …?") would name types and fields that introspection hides.
        self.hide_suggestions = not introspection
        self.rules = [*specified_rules, max_depth_rule(MAX_DEPTH, None), max_aliases_rule(MAX_ALIASES)]
        if not introspection:
            self.rules.append(NoSchemaIntrospectionCustomRule)
        self._documents: OrderedDict[str, DocumentNode | list[GraphQLError]] = OrderedDict()
        self.costs = CostCache(schema)
        self.compiled = CompiledReads(planner if compiled_reads else None, reader,
                                      statement_timeout_ms=statement_timeout_ms,
                                      metrics=metrics, tracing=self.tracing)
        self.writes = CompiledWrites(planner if compiled_writes else None, engine, reader,
                                     tracing=self.tracing)

    async def __call__(self, scope, receive, send) -> None:
        # An ASGI app of its own rather than a request handler: Starlette's per-request
        # wrapper of handlers would only repeat the exception handling around the router.
        request = Request(scope, receive, send)
        try:
            response = await self.handle(request)
        finally:
            await request.close()  # an upload's spooled files, once answered
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        if self.graphiql and request.method == "GET" and "query" not in request.query_params and (
                "text/html" in request.headers.get("accept", "")):
            return graphiql_page()
        media = GRAPHQL_RESPONSE if GRAPHQL_RESPONSE in request.headers.get("accept", "") \
            else "application/json"
        info = telemetry.current.get()
        if request.method not in ("GET", "POST"):
            return self._respond({"errors": [{"message": "Use POST, or GET for queries.",
                                              "extensions": {"code": "METHOD_NOT_ALLOWED"}}]},
                                 405, media, {"Allow": "GET, POST"})
        try:
            principal = await anonymous.or_authenticated(request, info, self._authenticate)
            async with anonymous.refused_as_unauthenticated(principal, self._authenticate,
                                                            request, info):
                operation = await read_operation(request, self.max_upload_bytes)
                if info is not None:
                    info.operation = operation.operation_name
                with self.tracing.span("graphql.parse_validate"):
                    document = self._document(operation.query)
                    ast = self._check_method(request, document, operation)
                    if info is not None and ast.name is not None:
                        info.operation = ast.name.value
                    self._check_cost(document, ast, operation)
                principal = principal or anonymous.principal_for(ast, request, self.rate_limit)
            if ast.operation is OperationType.MUTATION:
                compiled = await self.writes.answer(document, ast, operation, principal)
            else:
                compiled = await self.compiled.data(document, ast, operation, principal)
            if isinstance(compiled, str):
                self._outcome(info, "ok")
                return Response(b'{"data":' + compiled.encode() + b"}", 200, media_type=media)
            if compiled is not None:  # an error of the compiled write, as the resolvers'
                result = compiled
            else:
                with self.tracing.span("graphql.execute"):
                    result = await self._execute(document, operation,
                                                 Context(principal, self.engine, self.reader,
                                                         self.authenticator.tokens, self.clock,
                                                         self.webhook_rules, self.reporting_currency,
                                                         self.analytics_reader))
        except Refusal as exc:
            self._outcome(info, exc.outcome)
            return self._respond(exc.body, exc.status, media, exc.headers)
        except DocumentErrors as exc:
            self._outcome(info, exc.outcome)
            return self._respond({"errors": [document_error(e) for e in exc.errors]},
                                 request_error_status(media), media)
        except RequestError as exc:
            self._outcome(info, "bad_request")
            return self._respond({"errors": [{"message": str(exc), "extensions": {
                "code": exc.code}}]}, exc.status, media, exc.headers)
        outage = self._outage(result)
        if outage is not None:
            self._outcome(info, "unavailable")
            return self._respond(outage.body, outage.status, media, outage.headers)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [format_error(e, self.statement_timeout_ms) for e in result.errors]
        self._outcome(info, outcome_of(body))
        return self._respond(body, execution_status(result, media), media)

    @staticmethod
    def _respond(body: dict, status: int, media: str, headers: dict | None = None) -> Response:
        return Response(orjson.dumps(body), status, headers=headers, media_type=media)

    @staticmethod
    def _outcome(info: telemetry.RequestInfo | None, outcome: str) -> None:
        if info is not None:
            info.outcome = outcome

    def _refused(self, reason: str) -> None:
        if self.metrics is not None:
            self.metrics.refusals[reason] += 1

    async def _authenticate(self, request: Request, info) -> Principal:
        """The caller, within the rate limits; bad tokens are counted per client address."""
        address = request.client.host if request.client else "unknown"
        if self.auth_failures is not None and self.auth_failures.exceeded(address):
            self._refused("auth_failures")
            raise refusal.rate_limited(self.auth_failures.retry_after(address),
                                       "Too many rejected tokens from this address.")
        try:
            principal = await self.authenticator.authenticate(request.headers.get("authorization"))
        except TokenError as exc:
            if self.auth_failures is not None:
                with contextlib.suppress(RateLimitExceeded):  # refused from the next one on
                    self.auth_failures.hit(address)
            raise refusal.unauthenticated(str(exc)) from None
        except Exception as exc:
            if is_unavailable(exc):
                raise unavailable(exc) from None
            raise
        if info is not None:
            info.principal = principal.reference
        self._count_request(principal)
        return principal

    def _count_request(self, principal: Principal) -> None:
        if self.rate_limit is not None:
            try:
                self.rate_limit.hit(principal.reference)
            except RateLimitExceeded as exc:
                self._refused("rate_limit")
                raise refusal.rate_limited(exc.retry_after, str(exc)) from None

    def checked(self, operation: Operation, principal: Principal
                ) -> tuple[DocumentNode, OperationDefinitionNode]:
        """A WebSocket subscribe message's document and operation, through the checks an
        HTTP request passes after its token: the rate limit, the document rules, the cost."""
        self._count_request(principal)
        document = self._document(operation.query)
        ast = _operation_of(document, operation)
        self._check_cost(document, ast, operation)
        return document, ast

    def _document(self, query: str) -> DocumentNode:
        cached = self._documents.get(query)
        if cached is None:
            try:
                document = parse(query, max_tokens=MAX_TOKENS)
                errors = validate(self.schema, document, self.rules,
                                  hide_suggestions=self.hide_suggestions) or nul_strings(document)
                cached = errors or document
            except GraphQLError as exc:
                cached = [exc]
            self._documents[query] = cached
            if len(self._documents) > DOCUMENT_CACHE_SIZE:
                self._documents.popitem(last=False)
        if isinstance(cached, list):
            raise DocumentErrors(cached)
        return cached

    def _check_cost(self, document: DocumentNode, ast: OperationDefinitionNode,
                    operation: Operation) -> None:
        cost = self.costs.cost(operation.query, document, ast, operation.variables)
        if cost > self.max_cost:
            self._refused("query_cost")
            raise refusal.too_complex(cost, self.max_cost)

    @staticmethod
    def _check_method(request: Request, document: DocumentNode,
                      operation: Operation) -> OperationDefinitionNode:
        ast = _operation_of(document, operation)
        if ast.operation is OperationType.SUBSCRIPTION:
            raise RequestError(400, "Subscriptions are served over WebSocket on this path "
                               "(graphql-transport-ws).", "BAD_REQUEST")
        if request.method == "GET" and ast.operation is not OperationType.QUERY:
            raise RequestError(405, "Mutations must be sent with POST.", "METHOD_NOT_ALLOWED",
                               {"Allow": "POST"})
        if operation.uploads and ast.operation is not OperationType.MUTATION:
            raise RequestError(400, "Files are uploaded with a mutation.", "BAD_REQUEST")
        return ast

    async def _execute(self, document: DocumentNode, operation: Operation,
                       context: Context) -> ExecutionResult:
        result = execute(self.schema, document, context_value=context,
                         variable_values=operation.variables,
                         operation_name=operation.operation_name,
                         hide_suggestions=self.hide_suggestions)
        if hasattr(result, "__await__"):
            result = await result
        return result

    @staticmethod
    def _outage(result: ExecutionResult) -> Refusal | None:
        """A 503 for the whole request when the database failed under any field: the client
        retries later, instead of reading a half answer as a bug."""
        for error in result.errors or ():
            if error.original_error is not None and is_unavailable(error.original_error):
                return unavailable(error.original_error)
        return None


def _operation_of(document: DocumentNode, operation: Operation) -> OperationDefinitionNode:
    ast = get_operation_ast(document, operation.operation_name)
    if ast is None:
        raise RequestError(400, "Name the operation to run with `operationName`.",
                           "OPERATION_NOT_FOUND")
    return ast
