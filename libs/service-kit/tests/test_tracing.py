"""Tracing (service_kit.tracing), asserted with the SDK's in-memory exporter: a request is a server span
continuing the caller's W3C trace with its request id, its statements and its calls to other services
are spans below it and carry the trace on; health and metrics are not traced, background work starts no
trace, and with tracing off (the default) nothing of OpenTelemetry runs."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import text

from service_kit.app import create_service_app
from service_kit.testing import running_app
from service_kit.tracing import Tracing
from tests.conftest import EVENT_TYPES, infra
from tests.conftest import router as notes_router

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
TRACEPARENT = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"

relay = APIRouter(prefix="/api/v1")


@relay.get("/relay")
async def relay_call(request: Request) -> dict[str, str]:
    """Asks another service something, as the services' clients do."""
    resp = await request.app.state.http.get("http://other/api/v1/echo")
    return dict(resp.json())


def other_service() -> FastAPI:
    """Another service that answers with the trace header it was sent."""
    other = FastAPI()

    @other.get("/api/v1/echo")
    async def echo(request: Request) -> dict[str, str]:
        return {"traceparent": request.headers.get("traceparent", "")}

    return other


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


def traced_app_for(settings, tmp_path, exporter: InMemorySpanExporter) -> FastAPI:
    """The kit test app (and a route that calls another service), tracing into `exporter`."""
    migrations = tmp_path / "migrations"
    (migrations / "versions").mkdir(parents=True, exist_ok=True)
    (migrations / "env.py").touch()
    return create_service_app(
        settings=settings,
        title="kit test",
        description="",
        version="0",
        routers=[notes_router, relay],
        infra=infra,
        event_types=EVENT_TYPES,
        migrations_dir=migrations,
        tracing=Tracing.from_settings(settings, exporter=exporter),
    )


@pytest.fixture
def traced_app(settings, tmp_path, exporter) -> FastAPI:
    return traced_app_for(settings, tmp_path, exporter)


@pytest.fixture
async def traced(traced_app, engine, sessionmaker):
    transports = {"http://other": httpx.ASGITransport(app=other_service())}
    async with running_app(traced_app, engine, sessionmaker, transports=transports) as client:
        yield client


def server_spans(spans: tuple[ReadableSpan, ...]) -> list[ReadableSpan]:
    return [s for s in spans if s.kind is SpanKind.SERVER]


class TestARequest:
    async def test_is_a_server_span_in_the_callers_trace_with_its_request_id(self, traced, exporter, auth):
        resp = await traced.post(
            "/api/v1/notes",
            json={"text": "traced"},
            headers={**auth(), "traceparent": TRACEPARENT, "X-Request-ID": "req-42"},
        )
        assert resp.status_code == 201
        [server] = server_spans(exporter.get_finished_spans())
        assert server.context is not None and server.parent is not None
        assert f"{server.context.trace_id:032x}" == CALLER_TRACE
        assert f"{server.parent.span_id:016x}" == CALLER_SPAN
        assert server.attributes is not None
        assert list(server.attributes["http.response.header.x_request_id"]) == ["req-42"]
        assert server.resource.attributes["service.name"] == "kit-test"

    async def test_a_request_id_the_service_made_is_on_the_span(self, traced, exporter, auth):
        resp = await traced.get("/api/v1/events", headers=auth())
        assert resp.status_code == 200
        [server] = server_spans(exporter.get_finished_spans())
        assert server.attributes is not None
        assert list(server.attributes["http.response.header.x_request_id"]) == [resp.headers["x-request-id"]]

    async def test_its_statements_are_spans_below_it(self, traced, exporter, auth):
        resp = await traced.post("/api/v1/notes", json={"text": "with sql"}, headers=auth())
        assert resp.status_code == 201
        spans = exporter.get_finished_spans()
        [server] = server_spans(spans)
        assert server.context is not None
        statements = {str((s.attributes or {}).get("db.statement", "")).split(" (")[0]: s for s in spans}
        insert = statements["INSERT INTO note"]
        assert insert.kind is SpanKind.CLIENT and insert.parent is not None
        assert insert.parent.span_id == server.context.span_id

    async def test_a_call_to_another_service_carries_the_trace(self, traced, exporter):
        resp = await traced.get("/api/v1/relay", headers={"traceparent": TRACEPARENT})
        assert resp.status_code == 200
        sent = resp.json()["traceparent"]
        spans = exporter.get_finished_spans()
        [call] = [s for s in spans if s.kind is SpanKind.CLIENT and s.name.startswith("GET")]
        [server] = server_spans(spans)
        assert call.context is not None and call.parent is not None and server.context is not None
        assert call.parent.span_id == server.context.span_id
        assert sent == f"00-{CALLER_TRACE}-{call.context.span_id:016x}-01"


class TestNotTraced:
    @pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
    async def test_health_and_metrics(self, traced, exporter, path):
        assert (await traced.get(path)).status_code == 200
        assert exporter.get_finished_spans() == ()

    async def test_background_work_starts_no_trace(self, traced, traced_app, exporter):
        async with traced_app.state.sessionmaker() as session:
            await session.execute(text("SELECT 1"))
        assert exporter.get_finished_spans() == ()

    async def test_no_request_is_traced_at_a_sample_ratio_of_zero(self, settings, tmp_path, engine, sessionmaker, auth):
        exporter = InMemorySpanExporter()
        app = traced_app_for(settings.model_copy(update={"tracing_sample_ratio": 0.0}), tmp_path, exporter)
        async with running_app(app, engine, sessionmaker) as client:
            for _ in range(5):
                assert (await client.get("/api/v1/events", headers=auth())).status_code == 200
        assert exporter.get_finished_spans() == ()


class TestOff:
    @pytest.fixture
    def attaches(self, monkeypatch) -> list[int]:
        """Counts OpenTelemetry context switches (each traced request, statement and call makes some)."""
        made: list[int] = []
        real = otel_context.attach

        def counted(context):
            made.append(1)
            return real(context)

        monkeypatch.setattr(otel_context, "attach", counted)
        return made

    def test_by_default(self, settings):
        assert settings.tracing == "off"
        assert Tracing.from_settings(settings) is None

    async def test_a_request_runs_nothing_of_opentelemetry(self, client, attaches, auth):
        resp = await client.post(
            "/api/v1/notes", json={"text": "untraced"}, headers={**auth(), "traceparent": TRACEPARENT}
        )
        assert resp.status_code == 201
        assert attaches == []

    async def test_turned_on_a_request_does(self, traced, attaches, auth):
        resp = await traced.post("/api/v1/notes", json={"text": "traced too"}, headers=auth())
        assert resp.status_code == 201
        assert attaches
