"""The test fixture chain every package's suite runs on, as a pytest plugin.

    fresh database per session (and per xdist worker) → `alembic upgrade head`, down to base, head
    again → per-test connection and transaction (each commit in the code under test releases a
    savepoint; the transaction is rolled back after the test) → the app on that transaction → an
    httpx.AsyncClient talking to it in process.

A package's tests/conftest.py loads it and gives what is its own:

    pytest_plugins = ["service_kit.pytest_plugin"]

    @pytest.fixture(scope="session")
    def database_name() -> str: return "facilities"

    @pytest.fixture(scope="session")
    def migrations_dir() -> Path: return MIGRATIONS_DIR

    @pytest.fixture
    def app(settings): return create_app(settings)

and may override `transports` (the app's outgoing calls routed to in-process stand-ins by URL prefix)
and `default_role` (the role `token()` and `auth()` sign for when none is named). Its
tests/test_migrations.py subclasses `MigrationChecks`, and a test module `OutageChecks`.

Set TEST_DATABASE_URL to a PostgreSQL URL (an admin database, e.g. .../postgres) to run on
PostgreSQL, and TEST_DATABASE_TAG to keep two checkouts' databases apart; without them the suite
runs on a SQLite file in a temporary folder.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import FastAPI
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from service_kit.auth import mint_token
from service_kit.migrations import current_revisions, heads
from service_kit.settings import BaseServiceSettings
from service_kit.testing import (
    PG_ENV,
    engine_for,
    fresh_database_url,
    migrate_for_tests,
    rolled_back_sessionmaker,
    running_app,
    serving_on,
    unreachable_database_url,
)


@pytest.fixture(scope="session")
def database_name() -> str:
    """The stem of the test database's name (the package's); conftest.py sets it."""
    raise pytest.UsageError("conftest.py gives the `database_name` fixture (e.g. 'facilities')")


@pytest.fixture(scope="session")
def migrations_dir() -> Path:
    """The package's Alembic folder; conftest.py sets it."""
    raise pytest.UsageError("conftest.py gives the `migrations_dir` fixture")


@pytest.fixture(scope="session")
def database_url(database_name: str, migrations_dir: Path) -> str:
    """A fresh database for this session (and xdist worker), its history run up, down and up again."""
    url = fresh_database_url(database_name)
    migrate_for_tests(migrations_dir, url)
    return url


@pytest_asyncio.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for(database_url)
    yield engine
    await engine.dispose()


@pytest_asyncio.fixture
async def sessionmaker(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on one connection inside a transaction rolled back after the test."""
    async with rolled_back_sessionmaker(engine) as maker:
        yield maker


@pytest.fixture
def transports() -> dict[str, httpx.AsyncBaseTransport]:
    """Where the app's outgoing calls go, by URL prefix (none: the real network)."""
    return {}


@pytest_asyncio.fixture
async def client(
    app: FastAPI,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    transports: dict[str, httpx.AsyncBaseTransport],
) -> AsyncIterator[httpx.AsyncClient]:
    """The app, its runtime started on the test's transaction, served in process."""
    async with running_app(app, engine, sessionmaker, transports=transports) as c:
        yield c


@pytest.fixture
def default_role() -> str:
    """The role `token()` and `auth()` sign for when the test names none."""
    return "official"


@pytest.fixture
def token(settings: BaseServiceSettings, default_role: str) -> Callable[..., str]:
    """token(role, sub=None, **claims): a signed access token (sub defaults to test-<role>)."""

    def make(role: str | None = None, sub: str | None = None, **claims: Any) -> str:
        role = role or default_role
        return mint_token(settings, sub=sub or f"test-{role}", role=role, ttl_s=600, **claims)

    return make


@pytest.fixture
def auth(token: Callable[..., str]) -> Callable[..., dict[str, str]]:
    """auth(role, **claims): the Authorization header for such a token."""

    def make(role: str | None = None, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {token(role, **claims)}"}

    return make


def schema_drift(connection: Connection, metadata: MetaData) -> list[Any]:
    """What `alembic check` would report: the differences between the models and the database."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


class MigrationChecks:
    """The migration tests of a package: subclass it as `TestMigrations` with `metadata` set.

    The session's database was built by the history (head, base, head again), so these check what
    that left: the database at head, the schema the models describe, and /readyz saying so."""

    metadata: MetaData

    async def test_the_history_ends_at_head_after_down_and_up(
        self, sessionmaker: async_sessionmaker[AsyncSession], migrations_dir: Path
    ) -> None:
        async with sessionmaker() as session:
            assert await current_revisions(session) == heads(migrations_dir)

    async def test_models_and_migrations_agree(self, engine: AsyncEngine) -> None:
        async with engine.connect() as conn:
            differences = await conn.run_sync(schema_drift, self.metadata)
        assert differences == []

    @pytest.mark.skipif(not os.environ.get(PG_ENV), reason="the migration lock is PostgreSQL's")
    def test_two_migrators_at_once_both_succeed(self, database_name: str, migrations_dir: Path) -> None:
        """As every pod's init container does: `upgrade head` twice at once on an empty database."""
        url = fresh_database_url(f"{database_name}_race")
        code = "import sys, pathlib; from service_kit import migrations; migrations.upgrade(pathlib.Path(sys.argv[1]), sys.argv[2])"
        migrators = [
            subprocess.Popen(  # noqa: S603 (this interpreter, arguments of our own)
                [sys.executable, "-c", code, str(migrations_dir), url], stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for _ in range(2)
        ]
        for migrator in migrators:
            _, err = migrator.communicate(timeout=180)
            assert migrator.returncode == 0, err.decode()[-2000:]

        async def schema() -> tuple[list[Any], set[str]]:
            engine = engine_for(url)
            try:
                async with engine.connect() as conn:
                    drift = await conn.run_sync(schema_drift, self.metadata)
                async with async_sessionmaker(engine)() as session:
                    return drift, await current_revisions(session)
            finally:
                await engine.dispose()

        drift, revisions = asyncio.run(schema())
        assert drift == []
        assert revisions == heads(migrations_dir)

    async def test_ready_means_database_and_migrations_at_head(self, client: httpx.AsyncClient) -> None:
        resp = await client.get("/readyz")
        assert resp.status_code == 200, resp.text
        assert resp.json()["checks"]["database"] == "ok"
        assert resp.json()["checks"]["migrations"].startswith("at head")


class OutageChecks:
    """What a package answers while its database is down: subclass it as `TestDatabaseOutage` with
    `reads` set to a few (path, role) it serves from the database (role None: anonymous). Each GET
    answers 503 problem+json with Retry-After and the request id, not a 500."""

    reads: tuple[tuple[str, str | None], ...]

    async def test_database_down_answers_503_with_retry_after(
        self, app: FastAPI, auth: Callable[..., dict[str, str]]
    ) -> None:
        async with serving_on(app, unreachable_database_url()) as client:
            for path, role in self.reads:
                headers = {**(auth(role) if role else {}), "X-Request-ID": "outage-check"}
                resp = await client.get(path, headers=headers)
                assert resp.status_code == 503, (path, resp.status_code, resp.text)
                assert resp.headers["content-type"] == "application/problem+json"
                assert int(resp.headers["retry-after"]) > 0
                assert resp.json()["request_id"] == "outage-check"
