"""The engine a service runs on: a pooled connection the server closed never fails a request."""

from __future__ import annotations

import asyncio
import os

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from service_kit.db import make_engine
from service_kit.testing import PG_ENV


@pytest.fixture
def pg_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip("a server that closes connections is PostgreSQL's")
    return url


async def _terminate(url: str, pids: list[int]) -> None:
    u = make_url(url)
    conn = await asyncpg.connect(user=u.username, host=u.host or "127.0.0.1", port=u.port or 5432, database=u.database)
    try:
        await conn.execute("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", pids)
    finally:
        await conn.close()


async def test_after_the_server_closed_every_pooled_connection_the_next_queries_succeed(
    pg_url: str,
) -> None:
    """As after a database restart: the pool's connections are dead; the next requests get new ones."""
    engine = make_engine(pg_url)
    try:

        async def pid() -> int:
            async with engine.connect() as conn:
                return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())

        before = await asyncio.gather(*(pid() for _ in range(3)))
        await _terminate(pg_url, before)
        await asyncio.sleep(0.2)  # a restart takes seconds; the closed sockets have been read by then

        after = await asyncio.gather(*(pid() for _ in range(3)))
        assert not set(after) & set(before)
    finally:
        await engine.dispose()
