"""What each request leaves behind: a request id, one log line, and its metrics.

The request id is the client's `X-Request-ID` when it is a sensible token, otherwise a new
one; it is echoed in the response, and every log record written while the request runs
carries it. With CRM_LOG_FORMAT=json each request ends with one JSON line: the id, the
operation name, the principal's kind and id (never personal data), the status, the duration
and the number of SQL statements.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson

from api.metrics import Metrics
from persistence.db import tally_statements

log = logging.getLogger("crm.request")
_CLIENT_ID = re.compile(rb"[A-Za-z0-9._:/+=-]{1,128}")


@dataclass(slots=True)
class RequestInfo:
    """What is known of the request in flight; the GraphQL endpoint fills in the rest."""

    request_id: str
    method: str
    path: str
    started: float = field(default_factory=time.perf_counter)
    operation: str | None = None
    principal: str | None = None  # "User:<uuid>", "Partner:<uuid>"...
    outcome: str | None = None  # set for GraphQL requests: ok, errors, unauthenticated...
    statements: list[int] = field(default_factory=tally_statements)  # a cell the SQL adds to
    status: int = 0


current: ContextVar[RequestInfo | None] = ContextVar("crm_request", default=None)


# A new request id is this process's random prefix and a counter: unique across processes,
# and far cheaper than a fresh random id per request.
_PREFIX = os.urandom(8).hex()
_serial = itertools.count(1)


def _request_id(scope) -> str:
    given = dict(scope.get("headers", ())).get(b"x-request-id")
    if given is not None and _CLIENT_ID.fullmatch(given):
        return given.decode()
    return f"{_PREFIX}{next(_serial):016x}"


class RequestTelemetry:
    """ASGI middleware around the whole app."""

    def __init__(self, app, metrics: Metrics, *, log_requests: bool) -> None:
        self.app, self.metrics, self.log_requests = app, metrics, log_requests

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        info = RequestInfo(_request_id(scope), scope["method"], scope["path"])
        header = (b"x-request-id", info.request_id.encode())

        async def send_with_id(message) -> None:
            if message["type"] == "http.response.start":
                info.status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        token = current.set(info)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current.reset(token)
            self._finish(info, time.perf_counter() - info.started)

    def _finish(self, info: RequestInfo, seconds: float) -> None:
        if info.outcome is not None:
            self.metrics.observe(info.operation, info.outcome, seconds)
        if self.log_requests:
            log.info("request", extra={"request": {
                "method": info.method, "path": info.path, "status": info.status,
                "operation": info.operation, "outcome": info.outcome,
                "principal": info.principal, "duration_ms": round(seconds * 1000, 3),
                "statements": info.statements[0], "request_id": info.request_id}})


class RequestIdFilter(logging.Filter):
    """Stamps every record with the id of the request in flight, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        info = current.get()
        record.request_id = info.request_id if info else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(),
                 "level": record.levelname.lower(), "logger": record.name,
                 "message": record.getMessage()}
        entry |= getattr(record, "request", None) or {}
        entry.setdefault("request_id", getattr(record, "request_id", None))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def logging_config(log_format: str, level: str = "INFO") -> dict:
    """A logging.dictConfig for the server: text as uvicorn writes it, or JSON lines."""
    formatter = ({"()": JsonFormatter} if log_format == "json"
                 else {"format": "%(levelname)s %(name)s: %(message)s"})
    handler = {"class": "logging.StreamHandler", "formatter": "main",
               "filters": ["request_id"], "stream": "ext://sys.stderr"}
    return {
        "version": 1, "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "root": {"handlers": ["main"], "level": level.upper()},
        "loggers": {name: {"handlers": [], "propagate": True}
                    for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }
