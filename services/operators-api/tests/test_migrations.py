"""The Alembic history builds the schema the models describe, on this test run's database (the kit's
checks), and the service answers health, readiness and metrics."""

from __future__ import annotations

from operators_api.db import Base
from service_kit.pytest_plugin import MigrationChecks


class TestMigrations(MigrationChecks):
    metadata = Base.metadata


async def test_health_and_metrics(client):
    assert (await client.get("/healthz")).json() == {"status": "ok", "service": "operators-api"}
    await client.get("/api/v1/operators")
    metrics = await client.get("/metrics")
    assert (
        'http_requests_total{method="GET",route="/api/v1/operators",service="operators-api",status="200"}'
        in metrics.text
    )


async def test_request_id_is_kept_or_added(client):
    kept = await client.get("/api/v1/operators", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    added = await client.get("/api/v1/operators/404404")
    assert len(added.headers["x-request-id"]) == 32
    assert added.json()["request_id"] == added.headers["x-request-id"]


async def test_openapi_documents_problems(client):
    schema = (await client.get("/openapi.json")).json()
    post = schema["paths"]["/api/v1/operators"]["post"]
    assert set(post["responses"]) >= {"201", "400", "401", "403", "409", "413", "415", "422"}
    assert "application/problem+json" in post["responses"]["409"]["content"]
