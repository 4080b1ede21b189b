"""Prometheus metrics of one app, served at GET /metrics in the text format.

Each app has its own registry, so several apps in one process (the tests) never share
counters. With several workers each process counts for itself, like the rate limits:
a scrape sees the worker that answered it (run one worker per container to scrape them all).
"""

from __future__ import annotations

import hmac
import re

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import Response

# A client names its operations: only so many distinct names become labels.
MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
# The *_created series only repeat each process's start time.
disable_created_metrics()
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    """The figures: requests and latency by operation and outcome, compiled-path hits and
    misses, the database pool, and refusals by rate limits and by query cost."""

    def __init__(self, engine) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "crm_graphql_requests", "GraphQL requests by operation name and outcome.",
            ["operation", "outcome"], registry=self.registry)
        self.latency = Histogram(
            "crm_graphql_request_duration_seconds", "Time to answer a GraphQL request.",
            ["operation"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.compiled = Counter(
            "crm_compiled_reads", "Queries answered by one compiled statement (hit) or by the "
            "resolvers (miss).", ["result"], registry=self.registry)
        self.refusals = Counter(
            "crm_refusals", "Requests refused before running, by reason.", ["reason"],
            registry=self.registry)
        pool_gauge = Gauge("crm_db_pool_connections", "Database connections of this process's "
                           "pool, by state.", ["state"], registry=self.registry)
        # Read at each scrape; the engine's pool, since disposing the engine replaces it.
        pool_gauge.labels("in_use").set_function(lambda: engine.pool.checkedout())
        pool_gauge.labels("idle").set_function(lambda: engine.pool.checkedin())
        Gauge("crm_db_pool_size", "The most connections this process's pool opens.",
              registry=self.registry).set_function(lambda: engine.pool.size())
        self._names: set[str] = set()
        self._children: dict[tuple, tuple] = {}

    def operation_label(self, name: str | None) -> str:
        """The label for a client's operation name: the name, "anonymous" or "other"."""
        if not name:
            return "anonymous"
        if name in self._names:
            return name
        if not _NAME.fullmatch(name) or len(self._names) >= MAX_OPERATION_NAMES:
            return "other"
        self._names.add(name)
        return name

    def observe(self, operation: str | None, outcome: str, seconds: float) -> None:
        label = self.operation_label(operation)
        children = self._children.get((label, outcome))
        if children is None:  # labels() locks and hashes: look each pair up once
            children = self._children[(label, outcome)] = (
                self.requests.labels(label, outcome), self.latency.labels(label))
        children[0].inc()
        children[1].observe(seconds)

    def endpoint(self, token: str | None, required: bool):
        """GET /metrics: open, or only with `Authorization: Bearer <token>` when one is set;
        with `required` and no token, not served at all."""
        async def metrics(request: Request) -> Response:
            if token is None and required:
                return Response("Not Found", 404)
            if token is not None:
                given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
                if not hmac.compare_digest(given.encode(), token.encode()):
                    return Response("A valid metrics token is required.", 401,
                                    headers={"WWW-Authenticate": "Bearer"})
            return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
        return metrics
