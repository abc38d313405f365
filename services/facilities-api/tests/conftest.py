"""Fixtures: the kit's chain (service_kit.pytest_plugin: one migrated database per test session, one
rolled-back transaction per test, the app served in process, tokens for each role), given this
service's app, settings, clock and factories."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_asyncio

from facilities_api.main import MIGRATIONS_DIR, create_app
from facilities_api.settings import Settings
from service_kit.clock import Clock
from tests.factories import NOW, AreaFactory, World

pytest_plugins = ["service_kit.pytest_plugin"]


@pytest.fixture(scope="session")
def database_name() -> str:
    return "facilities"


@pytest.fixture(scope="session")
def migrations_dir() -> Path:
    return MIGRATIONS_DIR


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, environment="test", run_background_tasks=False)


@pytest_asyncio.fixture
async def app(settings: Settings):
    app = create_app(settings)
    app.state.clock = Clock(fixed=NOW)  # tests move it with `clock.fixed = ...`, never sleep
    return app


@pytest.fixture
def clock(app) -> Clock:
    return app.state.clock


@pytest_asyncio.fixture
async def areas(sessionmaker) -> AreaFactory:
    factory = AreaFactory(sessionmaker)
    await factory.district()
    return factory


@pytest_asyncio.fixture
async def world(client, auth, areas, sessionmaker) -> World:
    """Facilities, services and activities built through the API (see tests/factories.py)."""
    return World(client=client, auth=auth, sessionmaker=sessionmaker)
