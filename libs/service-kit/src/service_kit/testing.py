"""Test helpers every service's conftest uses: a fresh database per test session (and per xdist
worker), migrated by Alembic (head, down to base, head again), and one rolled-back transaction per test.

Set TEST_DATABASE_URL to a PostgreSQL URL (an admin database, e.g. .../postgres) to run on
PostgreSQL; without it the suite runs on a SQLite file in a temporary folder.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Table, event, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from service_kit import migrations
from service_kit.clock import utcnow
from service_kit.db import make_engine

PG_ENV = "TEST_DATABASE_URL"


def _run_to_completion(coro: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine from synchronous code, also where an event loop already runs in this thread (a
    fixture called while an async test's loop is running): then on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coro)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coro).result()


def fresh_database_url(name: str) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    admin = os.environ.get(PG_ENV)
    if not admin:
        folder = Path(tempfile.mkdtemp(prefix=f"{name}-tests-"))
        return f"sqlite+aiosqlite:///{folder / f'{name}.db'}"
    # TEST_DATABASE_TAG keeps the databases of two checkouts tested at once on one server apart.
    tag = os.environ.get("TEST_DATABASE_TAG", "")
    dbname = f"{name.replace('-', '_')}_test_{tag}{worker}"
    _run_to_completion(_recreate_pg_database(admin, dbname))
    return make_url(admin).set(database=dbname).render_as_string(hide_password=False)


async def _recreate_pg_database(admin_url: str, dbname: str) -> None:
    import asyncpg

    url = make_url(admin_url)
    conn = await asyncpg.connect(
        user=url.username,
        password=url.password,
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        database=url.database,
    )
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            dbname,
        )
        await conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        await conn.execute(f'CREATE DATABASE "{dbname}"')
    finally:
        await conn.close()


def migrate_for_tests(migrations_dir: Path, url: str) -> None:
    """Upgrade to head, downgrade to base, upgrade again: the history works both ways on this database."""
    migrations.upgrade(migrations_dir, url)
    migrations.downgrade(migrations_dir, url, "base")
    migrations.upgrade(migrations_dir, url)


@asynccontextmanager
async def rolled_back_sessionmaker(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A sessionmaker on one connection inside a transaction that is rolled back at the end; the
    code under test may commit as often as it likes (each commit releases a savepoint)."""
    async with engine.connect() as conn:
        trans = await conn.begin()
        maker = async_sessionmaker(
            bind=conn, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
        )
        try:
            yield maker
        finally:
            if trans.is_active:
                await trans.rollback()


@asynccontextmanager
async def running_app(
    app: FastAPI,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    transports: dict[str, httpx.AsyncBaseTransport] | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's runtime on the test's database and yield a client talking to it in process.
    `transports` routes the app's own outgoing calls (by URL prefix) to other in-process apps."""
    from service_kit.app import start_runtime, stop_runtime

    app.state.engine = engine
    app.state.sessionmaker = sessionmaker
    mounts = {prefix: t for prefix, t in (transports or {}).items()}
    app.state.http = httpx.AsyncClient(mounts=mounts, timeout=10) if mounts else httpx.AsyncClient(timeout=10)
    await start_runtime(app)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://testserver"
        ) as client:
            yield client
    finally:
        await stop_runtime(app)
        await app.state.http.aclose()


def unreachable_database_url() -> str:
    """A PostgreSQL URL on a loopback port where nothing listens (a database that is down)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"postgresql+asyncpg://postgres@127.0.0.1:{port}/down"


@asynccontextmanager
async def serving_on(app: FastAPI, url: str) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's runtime on its own engine for `url` (made as in production, from the app's
    settings) and yield a client talking to it in process."""
    from service_kit.app import start_runtime, stop_runtime

    app.state.settings = app.state.settings.model_copy(update={"database_url": url})
    app.state.engine = app.state.sessionmaker = None
    await start_runtime(app)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://testserver"
        ) as client:
            yield client
    finally:
        await stop_runtime(app)


def engine_for(url: str) -> AsyncEngine:
    return make_engine(url)


class KilledBetween:
    """A process killed between a change and what comes after it, as the database sees it: once an
    INSERT into `change_table` has been sent, the first later statement naming `at_table` fails, and
    (if `dies`) so does every statement after it but the rollback (which the database does on its own
    when a connection is lost). `remove()` is the restart. `fired` says the point was reached."""

    def __init__(self, engine: AsyncEngine, *, change_table: str, at_table: str, dies: bool = True) -> None:
        self.engine = engine.sync_engine
        self.change = f"INSERT INTO {change_table.upper()}"
        self.at = at_table.upper()
        self.dies = dies
        self.change_sent = self.fired = self.dead = False
        event.listen(self.engine, "before_cursor_execute", self._before)

    def _before(self, conn: object, cursor: object, statement: str, *args: object) -> None:
        text = statement.strip().upper()
        if self.dead and not text.startswith("ROLLBACK"):
            raise ConnectionError("the process is gone")
        if text.startswith(self.change):
            self.change_sent = True
        elif self.change_sent and not self.fired and self.at in text:
            self.fired = True
            self.dead = self.dies
            raise ConnectionError(f"killed after the change, at {self.at.lower()}")

    def remove(self) -> None:
        if event.contains(self.engine, "before_cursor_execute", self._before):
            event.remove(self.engine, "before_cursor_execute", self._before)


async def age_pending_idempotency_keys(sessionmaker: async_sessionmaker[AsyncSession], table: Table) -> None:
    """What waiting out the pending TTL would do: every claimed key without an answer is a day old."""
    async with sessionmaker() as session:
        await session.execute(
            update(table).where(table.c.status_code.is_(None)).values(created_at=utcnow() - timedelta(days=1))
        )
        await session.commit()
