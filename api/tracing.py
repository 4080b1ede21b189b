"""OpenTelemetry traces, exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.

A traced request has the HTTP server span (OpenTelemetry's ASGI middleware), spans for
parse and validate, plan and compile, and execute, and one span per SQL statement (the
asyncpg instrumentation: reads and writes are sent on the driver connection). Without the
variable nothing is instrumented, and `span()` is a shared no-op: untraced requests pay
for one attribute lookup per phase.
"""

from __future__ import annotations

import contextlib
import os

from opentelemetry import trace
from starlette.middleware import Middleware

_NO_SPAN = contextlib.nullcontext()
_configured = False


class Tracing:
    """Starts the spans of one app; `enabled` False makes every span a no-op."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tracer = _configure() if enabled else None

    def span(self, name: str, **attributes):
        if self.tracer is None:
            return _NO_SPAN
        return self.tracer.start_as_current_span(name, attributes=attributes or None)

    def middleware(self) -> list[Middleware]:
        """The HTTP server span around every request, when tracing is on."""
        if self.tracer is None:
            return []
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

        return [Middleware(OpenTelemetryMiddleware, excluded_urls="healthz,readyz,metrics")]


def _configure() -> trace.Tracer:
    """The process-wide tracer provider and the asyncpg instrumentation, set up once."""
    global _configured
    if not _configured:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        service = os.environ.get("OTEL_SERVICE_NAME", "crm")
        provider = TracerProvider(resource=Resource.create({"service.name": service}))
        # The exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, headers and timeout itself.
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
        AsyncPGInstrumentor().instrument()
        _configured = True
    return trace.get_tracer("crm")
