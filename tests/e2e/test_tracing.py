"""Tracing across real processes: with `*_TRACING=otlp` the gateway and the services export their spans
with the OTLP exporter (HTTP/protobuf) to a receiver the test runs on loopback, and a resident's rating
of a facility (feedback-api asks facilities-api for the target) is one trace: the gateway's server span,
feedback-api's below it, facilities-api's below that, each with the request id."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span as SpanProto

from e2e.conftest import SERVICES, Platform, running_platform
from e2e.flows import bearer


@dataclass(frozen=True)
class Span:
    service: str
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_span_id: str
    attributes: dict[str, Any]


def _value(value: AnyValue) -> Any:
    if value.HasField("array_value"):
        return [_value(v) for v in value.array_value.values]
    return getattr(value, value.WhichOneof("value") or "string_value")


class OtlpReceiver:
    """An OTLP/HTTP trace receiver on loopback: POST /v1/traces with a protobuf body."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                if self.path != "/v1/traces" or self.headers["content-type"] != "application/x-protobuf":
                    self.send_response(404)
                    self.end_headers()
                    return
                outer.receive(ExportTraceServiceRequest.FromString(body))
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/traces"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def receive(self, request: ExportTraceServiceRequest) -> None:
        received = []
        for resource_spans in request.resource_spans:
            resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    received.append(
                        Span(
                            service=resource["service.name"],
                            name=span.name,
                            kind=span.kind,
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_span_id=span.parent_span_id.hex(),
                            attributes={a.key: _value(a.value) for a in span.attributes},
                        )
                    )
        with self.lock:
            self.spans.extend(received)

    def trace_of(self, request_id: str, services: set[str], timeout: float = 20.0) -> list[Span]:
        """The spans of the trace whose server spans carry `request_id`, once all `services` sent theirs."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                spans = list(self.spans)
            servers = [s for s in spans if s.kind == SpanProto.SPAN_KIND_SERVER and request_id in _request_ids(s)]
            if {s.service for s in servers} >= services:
                trace_ids = {s.trace_id for s in servers}
                assert len(trace_ids) == 1, f"the request's spans are in {len(trace_ids)} traces"
                return [s for s in spans if s.trace_id in trace_ids]
            time.sleep(0.2)
        raise AssertionError(f"no trace of {request_id} from {sorted(services)} within {timeout} s")


def _request_ids(span: Span) -> list[str]:
    return list(span.attributes.get("http.response.header.x_request_id", []))


@pytest.fixture(scope="module")
def otlp() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture(scope="module")
def traced_platform(tmp_path_factory, otlp: OtlpReceiver) -> Iterator[Platform]:
    env = {"OTEL_BSP_SCHEDULE_DELAY": "200"}  # export within a fraction of a second
    for _module, prefix in SERVICES.values():
        env[f"{prefix}TRACING"] = "otlp"
        env[f"{prefix}TRACING_OTLP_ENDPOINT"] = otlp.url
    # Every rating asks facilities-api for its target (none remembered), so its span is in the trace.
    env["FEEDBACK_FACILITIES_CACHE_TTL_S"] = "0"
    with running_platform(tmp_path_factory, name="tracing", extra_env=env) as p:
        yield p


def test_a_rating_that_needs_the_facilities_service_is_one_trace_across_three_services(traced_platform, otlp):
    with httpx.Client(base_url=traced_platform.url, timeout=15) as client:
        registered = client.post(
            "/api/v1/auth/register",
            json={"username": "trace-resident", "password": "a-long-password", "display_name": "周八"},
        )
        assert registered.status_code == 202, registered.text
        resident = bearer(client, "trace-resident", "a-long-password")
        facility_id = client.get("/api/v1/facilities", params={"limit": 1}).json()["items"][0]["id"]
        rated = client.post(
            "/api/v1/ratings",
            json={"target_type": "facility", "target_id": facility_id, "overall": 4},
            headers={**resident, "X-Request-ID": "trace-e2e-rating-1"},
        )
        assert rated.status_code == 201, rated.text

    spans = otlp.trace_of("trace-e2e-rating-1", {"gateway", "feedback-api", "facilities-api"})
    by_id = {s.span_id: s for s in spans}
    servers = {s.service: s for s in spans if s.kind == SpanProto.SPAN_KIND_SERVER}

    def server_above(span: Span) -> Span | None:
        """The nearest server span above `span` in the trace (through the client span that called it)."""
        parent = by_id.get(span.parent_span_id)
        while parent is not None and parent.kind != SpanProto.SPAN_KIND_SERVER:
            parent = by_id.get(parent.parent_span_id)
        return parent

    facilities, feedback, gateway = servers["facilities-api"], servers["feedback-api"], servers["gateway"]
    assert server_above(facilities) == feedback
    assert server_above(feedback) == gateway
    assert gateway.parent_span_id == "", "the trace starts at the gateway"
    # The calls between them are client spans of the caller: the gateway's forward, feedback-api's lookup.
    assert by_id[feedback.parent_span_id].service == "gateway"
    assert by_id[feedback.parent_span_id].kind == SpanProto.SPAN_KIND_CLIENT
    assert by_id[facilities.parent_span_id].service == "feedback-api"
    assert by_id[facilities.parent_span_id].kind == SpanProto.SPAN_KIND_CLIENT
    for span in (gateway, feedback, facilities):
        assert _request_ids(span) == ["trace-e2e-rating-1"], span
    # feedback-api's statements are in the trace too.
    assert any(s.service == "feedback-api" and s.attributes.get("db.system") for s in spans)
