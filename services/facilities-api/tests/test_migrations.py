"""The Alembic history builds the schema the models describe, on this test run's database (the kit's
checks), and the service answers health, readiness and metrics."""

from __future__ import annotations

from facilities_api.db import Base
from service_kit.pytest_plugin import MigrationChecks


class TestMigrations(MigrationChecks):
    metadata = Base.metadata


async def test_health_and_metrics(client):
    assert (await client.get("/healthz")).json()["status"] == "ok"
    await client.get("/api/v1/facilities")
    metrics = await client.get("/metrics")
    assert (
        'http_requests_total{method="GET",route="/api/v1/facilities",service="facilities-api",status="200"}'
        in metrics.text
    )


async def test_request_id_is_kept_or_added(client):
    kept = await client.get("/api/v1/facilities", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    added = await client.get("/api/v1/facilities/404404")
    assert len(added.headers["x-request-id"]) == 32
    assert added.json()["request_id"] == added.headers["x-request-id"]


def test_facilities_registered_before_the_upgrade_become_searchable_and_findable_near():
    """The migration that adds search text, latitude bands and opening slots fills them in for the
    facilities already in the registry. (Synchronous: Alembic runs its own event loop.)"""
    import asyncio

    from sqlalchemy import text

    from facilities_api.main import MIGRATIONS_DIR
    from service_kit import migrations
    from service_kit.db import make_engine
    from service_kit.testing import fresh_database_url

    async def insert_old_facility() -> None:
        engine = make_engine(url)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO subdistrict (id, code, name_zh, name_en, population) VALUES (1, 'jingshan', '景山街道', 'Jingshan', 30000)"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO facility (id, name_zh, name_en, kind, level, subdistrict_id, address_zh, lat, lon, floor_area_m2, seats,"
                    " opening_hours, accessibility, contact_phone, contact_email, status, operation_mode, photos, description_zh, version,"
                    " created_at, updated_at) VALUES (1, '景山书房', '', 'new_cultural_space', 'community', 1, '景山后街1号', 39.928, 116.398,"
                    " 100, 20, '[{\"weekday\": 1, \"opens\": \"09:00\", \"closes\": \"17:00\"}]', '[]', '', '', 'open', 'government', '[]', '',"
                    " 1, '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00')"
                )
            )
        await engine.dispose()

    async def read_back():
        engine = make_engine(url)
        async with engine.connect() as conn:
            row = (await conn.execute(text("SELECT search_text, lat_cell FROM facility WHERE id = 1"))).one()
            slots = (
                await conn.execute(
                    text("SELECT weekday, opens_min, closes_min FROM opening_slot WHERE facility_id = 1")
                )
            ).all()
        await engine.dispose()
        return row, slots

    url = fresh_database_url("facilities_backfill")
    migrations.upgrade(MIGRATIONS_DIR, url, "ad4c46da9c6a")
    asyncio.run(insert_old_facility())
    migrations.upgrade(MIGRATIONS_DIR, url)
    row, slots = asyncio.run(read_back())
    assert "jingshanshufang" in row.search_text and "jssf" in row.search_text
    assert row.lat_cell == 7985  # floor(39.928 × 200)
    assert [tuple(s) for s in slots] == [(1, 540, 1020)]


def test_events_published_before_the_change_forget_the_special_group():
    """special_request.submitted once carried the special group; the migration takes it out of the events
    already in the feed, and leaves every other event as it was."""
    import asyncio
    import json

    from sqlalchemy import text

    from facilities_api.main import MIGRATIONS_DIR
    from service_kit import migrations
    from service_kit.db import make_engine
    from service_kit.testing import fresh_database_url

    old = {
        "request_id": 7,
        "facility_id": 1,
        "kind": "home_delivery",
        "special_group": "disabled",
        "status": "submitted",
    }
    other = {"request_id": 7, "special_group": "kept: not this event type"}

    async def insert_old_events() -> None:
        engine = make_engine(url)
        async with engine.begin() as conn:
            for n, (kind, data) in enumerate(
                (("special_request.submitted", old), ("special_request.status_changed", other)), 1
            ):
                await conn.execute(
                    text(
                        "INSERT INTO event (id, type, subject, data, occurred_at) VALUES (:id, :type, 'special_request/7', :data, '2026-11-30 00:00:00+00')"
                    ),
                    {"id": f"00000000-0000-0000-0000-00000000000{n}", "type": kind, "data": json.dumps(data)},
                )
        await engine.dispose()

    async def read_back() -> dict[str, dict]:
        engine = make_engine(url)
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT type, data FROM event ORDER BY seq"))).all()
        await engine.dispose()
        return {kind: (json.loads(data) if isinstance(data, str) else data) for kind, data in rows}

    url = fresh_database_url("facilities_event_scrub")
    migrations.upgrade(MIGRATIONS_DIR, url, "9a4f6b3c1e27")
    asyncio.run(insert_old_events())
    migrations.upgrade(MIGRATIONS_DIR, url)
    events = asyncio.run(read_back())
    assert events["special_request.submitted"] == {k: v for k, v in old.items() if k != "special_group"}
    assert events["special_request.status_changed"] == other
