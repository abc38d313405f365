"""Engines and sessions for SQLite (embedded default) and PostgreSQL (asyncpg), one code path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, Dialect, MetaData, TypeDecorator, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

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


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """SQLite: one connection shared in order (writes never race for the file lock), WAL, foreign keys.
    PostgreSQL: a pool sized for one process, each connection pinged when taken from it (a connection
    the server dropped, e.g. in a restart, is replaced without failing a request)."""
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
    engine = create_async_engine(url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True)
    _name_unreachable(engine)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
