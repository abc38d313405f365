"""When the database cannot serve, a request gets 503 problem+json with Retry-After on a connection
that stays usable, and the error's log line carries the request id its answer names."""

from __future__ import annotations

import asyncio
import http.client
import io
import json
import logging
import os
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import AsyncAdaptedQueuePool, NullPool

from service_kit.app import start_runtime, stop_runtime
from service_kit.db import make_engine
from service_kit.logs import JsonFormatter
from service_kit.testing import fresh_database_url

from .conftest import Settings, make_app, metadata

pg_only = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nothing_listens_url() -> str:
    return f"postgresql+asyncpg://postgres@127.0.0.1:{unused_port()}/nowhere"


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its own engine (as in production), served in process."""
    await start_runtime(app)
    try:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await stop_runtime(app)


@contextmanager
def json_log_lines() -> Iterator[io.StringIO]:
    """What the services print: the root logger's lines through the JSON formatter, as they are written."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("kit-test"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def assert_retry_later(resp: httpx.Response) -> None:
    assert resp.status_code == 503, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    assert 1 <= int(resp.headers["retry-after"]) <= 30
    assert resp.json()["status"] == 503
    assert resp.json()["request_id"] == resp.headers["x-request-id"]


class TestDatabaseUnreachable:
    async def test_nothing_listening_answers_503_with_retry_after(self, tmp_path, auth) -> None:
        settings = Settings(database_url=nothing_listens_url(), environment="test", run_background_tasks=False)
        async with served(make_app(settings, tmp_path)) as client:
            resp = await client.post("/api/v1/notes", json={"text": "hello"}, headers=auth())
            assert_retry_later(resp)
            # Reads too, and a request with an Idempotency-Key (its record is written first).
            assert_retry_later(await client.get("/api/v1/events", headers=auth()))
            resp = await client.post(
                "/api/v1/notes", json={"text": "hello"}, headers={**auth(), "Idempotency-Key": "k1"}
            )
            assert_retry_later(resp)

    @pg_only
    async def test_a_server_refusing_new_sessions_answers_503(self, tmp_path, auth) -> None:
        """PostgreSQL starting up after a restart ("the database system is starting up") or out of
        connection slots refuses a new session with an error of its own (class 57 or 53), raised by the
        driver while connecting: a role allowed no connections gets the same kind of refusal."""
        admin = make_url(os.environ["TEST_DATABASE_URL"])
        import asyncpg

        conn = await asyncpg.connect(
            user=admin.username, host=admin.host or "127.0.0.1", port=admin.port or 5432, database=admin.database
        )
        try:
            await conn.execute(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kit_no_slots') THEN"
                " CREATE ROLE kit_no_slots LOGIN CONNECTION LIMIT 0; END IF; END $$"
            )
        finally:
            await conn.close()
        url = admin.set(username="kit_no_slots").render_as_string(hide_password=False)
        settings = Settings(database_url=url, environment="test", run_background_tasks=False)
        async with served(make_app(settings, tmp_path)) as client:
            assert_retry_later(await client.get("/api/v1/events", headers=auth()))

    async def test_sqlite_file_that_cannot_be_opened_answers_503(self, tmp_path, auth) -> None:
        folder = tmp_path / "not-a-file.db"
        folder.mkdir()
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{folder}", environment="test", run_background_tasks=False
        )
        async with served(make_app(settings, tmp_path)) as client:
            assert_retry_later(await client.get("/api/v1/events", headers=auth()))

    def test_the_connection_stays_open_for_the_next_request(self, tmp_path, auth) -> None:
        """Over real HTTP: the 503 is a whole answer and the kept-alive connection serves the next one
        (an exception escaping to the server would close it after the answer)."""
        settings = Settings(database_url=nothing_listens_url(), environment="test", run_background_tasks=False)
        app = make_app(settings, tmp_path)
        port = unused_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False, http="httptools")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        root = logging.getLogger()
        handlers, level = root.handlers[:], root.level  # the app's lifespan sets up its own logging
        thread.start()
        try:
            for _ in range(100):
                if server.started:
                    break
                threading.Event().wait(0.05)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            notes = {"body": json.dumps({"text": "one"}), "headers": {**auth(), "Content-Type": "application/json"}}

            def exchange(method: str, path: str, **kw) -> object:
                try:
                    conn.request(method, path, **kw)
                    resp = conn.getresponse()
                    resp.read()
                except (http.client.RemoteDisconnected, ConnectionError):
                    return "disconnected"
                return resp.status, resp.getheader("retry-after")

            # A bug's 500 and the outage's 503s, one after the other on one kept-alive connection.
            sock = None
            answers = []
            for method, path, kw in [
                ("GET", "/api/v1/boom", {}),
                ("POST", "/api/v1/notes", notes),
                ("POST", "/api/v1/notes", notes),
            ]:
                answers.append(exchange(method, path, **kw))
                sock = sock or conn.sock
                assert conn.sock is sock, "the server closed the connection"
            assert answers == [(500, None), (503, "5"), (503, "5")]
            conn.close()
        finally:
            server.should_exit = True
            thread.join(10)
            root.handlers[:], root.level = handlers, level


