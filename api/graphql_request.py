"""Reading one GraphQL operation from an HTTP request: the body, the variables, the limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request

MAX_BODY_BYTES = 1_000_000
MAX_VARIABLE_NESTING = 32
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


async def read_operation(request: Request) -> Operation:
    """The operation of a GET's query string, of a POST's JSON body, or of a multipart POST
    with files (api/graphql_uploads.py)."""
    if request.method == "GET":
        return _operation(dict(request.query_params))
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        from api.graphql_uploads import read_multipart  # it imports this module

        return _operation(await read_multipart(request))
    if content_type != "application/json":
        raise RequestError(415, "Send the operation as application/json.",
                           "UNSUPPORTED_MEDIA_TYPE")
    body = await _limited_body(request)
    try:
        return _operation(orjson.loads(body))
    except orjson.JSONDecodeError:
        raise RequestError(400, "The body is not valid JSON.", "BAD_REQUEST") from None


async def _limited_body(request: Request) -> bytes:
    """The body, refused as soon as it passes the limit rather than after reading it all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit():
        if int(declared) > MAX_BODY_BYTES:
            raise _too_large()
        return await request.body()  # the server reads no more than the declared length
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> RequestError:
    return RequestError(413, "The request body is too large.", "PAYLOAD_TOO_LARGE")
