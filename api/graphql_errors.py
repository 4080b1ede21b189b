"""How failures of a GraphQL request look to the client: status, body and error codes."""

from __future__ import annotations

import logging
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSyntaxError,
    StringValueNode,
    Visitor,
    visit,
)

from api.graphql_request import NUL_MESSAGE
from persistence.db import is_timeout

log = logging.getLogger("crm.graphql")

GRAPHQL_RESPONSE = "application/graphql-response+json"
# Seconds a client should wait before retrying while the database is unreachable.
OUTAGE_RETRY_AFTER = 5


class DocumentErrors(Exception):
    """The document cannot run: it does not parse, is invalid, or costs too much."""

    def __init__(self, errors: list[GraphQLError]) -> None:
        self.errors = errors

    @property
    def outcome(self) -> str:
        codes = {(e.extensions or {}).get("code") for e in self.errors}
        return "too_complex" if "QUERY_TOO_COMPLEX" in codes else "invalid"


class Refusal(Exception):
    """A request answered without running: the body, status and headers to send."""

    def __init__(self, status: int, body: dict, outcome: str, headers: dict | None = None):
        super().__init__(outcome)
        self.status, self.body, self.outcome, self.headers = status, body, outcome, headers


def _errors(message: str, code: str, **extensions) -> dict:
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


class refusal:  # noqa: N801 - a namespace of constructors, read as refusal.unavailable()
    @staticmethod
    def unauthenticated(message: str) -> Refusal:
        header = f'Bearer error="invalid_token", error_description="{message}"'
        return Refusal(401, _errors(message, "UNAUTHENTICATED"), "unauthenticated",
                       {"WWW-Authenticate": header})

    @staticmethod
    def rate_limited(retry_after: int, message: str) -> Refusal:
        return Refusal(429, _errors(message, "RATE_LIMITED", retryAfter=retry_after),
                       "rate_limited", {"Retry-After": str(retry_after)})

    @staticmethod
    def unavailable() -> Refusal:
        return Refusal(503, _errors("The database is unavailable; retry in a few seconds.",
                                    "SERVICE_UNAVAILABLE"),
                       "unavailable", {"Retry-After": str(OUTAGE_RETRY_AFTER)})

    @staticmethod
    def timed_out(limit_ms: int) -> Refusal:
        body = {"data": None, **_errors(_timeout_message(limit_ms), "TIMEOUT")}
        return Refusal(200, body, "timeout")

    @staticmethod
    def too_complex(cost: int, limit: int) -> DocumentErrors:
        return DocumentErrors([GraphQLError(
            f"This query may return up to {cost} records; at most {limit} are allowed. "
            "Ask for smaller pages (first/last) or fewer nested lists.",
            extensions={"code": "QUERY_TOO_COMPLEX", "cost": cost, "limit": limit})])


def _timeout_message(limit_ms: int) -> str:
    return f"The query ran longer than {limit_ms} ms and was stopped; narrow it down."


class _NulFinder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[GraphQLError] = []

    def enter_string_value(self, node: StringValueNode, *_) -> None:
        if "\x00" in node.value:
            self.found.append(GraphQLError(NUL_MESSAGE, [node]))


def nul_strings(document: DocumentNode) -> list[GraphQLError]:
    finder = _NulFinder()
    visit(document, finder)
    return finder.found


def document_error(error: GraphQLError) -> dict:
    code = (error.extensions or {}).get("code") or (
        "GRAPHQL_PARSE_FAILED" if isinstance(error, GraphQLSyntaxError)
        else "GRAPHQL_VALIDATION_FAILED")
    return {**error.formatted, "extensions": {**(error.extensions or {}), "code": code}}


def is_request_error(result: ExecutionResult) -> bool:
    """Execution stopped before any field ran: the variables could not be coerced."""
    return result.data is None and bool(result.errors) and all(
        e.path is None for e in result.errors)


def request_error_status(media: str) -> int:
    """The status of a document or variable error: GraphQL over HTTP asks for a 4xx with
    application/graphql-response+json, and recommends 200 with application/json, whose
    clients read the errors from the body."""
    return 400 if media == GRAPHQL_RESPONSE else 200


def execution_status(result: ExecutionResult, media: str) -> int:
    return request_error_status(media) if is_request_error(result) else 200


def format_error(error: GraphQLError, timeout_ms: int) -> dict:
    """Errors we raised on purpose carry a code; anything else is masked and logged."""
    original = error.original_error
    if original is not None and not isinstance(original, GraphQLError):
        if is_timeout(original):
            return _at_path(error, _timeout_message(timeout_ms), "TIMEOUT")
        log.error("resolver failed at %s", error.path, exc_info=original)
        return _at_path(error, "Internal server error.", "INTERNAL")
    formatted = error.formatted
    if error.path is None and "code" not in (error.extensions or {}):
        # A variable of the wrong type, or missing: the request, not the server, is at fault.
        formatted["extensions"] = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}
    return formatted


def _at_path(error: GraphQLError, message: str, code: str) -> dict:
    return {"message": message, "path": error.path,
            "locations": [loc._asdict() for loc in error.locations or []],
            "extensions": {"code": code}}


def outcome_of(body: dict[str, Any]) -> str:
    """How a request that ran ended, for the metrics: ok, or which error came first."""
    errors = body.get("errors")
    if not errors:
        return "ok"
    codes = {e.get("extensions", {}).get("code") for e in errors}
    for code, outcome in (("INTERNAL", "internal"), ("TIMEOUT", "timeout"),
                          ("BAD_USER_INPUT", "invalid")):
        if code in codes:
            return outcome
    return "errors"
