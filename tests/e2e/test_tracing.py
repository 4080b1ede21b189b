"""Traces reach an OTLP collector: one trace per request, from the HTTP span down to each SQL
statement. The collector here is a small HTTP server of the test's own."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.processes import free_port, served

pytestmark = pytest.mark.e2e
QUERY = "query TracedCount { contacts(first: 1) { totalCount } }"


class Collector(BaseHTTPRequestHandler):
    spans: list = []

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = ExportTraceServiceRequest.FromString(body)
        for resource in request.resource_spans:
            for scope in resource.scope_spans:
                Collector.spans.extend(scope.spans)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args) -> None:
        """Quiet."""


@pytest.fixture
def collector():
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Collector.spans = []
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


def test_a_request_is_one_trace_from_http_to_each_statement(database_url, crm_home, tokens,
                                                            collector, tmp_path):
    env = {"DATABASE_URL": database_url, "CRM_HOME": str(crm_home),
           "CRM_WORKER_IN_SERVER": "false", "OTEL_EXPORTER_OTLP_ENDPOINT": collector,
           "OTEL_BSP_SCHEDULE_DELAY": "100"}
    with served(env, tmp_path / "server.log") as url:
        response = httpx.post(f"{url}/graphql", json={"query": QUERY},
                              headers={"Authorization": f"Bearer {tokens['admin']}"})
        assert response.status_code == 200
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(
                s.name == "POST /graphql" for s in Collector.spans):
            time.sleep(0.1)
    spans = {s.span_id: s for s in Collector.spans}
    (http_span,) = [s for s in spans.values() if s.name == "POST /graphql"]
    trace = [s for s in spans.values() if s.trace_id == http_span.trace_id]
    names = {s.name for s in trace}
    assert {"graphql.parse_validate", "graphql.plan_compile", "graphql.execute"} <= names
    statements = [s for s in trace if s.name == "SELECT"]
    assert statements, names
    # every span of the request hangs from the HTTP span
    for span in trace:
        parent = span
        while parent.parent_span_id:
            parent = spans[parent.parent_span_id]
        assert parent.span_id == http_span.span_id
