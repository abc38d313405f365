"""Gateway fixtures: the kit's chain (service_kit.pytest_plugin: its identity database migrated once
per session, one rolled-back transaction per test), and the whole gateway (edge, proxy and own app)
served in process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from gateway.main import MIGRATIONS_DIR, create_app
from gateway.settings import Settings
from service_kit.app import start_runtime, stop_runtime
from service_kit.auth import mint_token
from service_kit.clock import Clock

pytest_plugins = ["service_kit.pytest_plugin"]


@pytest.fixture(scope="session")
def database_name() -> str:
    return "gateway"


@pytest.fixture(scope="session")
def migrations_dir() -> Path:
    return MIGRATIONS_DIR


@pytest.fixture
def settings(database_url: str, tmp_path) -> Settings:
    return Settings(
        database_url=database_url,
        environment="test",
        run_background_tasks=False,
        spa_dir=str(tmp_path / "no-spa"),
        # Nothing listens on these: the proxy must answer 502 problem+json for them.
        facilities_url="http://127.0.0.1:9",
        operators_url="http://127.0.0.1:9",
        feedback_url="http://127.0.0.1:9",
    )


@pytest.fixture
def clock() -> Clock:
    """The gateway's clock: real time until a test sets `clock.fixed`."""
    return Clock()


@pytest.fixture
def app(settings, clock):
    app = create_app(settings)
    app.state.clock = clock
    return app


@asynccontextmanager
async def serving(app, engine, maker) -> AsyncIterator[httpx.AsyncClient]:
    inner = app
    inner.state.engine = engine
    inner.state.sessionmaker = maker
    await start_runtime(inner)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
            yield c
    finally:
        await stop_runtime(inner)


@pytest_asyncio.fixture
async def gateway(app, engine, sessionmaker) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(app, engine, sessionmaker) as client:
        yield client


@pytest.fixture
def client(gateway: httpx.AsyncClient) -> httpx.AsyncClient:
    """The kit's name for the client (its migration checks ask for it)."""
    return gateway


@pytest.fixture
def replica(settings, engine, sessionmaker, clock):
    """Another gateway process on the same database (a second replica, or this one restarted)."""

    def make():
        other = create_app(settings)
        other.state.clock = clock
        return serving(other, engine, sessionmaker)

    return make


@pytest.fixture
def bearer(settings):
    def make(role: str = "official", sub: str = "1", **claims) -> dict[str, str]:
        return {"Authorization": "Bearer " + mint_token(settings, sub=sub, role=role, ttl_s=600, **claims)}

    return make