class TestRequestIdInLogs:
    async def test_the_unhandled_error_line_names_the_request_id(self, client) -> None:
        with json_log_lines() as lines:
            resp = await client.get("/api/v1/boom", headers={"X-Request-ID": "trace-4711"})
        assert resp.status_code == 500
        assert resp.json()["request_id"] == "trace-4711"
        entries = [json.loads(line) for line in lines.getvalue().splitlines()]
        errors = [e for e in entries if e["message"] == "unhandled error"]
        assert len(errors) == 1
        assert errors[0]["request_id"] == "trace-4711"
        assert "secret internals" in errors[0]["exception"]
        # The access line says what the client got, under the same id.
        access = [e for e in entries if e["message"] == "request"]
        assert access and access[0]["status"] == 500 and access[0]["request_id"] == "trace-4711"

    async def test_the_outage_line_names_the_request_id(self, tmp_path, auth) -> None:
        settings = Settings(database_url=nothing_listens_url(), environment="test", run_background_tasks=False)
        async with served(make_app(settings, tmp_path)) as client:
            with json_log_lines() as lines:
                resp = await client.get("/api/v1/events", headers={**auth(), "X-Request-ID": "outage-1"})
        assert resp.status_code == 503
        entries = [json.loads(line) for line in lines.getvalue().splitlines()]
        assert any(e["message"].startswith("database unavailable") and e["request_id"] == "outage-1" for e in entries)


async def _terminate_backends(admin_url: str, database: str) -> int:
    import asyncpg

    url = make_url(admin_url)
    conn = await asyncpg.connect(
        user=url.username, password=url.password, host=url.host, port=url.port or 5432, database=url.database
    )
    try:
        rows = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
        return len(rows)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def own_database_url() -> str:
    """A database of these tests' own: they commit, where the other tests' writes are rolled back."""
    url = fresh_database_url("kit_outage")

    async def build() -> None:
        engine = make_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        await engine.dispose()

    asyncio.run(build())
    return url


