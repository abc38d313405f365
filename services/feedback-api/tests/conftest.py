"""Fixtures: one migrated database per test session (SQLite, or PostgreSQL when TEST_DATABASE_URL is
set), one rolled-back transaction per test, the app served in process with a fixed clock, and tokens for
each role.

feedback-api asks facilities-api about facilities, activities and services, and reads its event feed.
facilities-api is being extended at the same time, so the tests answer those calls with a stand-in that
implements exactly the contract (tests/standin.py), in process: feedback-api's calls to
http://facilities.test are routed to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

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
from tests.factories import FACILITIES_URL, RefusingTransport
from tests.standin import FacilitiesStandIn

# Noon on Monday 23 November 2026 in Beijing: the fourth quarter.
NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def database_url() -> str:
    url = fresh_database_url("feedback")
    migrate_for_tests(MIGRATIONS_DIR, url)
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        environment="test",
        run_background_tasks=False,
        facilities_url=FACILITIES_URL,
        holidays=[],
        makeup_workdays=[],
        # Most tests have many new residents rate one target: bursts are tested on their own (abuse tests).
        burst_threshold=100,
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
async def sessionmaker(
    engine: AsyncEngine,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with rolled_back_sessionmaker(engine) as maker:
        yield maker


@pytest_asyncio.fixture
async def app(settings: Settings, clock: Clock):
    return create_app(settings, clock=clock)


@pytest.fixture
def standin() -> FacilitiesStandIn:
    """facilities-api: facility 1 (government-run), 2 (run by operator 7), 3 (operator 8, another
    subdistrict); activity 11 at facility 2 (held yesterday), 12 (next week); service 21 at facility 2."""
    s = FacilitiesStandIn()
    s.facility(1, name_zh="东城区第一图书馆")
    s.facility(2, operator_id=7, name_zh="角楼图书馆")
    s.facility(3, operator_id=8, subdistrict="donghuamen", name_zh="史家胡同博物馆")
    s.activity(11, 2, starts_at=datetime(2026, 11, 22, 6, 0, tzinfo=UTC))
    s.activity(12, 2, starts_at=datetime(2026, 11, 30, 6, 0, tzinfo=UTC))
    s.service(21, 2)
    return s


@pytest_asyncio.fixture
async def client(
    app, engine, sessionmaker, standin
) -> AsyncIterator[httpx.AsyncClient]:
    """feedback-api, its calls to facilities-api answered by the stand-in."""
    transports = {FACILITIES_URL: httpx.ASGITransport(app=standin.app)}
    async with running_app(app, engine, sessionmaker, transports=transports) as c:
        yield c


@pytest.fixture
def refusing() -> RefusingTransport:
    return RefusingTransport()


@pytest_asyncio.fixture
async def client_facilities_down(
    app, engine, sessionmaker, refusing
) -> AsyncIterator[httpx.AsyncClient]:
    """feedback-api while facilities-api refuses every connection."""
    async with running_app(
        app, engine, sessionmaker, transports={FACILITIES_URL: refusing}
    ) as c:
        yield c


@pytest.fixture
def token(settings: Settings) -> Callable[..., str]:
    def make(role: str = "resident", sub: str | None = None, **claims) -> str:
        return mint_token(
            settings, sub=sub or f"test-{role}", role=role, ttl_s=600, **claims
        )

    return make


@pytest.fixture
def auth(token) -> Callable[..., dict[str, str]]:
    def make(role: str = "resident", **claims) -> dict[str, str]:
        return {"Authorization": f"Bearer {token(role, **claims)}"}

    return make
