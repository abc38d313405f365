"""The Alembic history builds the schema the models describe, on this test run's database (the kit's
checks), and the service answers health, readiness and metrics."""

from __future__ import annotations

from feedback_api.db import Base
from service_kit.pytest_plugin import MigrationChecks


class TestMigrations(MigrationChecks):
    metadata = Base.metadata


async def test_health_and_metrics(client):
    assert (await client.get("/healthz")).json() == {
        "status": "ok",
        "service": "feedback-api",
    }
    await client.get("/api/v1/ratings")
    metrics = await client.get("/metrics")
    assert (
        'http_requests_total{method="GET",route="/api/v1/ratings",service="feedback-api",status="200"}'
        in metrics.text
    )


async def test_request_id_is_kept_or_added(client):
    kept = await client.get("/api/v1/ratings", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    added = await client.get("/api/v1/ratings/404404")
    assert len(added.headers["x-request-id"]) == 32
    assert added.json()["request_id"] == added.headers["x-request-id"]