@pg_only
class TestPostgresRestart:
    async def test_after_backends_are_terminated_the_next_request_succeeds(self, own_database_url, tmp_path, auth):
        """A restart leaves the pool's connections dead: each is pinged when taken, and replaced."""
        settings = Settings(database_url=own_database_url, environment="test", run_background_tasks=False)
        app = make_app(settings, tmp_path)
        async with served(app) as client:
            # Fill the pool with several connections, then cut them all.
            answers = await asyncio.gather(*(client.get("/api/v1/events", headers=auth()) for _ in range(4)))
            assert [a.status_code for a in answers] == [200] * 4
            assert await _terminate_backends(os.environ["TEST_DATABASE_URL"], make_url(own_database_url).database) >= 1
            answers = await asyncio.gather(*(client.get("/api/v1/events", headers=auth()) for _ in range(4)))
            assert [a.status_code for a in answers] == [200] * 4

    async def test_a_connection_cut_mid_request_is_503_and_nothing_half_written(self, own_database_url, tmp_path, auth):
        settings = Settings(database_url=own_database_url, environment="test", run_background_tasks=False)
        app = make_app(settings, tmp_path)
        marker = "cut-" + os.urandom(4).hex()

        def cut_before_commit(session: Session) -> None:
            """The note and its outbox row are flushed: the server ends this connection before COMMIT."""
            if not session.info.get("cut"):
                session.info["cut"] = True
                session.connection().exec_driver_sql("SELECT pg_terminate_backend(pg_backend_pid())")

        async with served(app) as client:
            engine = app.state.engine
            event.listen(Session, "before_commit", cut_before_commit)
            try:
                resp = await client.post("/api/v1/notes", json={"text": marker}, headers=auth())
            finally:
                event.remove(Session, "before_commit", cut_before_commit)
            assert_retry_later(resp)
            async with engine.connect() as conn:
                written = (
                    await conn.execute(text("SELECT count(*) FROM note WHERE text = :t"), {"t": marker})
                ).scalar()
            assert written == 0
            # And the next request is served.
            assert (await client.post("/api/v1/notes", json={"text": marker}, headers=auth())).status_code == 201

    async def test_no_free_connection_in_time_is_503(self, own_database_url, tmp_path, auth):
        settings = Settings(
            database_url=own_database_url,
            environment="test",
            run_background_tasks=False,
            db_pool_size=1,
            db_max_overflow=0,
            db_pool_timeout_s=0.3,
        )
        app = make_app(settings, tmp_path)
        async with served(app) as client:
            async with app.state.engine.connect() as held:  # the pool's only connection, busy elsewhere
                await held.execute(text("SELECT 1"))
                assert_retry_later(await client.get("/api/v1/events", headers=auth()))
            assert (await client.get("/api/v1/events", headers=auth())).status_code == 200


class TestPoolSettings:
    """What an operator sets is what the engine does: the pool's size, overflow and wait."""

    async def test_the_settings_size_the_pool(self, tmp_path) -> None:
        settings = Settings(
            database_url=nothing_listens_url(),
            environment="test",
            run_background_tasks=False,
            db_pool_size=7,
            db_max_overflow=3,
            db_pool_timeout_s=2.5,
        )
        app = make_app(settings, tmp_path)
        async with served(app):
            pool = app.state.engine.pool
            assert isinstance(pool, AsyncAdaptedQueuePool)
            assert (pool.size(), pool._max_overflow, pool._timeout) == (7, 3, 2.5)

    async def test_the_settings_are_read_from_the_environment(self, monkeypatch) -> None:
        monkeypatch.setenv("KIT_DB_POOL_SIZE", "2")
        monkeypatch.setenv("KIT_DB_MAX_OVERFLOW", "0")
        monkeypatch.setenv("KIT_DB_POOL_TIMEOUT_S", "1.5")
        monkeypatch.setenv("KIT_DB_PGBOUNCER", "true")

        class Prefixed(Settings):
            model_config = SettingsConfigDict(env_prefix="KIT_")

        pool = Prefixed(environment="test").pool()
        assert (pool.size, pool.max_overflow, pool.timeout_s, pool.pgbouncer) == (2, 0, 1.5, True)

    @pg_only
    async def test_behind_pgbouncer_no_pool_and_no_prepared_statement_cache(self, own_database_url, tmp_path, auth):
        settings = Settings(
            database_url=own_database_url, environment="test", run_background_tasks=False, db_pgbouncer=True
        )
        app = make_app(settings, tmp_path)
        async with served(app) as client:
            assert isinstance(app.state.engine.pool, NullPool)
            async with app.state.engine.connect() as conn:
                raw = await conn.get_raw_connection()
                assert raw.driver_connection._stmt_cache.get_max_size() == 0  # asyncpg's own
                assert raw.dbapi_connection._prepared_statement_cache is None  # SQLAlchemy's
            # And it serves.
            assert (await client.get("/api/v1/events", headers=auth())).status_code == 200
