"""Fixtures: the kit's chain (service_kit.pytest_plugin: one migrated database per test session, one
rolled-back transaction per test, the app served in process, tokens for each role, residents' by
default), given this service's app, settings and fixed clock.

feedback-api asks facilities-api about facilities, activities and services, and reads its event feed.
facilities-api is being extended at the same time, so the tests answer those calls with a stand-in that
implements exactly the contract (tests/standin.py), in process: feedback-api's calls to
http://facilities.test are routed to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from feedback_api.main import MIGRATIONS_DIR, create_app
from feedback_api.settings import Settings
from service_kit.clock import Clock
from service_kit.testing import running_app
from tests.factories import FACILITIES_URL, RefusingTransport
from tests.standin import FacilitiesStandIn

pytest_plugins = ["service_kit.pytest_plugin"]

# Noon on Monday 23 November 2026 in Beijing: the fourth quarter.
NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def database_name() -> str:
    return "feedback"


@pytest.fixture(scope="session")
def migrations_dir() -> Path:
    return MIGRATIONS_DIR


@pytest.fixture
def default_role() -> str:
    return "resident"


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


@pytest.fixture
def transports(standin: FacilitiesStandIn) -> dict[str, httpx.AsyncBaseTransport]:
    """feedback-api's calls to facilities-api are answered by the stand-in."""
    return {FACILITIES_URL: httpx.ASGITransport(app=standin.app)}


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
