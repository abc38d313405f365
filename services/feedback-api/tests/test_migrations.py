"""The Alembic history builds the schema the models describe, on this test run's database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from feedback_api.db import Base


async def test_models_and_migrations_agree(engine):
    def diff(sync_conn):
        ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == []


async def test_ready_means_database_and_migrations_at_head(client):
    resp = await client.get("/readyz")
    assert resp.status_code == 200, resp.text
    assert resp.json()["checks"]["database"] == "ok"
    assert resp.json()["checks"]["migrations"].startswith("at head")


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
