"""Distributed tracing with OpenTelemetry: off unless a service's settings turn it on.

When on (`<PREFIX>_TRACING=otlp`), :class:`Tracing` holds the service's own tracer provider (never the
global one, so several apps in one test process stay apart) and the OpenTelemetry instrumentation
packages do the work: FastAPI's server span for each request, SQLAlchemy's spans for the statements,
httpx's client spans for calls to other services. The trace context travels in W3C ``traceparent``
headers (the global propagator's default) and each server span carries the request id as the semantic
conventions' captured response header ``http.response.header.x_request_id``.

Traces start at requests: a span with no parent that is not a server span (a background task's
query, a feed poll's call) is not sampled, nor is what it causes in another service; a request
starts a trace at ``tracing_sample_ratio``, and every span below follows its parent's decision.
/healthz, /readyz and /metrics are not traced. Webhook deliveries go out on a client of their own,
not instrumented: a subscriber outside the platform is sent no trace ids.

When off, :meth:`Tracing.from_settings` returns None and nothing is installed: no middleware, no
event listeners on the engine, no hooks on the HTTP client.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import httpx
from fastapi import FastAPI
from opentelemetry.context import Context
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Link, SpanKind
from opentelemetry.util.types import Attributes
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from opentelemetry.trace.span import TraceState

    from service_kit.settings import BaseServiceSettings

#: Paths never traced (regular expressions on the request URL, as the instrumentation takes them).
EXCLUDED_URLS = ",".join(f"://[^/]+/{path}$" for path in ("healthz", "readyz", "metrics"))
#: The request id on each server span (as http.response.header.x_request_id).
CAPTURED_RESPONSE_HEADERS = ["x-request-id"]


class RequestRoots(Sampler):
    """Samples a trace's first span only when it is a server span (a request), at `ratio`."""

    def __init__(self, ratio: float) -> None:
        self._ratio = TraceIdRatioBased(ratio)

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        if kind is not SpanKind.SERVER:
            return SamplingResult(Decision.DROP, None, trace_state)
        return self._ratio.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"RequestRoots{{{self._ratio.get_description()}}}"


class Tracing:
    """One service's tracer provider, and the instrumentation it installs on the app and its runtime."""

    def __init__(self, provider: TracerProvider) -> None:
        self.provider = provider
        self._instrumented_http: list[httpx.AsyncClient] = []
        self._instrumented_engine = False

    @classmethod
    def from_settings(cls, settings: BaseServiceSettings, *, exporter: SpanExporter | None = None) -> Tracing | None:
        """The service's tracing, or None when it is off. `exporter` replaces the OTLP exporter the
        settings name (tests pass the SDK's in-memory exporter; spans are then exported one by one)."""
        if exporter is None and settings.tracing == "off":
            return None
        provider = TracerProvider(
            resource=Resource.create(
                {"service.name": settings.service_name, "deployment.environment.name": settings.environment}
            ),
            sampler=ParentBased(root=RequestRoots(settings.tracing_sample_ratio)),
        )
        if exporter is not None:
            provider.add_span_processor(SimpleSpanProcessor(exporter))
        else:
            # Imported here: only a service that exports loads the exporter and its protobuf code.
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            # None: the standard OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT decide.
            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.tracing_otlp_endpoint)))
        return cls(provider)

    def instrument_app(self, app: FastAPI) -> None:
        """A server span around each request, outside every middleware of the app."""
        FastAPIInstrumentor.instrument_app(
            app,
            tracer_provider=self.provider,
            excluded_urls=EXCLUDED_URLS,
            http_capture_headers_server_response=CAPTURED_RESPONSE_HEADERS,
            # One span per request, not one per ASGI message as well.
            exclude_spans=["receive", "send"],
        )

    def instrument_runtime(self, engine: AsyncEngine, http: httpx.AsyncClient) -> None:
        """Spans for the engine's statements and the client's calls (which carry the trace on)."""
        if not self._instrumented_engine:
            # The instrumentation declares SQLAlchemy < 2.1; 2.1 keeps the engine events it listens to
            # (its spans are asserted in the kit's tests).
            SQLAlchemyInstrumentor().instrument(
                engine=engine.sync_engine, tracer_provider=self.provider, skip_dep_check=True
            )
            self._instrumented_engine = True
        if http not in self._instrumented_http:
            HTTPXClientInstrumentor.instrument_client(http, tracer_provider=self.provider)
            self._instrumented_http.append(http)

    def uninstrument_runtime(self) -> None:
        """Undo :meth:`instrument_runtime` (the app stops; a test's engine outlives it) and send what is
        waiting to be exported."""
        if self._instrumented_engine:
            SQLAlchemyInstrumentor().uninstrument()
            self._instrumented_engine = False
        for http in self._instrumented_http:
            HTTPXClientInstrumentor.uninstrument_client(http)
        self._instrumented_http.clear()
        self.provider.force_flush()
