"""Fixtures: one migrated database per test session (SQLite, or PostgreSQL when TEST_DATABASE_URL is
set), one rolled-back transaction per test, the app served in process on a fixed clock, and tokens
for each role."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from operators_api.main import MIGRATIONS_DIR, create_app
from operators_api.settings import Settings
from service_kit.auth import mint_token
from service_kit.clock import Clock
from service_kit.testing import (
    engine_for,
    fresh_database_url,
    migrate_for_tests,
    rolled_back_sessionmaker,
    running_app,
)
from tests.stubs import FacilitiesStub, FeedbackStub, SwitchableTransport

FACILITIES_URL = "http://facilities.test"
FEEDBACK_URL = "http://feedback.test"

# 2026-06-01 10:00 in Beijing: "today" for qualification expiry is 2026-06-01.
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def database_url() -> str:
    url = fresh_database_url("operators")
    migrate_for_tests(MIGRATIONS_DIR, url)
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        environment="test",
        run_background_tasks=False,
        facilities_url=FACILITIES_URL,
        feedback_url=FEEDBACK_URL,
    )


@pytest.fixture
def clock() -> Clock:
    """The app's clock; a test moves time by setting clock.fixed."""
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


@pytest.fixture(scope="session")
def shared_app(database_url: str):
    """One app for the session: building ~100 routes' models is the costly part. Each test gives it
    its own settings, clock and database transaction (running_app sets engine, sessions and clients)."""
    return create_app(Settings(database_url=database_url, environment="test", run_background_tasks=False))


@pytest_asyncio.fixture
async def app(shared_app, settings: Settings, clock: Clock):
    shared_app.state.settings = settings
    shared_app.state.clock = clock
    return shared_app


@pytest.fixture
def facilities() -> FacilitiesStub:
    """The facilities-api stand-in: a test sets its figures."""
    return FacilitiesStub()


@pytest.fixture
def feedback() -> FeedbackStub:
    """The feedback-api stand-in: a test sets its figures."""
    return FeedbackStub()


@pytest.fixture
def facilities_link(facilities: FacilitiesStub) -> SwitchableTransport:
    """The way to facilities-api: `.down = True` refuses connections, `.status = 503` answers errors."""
    return SwitchableTransport(facilities.app())


@pytest.fixture
def feedback_link(feedback: FeedbackStub) -> SwitchableTransport:
    return SwitchableTransport(feedback.app())


@pytest_asyncio.fixture
async def client(app, engine, sessionmaker, facilities_link, feedback_link) -> AsyncIterator[httpx.AsyncClient]:
    transports = {FACILITIES_URL: facilities_link, FEEDBACK_URL: feedback_link}
    async with running_app(app, engine, sessionmaker, transports=transports) as c:
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
