"""Fixtures: the kit's chain (service_kit.pytest_plugin: one migrated database per test session, one
rolled-back transaction per test, the app served in process, tokens for each role), given this
service's app (one per session), settings, fixed clock and stand-ins for the services it calls."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from operators_api.main import MIGRATIONS_DIR, create_app
from operators_api.settings import Settings
from service_kit.clock import Clock
from tests.stubs import FacilitiesStub, FeedbackStub, SwitchableTransport

FACILITIES_URL = "http://facilities.test"
FEEDBACK_URL = "http://feedback.test"

# 2026-06-01 10:00 in Beijing: "today" for qualification expiry is 2026-06-01.
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


pytest_plugins = ["service_kit.pytest_plugin"]


@pytest.fixture(scope="session")
def database_name() -> str:
    return "operators"


@pytest.fixture(scope="session")
def migrations_dir() -> Path:
    return MIGRATIONS_DIR


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


@pytest.fixture
def transports(
    facilities_link: SwitchableTransport, feedback_link: SwitchableTransport
) -> dict[str, httpx.AsyncBaseTransport]:
    return {FACILITIES_URL: facilities_link, FEEDBACK_URL: feedback_link}
