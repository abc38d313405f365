"""Tracing on the proxied path (real servers): the forward is a client span below the gateway's server
span, and the service receives the trace in its traceparent header, in place of whatever the client
sent; the request id is on the server span. Asserted with the SDK's in-memory exporter."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.instrumentation.aiohttp_client import create_trace_config
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from gateway.proxy import Proxy, ProxySettings, ServiceRoutes, Upstreams
from gateway.settings import Settings
from service_kit.tracing import Tracing

from .conftest import ROUTES
from .servers import ServerThread
from .test_forwarding import sent_headers

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def traced_gateway(upstreams: dict[str, str], exporter: InMemorySpanExporter) -> Iterator[str]:
    """The proxy as gateway/main.py stacks it with tracing on: the server span outside it, the trace
    config on its clients."""
    tracing = Tracing.from_settings(Settings(environment="test"), exporter=exporter)
    assert tracing is not None
    forwarder = Upstreams(
        upstreams, ProxySettings(), trace_configs=[create_trace_config(tracer_provider=tracing.provider)]
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await forwarder.start()
        yield
        await forwarder.close()

    app = FastAPI(lifespan=lifespan)
    tracing.instrument_app(app)
    app.add_middleware(Proxy, routes=ServiceRoutes.fixed(ROUTES), upstreams=forwarder)
    server = ServerThread(app).start()
    yield server.url
    server.stop()


def test_the_service_receives_the_trace_of_the_forward(traced_gateway, exporter):
    with httpx.Client(base_url=traced_gateway, timeout=10) as client:
        resp = client.get("/api/v1/facilities/7", headers={"traceparent": TRACEPARENT, "X-Request-ID": "gw-trace-1"})
    assert resp.status_code == 200
    spans = exporter.get_finished_spans()
    [server] = [s for s in spans if s.kind is SpanKind.SERVER]
    [forward] = [s for s in spans if s.kind is SpanKind.CLIENT]
    assert server.context is not None and forward.context is not None and forward.parent is not None
    assert f"{server.context.trace_id:032x}" == CALLER_TRACE
    assert forward.parent.span_id == server.context.span_id
    assert sent_headers(resp.json())["traceparent"] == [f"00-{CALLER_TRACE}-{forward.context.span_id:016x}-01"]
    assert server.attributes is not None
    assert list(server.attributes["http.response.header.x_request_id"]) == ["gw-trace-1"]
    assert server.resource.attributes["service.name"] == "gateway"
