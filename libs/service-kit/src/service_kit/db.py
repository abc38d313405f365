"""Engines and sessions for SQLite (embedded default) and PostgreSQL (asyncpg), one code path."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, Dialect, MetaData, TypeDecorator, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class AwareDateTime(TypeDecorator[datetime]):
    """A point in time, stored in UTC and always read back timezone-aware.

    PostgreSQL keeps the zone (timestamptz); SQLite stores text without one, so values are written in
    UTC and read back as UTC. Code never sees a naive datetime from the database.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give the time zone (the clock's times are UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


@dataclass(frozen=True, slots=True)
class PoolSettings:
    """How one process holds PostgreSQL connections (the settings' `db_*` fields; see
    BaseServiceSettings.pool()). `size` are kept open, `max_overflow` more are opened under load, a
    request waits `timeout_s` for one (then answers 503), and a new connection gets `connect_timeout_s`.

    `pgbouncer`: the server is PgBouncer in transaction mode, where consecutive statements of one
    connection may reach different server connections. asyncpg's prepared statements (its own cache and
    SQLAlchemy's) would then name statements the next server connection does not know, so both caches
    are off, and the process keeps no pool (PgBouncer is the pool)."""

    size: int = 5
    max_overflow: int = 5
    timeout_s: float = 5.0
    connect_timeout_s: float = 5.0
    pgbouncer: bool = False


class DatabaseUnreachable(Exception):
    """A connection to the database could not be opened (refused, no route, timed out)."""


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether an error means the database cannot serve now, rather than a fault in the request or the
    code: no connection could be opened, the connection was cut (a restart, terminated backends), no
    pooled connection was free in time, or the database is busy (SQLite locked past its timeout)."""
    if isinstance(exc, DatabaseUnreachable | sa_exc.TimeoutError | sa_exc.OperationalError):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated


def _name_unreachable(engine: AsyncEngine) -> None:
    """Turn the driver's own errors when connecting (asyncpg raises OSError and TimeoutError unwrapped)
    into DatabaseUnreachable, so an outage is told apart from any other OSError of a request."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Dialect, _record: Any, cargs: Any, cparams: Any) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except OSError as exc:  # ConnectionRefusedError, socket.gaierror, TimeoutError, ...
            raise DatabaseUnreachable(f"cannot connect to the database: {exc!r}") from exc
        except Exception as exc:
            # The server refusing a new session for now: starting up or shutting down (class 57,
            # "operator intervention"), out of connection slots (53), or a connection fault (08).
            if str(getattr(exc, "sqlstate", ""))[:2] in REFUSALS_FOR_NOW:
                raise DatabaseUnreachable(f"the database refused a new session: {exc!r}") from exc
            raise


# SQLSTATE classes of a server that cannot take a session now (PostgreSQL's Appendix A).
REFUSALS_FOR_NOW = frozenset({"08", "53", "57"})


def _unique_statement_name() -> str:
    return f"__asyncpg_{uuid.uuid4()}__"


def make_engine(url: str, *, echo: bool = False, pool: PoolSettings | None = None) -> AsyncEngine:
    """SQLite: one connection shared in order (writes never race for the file lock), WAL, foreign keys.
    PostgreSQL: a pool sized by `pool` for one process, each connection pinged when taken from it (a
    connection the server dropped, e.g. in a restart, is replaced without failing a request)."""
    pool = pool or PoolSettings()
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, echo=echo, pool_size=1, max_overflow=0, pool_timeout=60, connect_args={"timeout": 30}
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            # Let SQLAlchemy, not the driver, decide where transactions begin (SAVEPOINTs then work).
            dbapi_connection.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    connect_args: dict[str, Any] = {"timeout": pool.connect_timeout_s}
    if pool.pgbouncer:
        # As SQLAlchemy's asyncpg dialect documents for PgBouncer in transaction mode: no statement
        # caches, and the statements it still prepares (to learn result types) get unique names.
        connect_args |= {
            "statement_cache_size": 0,
            "prepared_statement_cache_size": 0,
            "prepared_statement_name_func": _unique_statement_name,
        }
        engine = create_async_engine(url, echo=echo, poolclass=NullPool, connect_args=connect_args)
    else:
        engine = create_async_engine(
            url,
            echo=echo,
            pool_size=pool.size,
            max_overflow=pool.max_overflow,
            pool_timeout=pool.timeout_s,
            pool_pre_ping=True,
            connect_args=connect_args,
        )

    _name_unreachable(engine)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


REQUEST_SESSION = "service_kit.request_session"
"""The ASGI scope key under which a middleware that owns the request's session puts it (the
Idempotency-Key middleware: service_kit.idempotency). `get_session` then hands out that session and
leaves committing and closing it to its owner."""


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    owned: AsyncSession | None = request.scope.get(REQUEST_SESSION)
    if owned is not None:
        yield owned
        return
    async with request.app.state.sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
