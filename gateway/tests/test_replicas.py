"""The gateway as configured: several replicas of a service in one setting, routes read from the one
that answers, and the proxied requests in its access log, its /metrics and its readiness."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families
from proxy.documents import DOCUMENTS
from proxy.servers import ServerThread, closed_port, make_upstream
from pydantic import ValidationError

from gateway.main import create_app, upstreams_of
from gateway.settings import Settings
from service_kit.app import start_runtime, stop_runtime
from service_kit.logs import JsonFormatter
from service_kit.testing import rolled_back_sessionmaker


def test_a_service_url_setting_takes_one_url_or_several(monkeypatch):
    monkeypatch.setenv("GATEWAY_FEEDBACK_URL", "http://127.0.0.1:8003/, http://127.0.0.1:8013")
    monkeypatch.setenv("GATEWAY_OPERATORS_URL", "http://127.0.0.1:8002")
    urls = upstreams_of(Settings())
    assert urls["feedback"] == ("http://127.0.0.1:8003", "http://127.0.0.1:8013")
    assert urls["operators"] == ("http://127.0.0.1:8002",)
    monkeypatch.setenv("GATEWAY_FEEDBACK_URL", "http://127.0.0.1:8003,127.0.0.1:8013")
    with pytest.raises(ValidationError, match="must start with http"):
        Settings()


@pytest_asyncio.fixture
async def platform(settings, engine) -> AsyncIterator[tuple[httpx.AsyncClient, ServerThread, str]]:
    """The gateway with feedback-api on two replicas, the first of them down from the start."""
    replica = ServerThread(make_upstream("feedback-b", DOCUMENTS["feedback"])).start()
    down = f"http://127.0.0.1:{closed_port()}"
    app = create_app(Settings(**{**settings.model_dump(), "feedback_url": f"{down}, {replica.url}"}))
    try:
        async with rolled_back_sessionmaker(engine) as maker:
            app.state.engine, app.state.sessionmaker = engine, maker
            await start_runtime(app)
            try:
                async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
                    yield client, replica, down
            finally:
                await stop_runtime(app)
    finally:
        replica.stop()


def sample(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


async def test_replicas_are_routed_balanced_logged_and_counted(platform, caplog):
    gateway, replica, down = platform
    # Its routes were read from the replica that answered; requests reach it though the other is down.
    for _ in range(4):
        response = await gateway.get("/api/v1/ratings")
        assert response.status_code == 200 and response.json()["service"] == "feedback-b"
    ready = (await gateway.get("/readyz")).json()
    assert ready["services"]["feedback-api"].startswith(f"1 of 2 replicas ready ({down}: unreachable")

    replica.stop()
    caplog.set_level(logging.INFO, logger="gateway.proxy.access")
    refused = await gateway.post("/api/v1/ratings", json={"stars": 4}, headers={"X-Request-ID": "r-502"})
    assert refused.status_code == 502  # not sent to the other replica: without a key, a POST is sent once
    assert refused.json()["type"] == "/problems/bad-gateway"

    [record] = [r for r in caplog.records if r.name == "gateway.proxy.access" and r.request_id == "r-502"]
    line = json.loads(JsonFormatter("gateway").format(record))
    assert line["message"] == "proxied" and line["service"] == "gateway"
    assert {k: line[k] for k in ("method", "path", "status", "upstream_service", "upstream", "client")} == {
        "method": "POST",
        "path": "/api/v1/ratings",
        "status": 502,
        "upstream_service": "feedback",
        "upstream": replica.url,
        "client": "127.0.0.1",
    }
    assert line["duration_ms"] >= 0

    metrics = (await gateway.get("/metrics")).text
    requests = "gateway_proxied_requests_total"
    assert sample(metrics, requests, service="feedback", method="POST", status_class="5xx", upstream=replica.url) == 1
    assert sample(metrics, requests, service="feedback", method="GET", status_class="2xx", upstream=replica.url) == 4
    assert sample(metrics, "gateway_upstream_retries_total", service="feedback") == 1  # the first GET
    assert sample(metrics, "gateway_upstream_up", service="feedback", upstream=down) == 0
    assert sample(metrics, "gateway_upstream_up", service="feedback", upstream=replica.url) == 0
