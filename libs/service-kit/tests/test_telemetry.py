"""FastAPI's own OpenTelemetry instrumentation: off unless the service's settings turn it on."""

from __future__ import annotations

import pytest
from opentelemetry import trace

from service_kit.testing import running_app
from tests.conftest import make_app


@pytest.fixture
def provider_lookups(monkeypatch) -> list[int]:
    """Counts FastAPI's per-request question 'is a tracer provider configured?'."""
    asked: list[int] = []
    real = trace.get_tracer_provider

    def counted():
        asked.append(1)
        return real()

    monkeypatch.setattr(trace, "get_tracer_provider", counted)
    return asked


async def test_by_default_a_request_does_not_look_for_a_provider(client, provider_lookups):
    assert (await client.get("/healthz")).status_code == 200
    assert provider_lookups == []


async def test_turned_on_each_request_looks_for_a_provider(settings, tmp_path, engine, sessionmaker, provider_lookups):
    app = make_app(settings.model_copy(update={"opentelemetry": True}), tmp_path)
    async with running_app(app, engine, sessionmaker) as client:
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/healthz")).status_code == 200
    assert len(provider_lookups) >= 2
