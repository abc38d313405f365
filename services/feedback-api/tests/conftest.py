"""Fixtures: one migrated database per test session (SQLite, or PostgreSQL when TEST_DATABASE_URL is
set), one rolled-back transaction per test, the app served in process, and tokens for each role.

feedback-api asks facilities-api whether a facility exists, so the tests run the real facilities-api
in process too, on its own migrated database and its own rolled-back transaction: feedback-api's
outgoing calls to http://facilities.test are routed to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from facilities_api.main import MIGRATIONS_DIR as FACILITIES_MIGRATIONS_DIR
from facilities_api.main import create_app as create_facilities_app
from facilities_api.settings import Settings as FacilitiesSettings
from feedback_api.main import MIGRATIONS_DIR, create_app
from feedback_api.settings import Settings
from service_kit.auth import mint_token
from service_kit.clock import Clock
from service_kit.testing import (
    engine_for,
    fresh_database_url,
    migrate_for_tests,
    rolled_back_sessionmaker,
    running_app,
)
from tests.factories import FACILITIES_URL, FacilitiesFactory, RefusingTransport

# Noon on 23 November 2026 in Beijing: the fourth quarter.
NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def database_url() -> str:
    url = fresh_database_url("feedback")
    migrate_for_tests(MIGRATIONS_DIR, url)
    return url


@pytest.fixture(scope="session")
def facilities_database_url() -> str:
    url = fresh_database_url("feedback_facilities")
    migrate_for_tests(FACILITIES_MIGRATIONS_DIR, url)
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, environment="test", run_background_tasks=False, facilities_url=FACILITIES_URL
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(fixed=NOW)


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
async def app(settings: Settings, clock: Clock):
    return create_app(settings, clock=clock)


# --- facilities-api, the real one, in process --------------------------------------------------


@pytest_asyncio.fixture
async def facilities_engine(facilities_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for(facilities_database_url)
    yield engine
    await engine.dispose()


@pytest_asyncio.fixture
async def facilities_sessionmaker(facilities_engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with rolled_back_sessionmaker(facilities_engine) as maker:
        yield maker


@pytest_asyncio.fixture
async def facilities_app(facilities_database_url: str):
    return create_facilities_app(
        FacilitiesSettings(database_url=facilities_database_url, environment="test", run_background_tasks=False)
    )


@pytest_asyncio.fixture
async def facilities_client(facilities_app, facilities_engine, facilities_sessionmaker) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(facilities_app, facilities_engine, facilities_sessionmaker) as c:
        yield c


@pytest_asyncio.fixture
async def facilities(facilities_client, facilities_sessionmaker, auth) -> FacilitiesFactory:
    """Creates facilities in facilities-api through its API, as an official."""
    factory = FacilitiesFactory(facilities_client, facilities_sessionmaker, auth("official"))
    await factory.district()
    return factory


@pytest_asyncio.fixture
async def facility(facilities) -> dict:
    return await facilities.facility()


# --- feedback-api --------------------------------------------------------------------------------


@pytest_asyncio.fixture
async def client(app, engine, sessionmaker, facilities_app, facilities_client) -> AsyncIterator[httpx.AsyncClient]:
    """feedback-api, its calls to facilities-api answered by the in-process facilities-api."""
    transports = {FACILITIES_URL: httpx.ASGITransport(app=facilities_app)}
    async with running_app(app, engine, sessionmaker, transports=transports) as c:
        yield c


@pytest.fixture
def refusing() -> RefusingTransport:
    return RefusingTransport()


@pytest_asyncio.fixture
async def client_facilities_down(app, engine, sessionmaker, refusing) -> AsyncIterator[httpx.AsyncClient]:
    """feedback-api while facilities-api refuses every connection."""
    async with running_app(app, engine, sessionmaker, transports={FACILITIES_URL: refusing}) as c:
        yield c


@pytest.fixture
def token(settings: Settings) -> Callable[..., str]:
    def make(role: str = "resident", sub: str | None = None, **claims) -> str:
        return mint_token(settings, sub=sub or f"test-{role}", role=role, ttl_s=600, **claims)

    return make


@pytest.fixture
def auth(token) -> Callable[..., dict[str, str]]:
    def make(role: str = "resident", **claims) -> dict[str, str]:
        return {"Authorization": f"Bearer {token(role, **claims)}"}

    return make
