"""GraphQL over HTTP: POST (and GET for queries), one operation per request.

Documents are parsed and validated once and cached; the limits on depth, aliases and
tokens are validation rules, so a document over a limit never executes.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    Visitor,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
    visit,
)
from starlette.requests import Request
from starlette.responses import Response
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule

from api.context import Context, utc_now
from api.fastpath import Planner, variable_uses
from api.graphiql import graphiql_page
from api.statements import StatementCache
from auth.authenticator import Authenticator
from auth.principal import Principal
from auth.tokens import TokenError
from domain.errors import DomainError
from persistence.compiled import TooWide, compile_plan, fetch_json
from persistence.db import Reader

log = logging.getLogger("crm.graphql")

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 1000
MAX_BODY_BYTES = 1_000_000
MAX_VARIABLE_NESTING = 32
DOCUMENT_CACHE_SIZE = 512
GRAPHQL_RESPONSE = "application/graphql-response+json"
# PostgreSQL cannot store NUL in text, so no request may carry one.
NUL_MESSAGE = "Text must not contain NUL (\\u0000) characters."


class RequestError(Exception):
    """A request that cannot be executed; becomes an HTTP error with a GraphQL error body."""

    def __init__(self, status: int, message: str, code: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.headers = status, code, headers or {}


@dataclass(frozen=True)
class Operation:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


def _nesting(value: Any, depth: int = 0) -> int:
    """How deep a JSON value nests; a NUL in any string counts as too deep to store."""
    if depth > MAX_VARIABLE_NESTING:
        return depth
    if isinstance(value, dict):
        return max((_nesting(v, depth + 1) for v in (*value.keys(), *value.values())),
                   default=depth)
    if isinstance(value, list):
        return max((_nesting(v, depth + 1) for v in value), default=depth)
    if isinstance(value, str) and "\x00" in value:
        raise RequestError(400, NUL_MESSAGE, "BAD_REQUEST")
    return depth


def _json_object(value: Any, name: str) -> dict | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            raise RequestError(400, f"`{name}` is not valid JSON.", "BAD_REQUEST") from None
    if not isinstance(value, dict):
        raise RequestError(400, f"`{name}` must be a JSON object.", "BAD_REQUEST")
    if _nesting(value) > MAX_VARIABLE_NESTING:
        raise RequestError(400, f"`{name}` is nested too deeply.", "BAD_REQUEST")
    return value


def _operation(params: Any) -> Operation:
    if isinstance(params, list):
        raise RequestError(400, "Batched requests are not supported: send one operation per "
                                "request.", "BATCHING_NOT_SUPPORTED")
    if not isinstance(params, dict):
        raise RequestError(400, "The body must be a JSON object with a `query`.", "BAD_REQUEST")
    query, name = params.get("query"), params.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise RequestError(400, "`query` must be a non-empty string.", "BAD_REQUEST")
    if name is not None and not isinstance(name, str):
        raise RequestError(400, "`operationName` must be a string.", "BAD_REQUEST")
    return Operation(query, _json_object(params.get("variables"), "variables"), name)


class GraphQLEndpoint:
    """The /graphql route."""

    def __init__(self, schema: GraphQLSchema, authenticator: Authenticator, engine,
                 reader: Reader, *, introspection: bool, graphiql: bool,
                 planner: Planner | None = None, clock: Callable[[], datetime] = utc_now) -> None:
        self.schema = schema
        self.clock = clock
        self.planner = planner
        self.compiled_answers = 0  # how many queries the compiled path answered, for tests
        self.authenticator = authenticator
        self.engine = engine
        self.reader = reader
        self.graphiql = graphiql
        self.rules = [*specified_rules, max_depth_rule(MAX_DEPTH, None), max_aliases_rule(MAX_ALIASES)]
        if not introspection:
            self.rules.append(NoSchemaIntrospectionCustomRule)
        self._documents: OrderedDict[str, DocumentNode | list[GraphQLError]] = OrderedDict()
        self.statements = StatementCache()

    async def handle(self, request: Request) -> Response:
        if self.graphiql and request.method == "GET" and "query" not in request.query_params and (
                "text/html" in request.headers.get("accept", "")):
            return graphiql_page()
        media = GRAPHQL_RESPONSE if GRAPHQL_RESPONSE in request.headers.get("accept", "") \
            else "application/json"
        if request.method not in ("GET", "POST"):
            return self._respond({"errors": [{"message": "Use POST, or GET for queries.",
                                              "extensions": {"code": "METHOD_NOT_ALLOWED"}}]},
                                 405, media, {"Allow": "GET, POST"})
        try:
            principal = await self.authenticator.authenticate(request.headers.get("authorization"))
            operation = await self._read(request)
            document = self._document(operation.query)
            ast = self._check_method(request, document, operation)
            data = await self._compiled_data(document, ast, operation, principal)
            if data is not None:
                return Response(b'{"data":' + data.encode() + b"}", 200, media_type=media)
            result = await self._execute(document, operation,
                                         Context(principal, self.engine, self.reader,
                                                 self.authenticator.tokens, self.clock))
        except TokenError as exc:
            header = f'Bearer error="invalid_token", error_description="{exc}"'
            return self._respond({"errors": [{"message": str(exc), "extensions": {
                "code": "UNAUTHENTICATED"}}]}, 401, media, {"WWW-Authenticate": header})
        except RequestError as exc:
            return self._respond({"errors": [{"message": str(exc), "extensions": {
                "code": exc.code}}]}, exc.status, media, exc.headers)
        except _DocumentErrors as exc:
            return self._respond({"errors": [_document_error(e) for e in exc.errors]},
                                 _request_error_status(media), media)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [_format(e) for e in result.errors]
        status = _request_error_status(media) if result.data is None and result.errors and all(
            e.path is None for e in result.errors) else 200
        return self._respond(body, status, media)

    @staticmethod
    def _respond(body: dict, status: int, media: str, headers: dict | None = None) -> Response:
        return Response(orjson.dumps(body), status, headers=headers, media_type=media)

    async def _read(self, request: Request) -> Operation:
        if request.method == "GET":
            return _operation(dict(request.query_params))
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise RequestError(415, "Send the operation as application/json.",
                               "UNSUPPORTED_MEDIA_TYPE")
        body = await _limited_body(request)
        try:
            return _operation(orjson.loads(body))
        except orjson.JSONDecodeError:
            raise RequestError(400, "The body is not valid JSON.", "BAD_REQUEST") from None

    def _document(self, query: str) -> DocumentNode:
        cached = self._documents.get(query)
        if cached is None:
            try:
                document = parse(query, max_tokens=MAX_TOKENS)
                errors = validate(self.schema, document, self.rules) or _nul_strings(document)
                cached = errors or document
            except GraphQLError as exc:
                cached = [exc]
            self._documents[query] = cached
            if len(self._documents) > DOCUMENT_CACHE_SIZE:
                self._documents.popitem(last=False)
        if isinstance(cached, list):
            raise _DocumentErrors(cached)
        return cached

    async def _compiled_data(self, document: DocumentNode, ast: OperationDefinitionNode,
                             operation: Operation, principal: Principal) -> str | None:
        """The `data` JSON from compiled SQL, or None to let the resolvers answer.

        A failure here is logged and handed to the resolvers, which either answer or mask
        the error as INTERNAL like any other.
        """
        try:
            compiled = self._compiled(document, ast, operation, principal)
            if compiled is None:
                return None
            data = await fetch_json(self.reader, *compiled)
        except Exception:  # a bug or a database fault: never a half answer
            log.exception("compiled read failed; answering through the resolvers")
            return None
        self.compiled_answers += 1
        return data

    def _compiled(self, document: DocumentNode, ast: OperationDefinitionNode,
                  operation: Operation, principal: Principal) -> tuple[str, tuple] | None:
        """The statement answering the whole query, when the compiled path can."""
        if self.planner is None:
            return None
        return self.statements.statement(
            operation.query, operation.operation_name, operation.variables, principal,
            lambda: self._compile(document, ast, operation, principal))

    def _compile(self, document: DocumentNode, ast: OperationDefinitionNode,
                 operation: Operation, principal: Principal):
        access = principal.access()
        outputs = self.planner.plan(document, ast, operation.variables, access)
        if outputs is None:
            return None
        try:
            sql, params, positions = compile_plan(outputs, access)
        except (DomainError, TooWide):
            return None  # e.g. a forbidden sort key: the resolvers say so properly
        # A variable can stand for its record in a template only if nothing else reads it.
        uses = variable_uses(document, ast)
        return sql, params, {name: at for name, at in positions.items() if uses[name] == len(at)}

    @staticmethod
    def _check_method(request: Request, document: DocumentNode,
                      operation: Operation) -> OperationDefinitionNode:
        ast = get_operation_ast(document, operation.operation_name)
        if ast is None:
            raise RequestError(400, "Name the operation to run with `operationName`.",
                               "OPERATION_NOT_FOUND")
        if request.method == "GET" and ast.operation is not OperationType.QUERY:
            raise RequestError(405, "Mutations must be sent with POST.", "METHOD_NOT_ALLOWED",
                               {"Allow": "POST"})
        return ast

    async def _execute(self, document: DocumentNode, operation: Operation,
                       context: Context) -> ExecutionResult:
        result = execute(self.schema, document, context_value=context,
                         variable_values=operation.variables,
                         operation_name=operation.operation_name)
        if hasattr(result, "__await__"):
            result = await result
        return result


async def _limited_body(request: Request) -> bytes:
    """The body, refused as soon as it passes the limit rather than after reading it all."""
    too_large = RequestError(413, "The request body is too large.", "PAYLOAD_TOO_LARGE")
    declared = request.headers.get("content-length", "")
    if declared.isdigit():
        if int(declared) > MAX_BODY_BYTES:
            raise too_large
        return await request.body()  # the server reads no more than the declared length
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


class _NulFinder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[GraphQLError] = []

    def enter_string_value(self, node: StringValueNode, *_) -> None:
        if "\x00" in node.value:
            self.found.append(GraphQLError(NUL_MESSAGE, [node]))


def _nul_strings(document: DocumentNode) -> list[GraphQLError]:
    finder = _NulFinder()
    visit(document, finder)
    return finder.found


class _DocumentErrors(Exception):
    def __init__(self, errors: list[GraphQLError]) -> None:
        self.errors = errors


def _request_error_status(media: str) -> int:
    """The status of a document or variable error: GraphQL over HTTP asks for a 4xx with
    application/graphql-response+json, and recommends 200 with application/json, whose
    clients read the errors from the body."""
    return 400 if media == GRAPHQL_RESPONSE else 200


def _document_error(error: GraphQLError) -> dict:
    code = "GRAPHQL_PARSE_FAILED" if isinstance(error, GraphQLSyntaxError) \
        else "GRAPHQL_VALIDATION_FAILED"
    return {**error.formatted, "extensions": {"code": code}}


def _format(error: GraphQLError) -> dict:
    """Errors we raised on purpose carry a code; anything else is masked and logged."""
    original = error.original_error
    if original is not None and not isinstance(original, GraphQLError):
        log.error("resolver failed at %s", error.path, exc_info=original)
        return {"message": "Internal server error.", "path": error.path,
                "locations": [loc._asdict() for loc in error.locations or []],
                "extensions": {"code": "INTERNAL"}}
    return error.formatted
