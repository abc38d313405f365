"""Every error is problem+json with the right status, and nothing internal leaks."""

import pytest

from service_kit.settings import BaseServiceSettings


async def test_unexpected_error_is_500_problem_without_internals(client):
    resp = await client.get("/api/v1/boom")
    assert resp.status_code == 500
    assert resp.headers["content-type"] == "application/problem+json"
    assert "passwd" not in resp.text and "Traceback" not in resp.text
    assert resp.json()["request_id"] == resp.headers["x-request-id"]


async def test_unknown_path_and_wrong_method(client):
    assert (await client.get("/api/v1/nothing")).status_code == 404
    resp = await client.delete("/api/v1/notes")
    assert resp.status_code == 405
    assert resp.headers["allow"] == "POST"
    assert (await client.patch("/api/v1/events")).headers["allow"] == "GET"


async def test_validation_names_the_field(client, auth):
    resp = await client.post("/api/v1/notes", json={"text": ""}, headers=auth())
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "text"


async def test_bad_bearer_scheme_is_401(client):
    resp = await client.post("/api/v1/notes", json={"text": "x"}, headers={"Authorization": "Basic abc"})
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"].startswith("Bearer")


async def test_token_signed_with_another_secret_is_401(client, settings):
    from service_kit.auth import mint_token

    other = settings.model_copy(update={"jwt_secret": "x" * 40})
    resp = await client.post(
        "/api/v1/notes",
        json={"text": "x"},
        headers={"Authorization": "Bearer " + mint_token(other, sub="a", role="official", ttl_s=60)},
    )
    assert resp.status_code == 401


def test_production_refuses_the_default_secret():
    with pytest.raises(ValueError, match="default or a short JWT secret"):
        BaseServiceSettings(environment="production", database_url="postgresql+asyncpg://u@h/db")


def test_production_refuses_sqlite_and_private_webhooks_by_default():
    with pytest.raises(ValueError, match="PostgreSQL"):
        BaseServiceSettings(environment="production", jwt_secret="s" * 40, database_url="sqlite+aiosqlite:///x.db")
    prod = BaseServiceSettings(
        environment="production",
        jwt_secret="s" * 40,
        database_url="postgresql+asyncpg://u@h/db",
        metrics_allow="10.0.0.0/8",
    )
    assert prod.allow_private_webhook_urls is False
    assert BaseServiceSettings(environment="development").allow_private_webhook_urls is True


def test_production_without_a_database_url_refuses_to_start(monkeypatch):
    """A deployment that forgot the variable must not come up on an empty SQLite file."""
    from pydantic_settings import SettingsConfigDict

    class FacilitiesLike(BaseServiceSettings):
        model_config = SettingsConfigDict(env_prefix="FACILITIES_", extra="ignore")

    monkeypatch.delenv("FACILITIES_DATABASE_URL", raising=False)
    monkeypatch.setenv("FACILITIES_ENVIRONMENT", "production")
    monkeypatch.setenv("FACILITIES_JWT_SECRET", "s" * 40)
    monkeypatch.setenv("FACILITIES_METRICS_ALLOW", "10.0.0.0/8")
    with pytest.raises(ValueError, match="FACILITIES_DATABASE_URL is not set"):
        FacilitiesLike()
    monkeypatch.setenv("FACILITIES_DATABASE_URL", "  ")
    with pytest.raises(ValueError, match="FACILITIES_DATABASE_URL is not set"):
        FacilitiesLike()
    monkeypatch.setenv("FACILITIES_DATABASE_URL", "postgresql+asyncpg://u@h/db")
    assert FacilitiesLike().database_url == "postgresql+asyncpg://u@h/db"
    # development keeps its SQLite default
    monkeypatch.setenv("FACILITIES_ENVIRONMENT", "development")
    monkeypatch.delenv("FACILITIES_DATABASE_URL")
    assert FacilitiesLike().database_url.startswith("sqlite+aiosqlite:///")


async def test_clock_dependency_gives_the_apps_clock(settings, tmp_path):
    from datetime import UTC, datetime

    import httpx
    from fastapi import APIRouter

    from service_kit.app import create_service_app
    from service_kit.clock import Clock, ClockDep
    from tests.conftest import EVENT_TYPES, infra

    router = APIRouter()

    @router.get("/now")
    async def now(clock: ClockDep) -> dict:
        return {"now": clock.now().isoformat()}

    (tmp_path / "versions").mkdir()
    fixed = datetime(2026, 2, 17, 1, 0, tzinfo=UTC)
    app = create_service_app(
        settings=settings,
        title="t",
        description="",
        version="0",
        routers=[router],
        infra=infra,
        event_types=EVENT_TYPES,
        migrations_dir=tmp_path,
        clock=Clock(fixed),
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        resp = await c.get("/now")
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"now": "2026-02-17T01:00:00+00:00"}
