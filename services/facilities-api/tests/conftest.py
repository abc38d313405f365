"""Fixtures: one migrated database per test session (SQLite, or PostgreSQL when TEST_DATABASE_URL is
set), one rolled-back transaction per test, the app served in process, and tokens for each role."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from facilities_api.main import MIGRATIONS_DIR, create_app
from facilities_api.settings import Settings
from service_kit.auth import mint_token
from service_kit.clock import Clock
from service_kit.testing import engine_for, fresh_database_url, migrate_for_tests, rolled_back_sessionmaker, running_app
from tests.factories import NOW, AreaFactory, World


@pytest.fixture(scope="session")
def database_url() -> str:
    url = fresh_database_url("facilities")
    migrate_for_tests(MIGRATIONS_DIR, url)
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, environment="test", run_background_tasks=False)


@pytest_asyncio.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for(database_url)
    yield engine
    await engine.dispose()


@pytest_asyncio.fixture
async def sessionmaker(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with rolled_back_sessionmaker(engine) as maker:
        yield maker


@pytest_asyncio.fixture
async def app(settings: Settings):
    app = create_app(settings)
    app.state.clock = Clock(fixed=NOW)  # tests move it with `clock.fixed = ...`, never sleep
    return app


@pytest.fixture
def clock(app) -> Clock:
    return app.state.clock


@pytest_asyncio.fixture
async def client(app, engine, sessionmaker) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app, engine, sessionmaker) as c:
        yield c


@pytest.fixture
def token(settings: Settings) -> Callable[..., str]:
    def make(role: str = "official", sub: str | None = None, **claims) -> str:
        return mint_token(settings, sub=sub or f"test-{role}", role=role, ttl_s=600, **claims)

    return make


@pytest.fixture
def auth(token) -> Callable[..., dict[str, str]]:
    def make(role: str = "official", **claims) -> dict[str, str]:
        return {"Authorization": f"Bearer {token(role, **claims)}"}

    return make


@pytest_asyncio.fixture
async def areas(sessionmaker) -> AreaFactory:
    factory = AreaFactory(sessionmaker)
    await factory.district()
    return factory


@pytest_asyncio.fixture
async def world(client, auth, areas, sessionmaker) -> World:
    """Facilities, services and activities built through the API (see tests/factories.py)."""
    return World(client=client, auth=auth, sessionmaker=sessionmaker)
