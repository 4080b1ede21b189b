"""Prometheus metrics of one app, served at GET /metrics in the text format.

The counts are plain integers that the event loop adds to, and become Prometheus metric
families only when scraped: a request pays a few dictionary updates, not the locks of
prometheus_client's own metric objects. Each app has its own registry, so several apps in one
process (the tests) never share counters. With several workers each process counts for itself,
like the rate limits: a scrape sees the worker that answered it (run one worker per container
to scrape them all).
"""

from __future__ import annotations

import bisect
import hmac
import re
from collections import Counter

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)
from starlette.requests import Request
from starlette.responses import Response

# A client names its operations: only so many distinct names become labels.
MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class _Latency:
    """One operation's latency histogram: counts per bucket (the last is +Inf) and the sum."""

    __slots__ = ("buckets", "total")

    def __init__(self) -> None:
        self.buckets = [0] * (len(LATENCY_BUCKETS) + 1)
        self.total = 0.0

    def observe(self, seconds: float) -> None:
        self.buckets[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.total += seconds

    def cumulative(self) -> list[tuple[str, int]]:
        counts, running = [], 0
        for bound, count in zip((*map(str, LATENCY_BUCKETS), "+Inf"), self.buckets,
                                strict=True):
            running += count
            counts.append((bound, running))
        return counts


class Metrics:
    """The figures: requests and latency by operation and outcome, compiled-path hits and
    misses, the database pool, and refusals by rate limits and by query cost."""

    def __init__(self, engine) -> None:
        self.engine = engine  # its pool is read at each scrape: disposing replaces it
        self.requests: Counter[tuple[str, str]] = Counter()
        self.latency: dict[str, _Latency] = {}
        self.compiled: Counter[str] = Counter()
        self.refusals: Counter[str] = Counter()
        self._names: set[str] = set()
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self)

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
        self.requests[(label, outcome)] += 1
        latency = self.latency.get(label)
        if latency is None:
            latency = self.latency[label] = _Latency()
        latency.observe(seconds)

    def collect(self):
        """The metric families, as prometheus_client's registry asks a collector for them."""
        requests = CounterMetricFamily("crm_graphql_requests", "GraphQL requests by operation "
                                       "name and outcome.", labels=["operation", "outcome"])
        for labels, count in self.requests.items():
            requests.add_metric(labels, count)
        yield requests
        latency = HistogramMetricFamily("crm_graphql_request_duration_seconds",
                                        "Time to answer a GraphQL request.", labels=["operation"])
        for operation, histogram in self.latency.items():
            latency.add_metric([operation], histogram.cumulative(), histogram.total)
        yield latency
        yield self._family("crm_compiled_reads", "Queries answered by one compiled statement "
                           "(hit) or by the resolvers (miss).", "result", self.compiled)
        yield self._family("crm_refusals", "Requests refused before running, by reason.",
                           "reason", self.refusals)
        pool = self.engine.pool
        connections = GaugeMetricFamily("crm_db_pool_connections", "Database connections of "
                                        "this process's pool, by state.", labels=["state"])
        connections.add_metric(["in_use"], pool.checkedout())
        connections.add_metric(["idle"], pool.checkedin())
        yield connections
        yield GaugeMetricFamily("crm_db_pool_size", "The most connections this process's pool "
                                "opens.", value=pool.size())

    @staticmethod
    def _family(name: str, documentation: str, label: str, counts: Counter) -> CounterMetricFamily:
        family = CounterMetricFamily(name, documentation, labels=[label])
        for value, count in counts.items():
            family.add_metric([value], count)
        return family

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
