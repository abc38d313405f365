"""Alembic helpers: one env.py body for every service, and the head check that /readyz uses.

On PostgreSQL a migration holds a session-level advisory lock, one key per service: every pod's init
container runs `upgrade head` at once, and all but one wait, then find nothing left to do."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, column, func, pool, select, table
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from service_kit.db import is_sqlite


def alembic_config(migrations_dir: Path, url: str) -> Config:
    """A Config built in code: the migrations folder ships inside the service's package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["database_url"] = url
    return cfg


def upgrade(migrations_dir: Path, url: str, revision: str = "head") -> None:
    if is_sqlite(url):
        from sqlalchemy.engine import make_url

        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(migrations_dir, url), revision)


def downgrade(migrations_dir: Path, url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(migrations_dir, url), revision)


#: Alembic's own bookkeeping table, as far as readiness reads it.
_ALEMBIC_VERSION = table("alembic_version", column("version_num"))


def heads(migrations_dir: Path) -> set[str]:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    return set(ScriptDirectory.from_config(cfg).get_heads())


async def current_revisions(session: AsyncSession) -> set[str]:
    """The revisions the database is at (none when it was never migrated)."""
    try:
        async with session.begin_nested():
            rows = (await session.execute(select(_ALEMBIC_VERSION.c.version_num))).all()
    except Exception:
        return set()
    return {r[0] for r in rows}


def migration_lock_key(script_location: str) -> int:
    """The advisory lock key of a service's migrations: fixed, from the name of the package the
    migrations folder belongs to (facilities_api, gateway, ...), as a signed 64-bit number."""
    package = Path(script_location).resolve().parent.name
    digest = hashlib.blake2b(f"culture-ops migrations: {package}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def run_env(target_metadata: MetaData) -> None:
    """The body of each service's migrations/env.py."""
    config = context.config
    url: str | None = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("no database URL: set sqlalchemy.url or the config's database_url attribute")

    def do_run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    connection = config.attributes.get("connection")
    if connection is not None:
        do_run(connection)
        return

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as conn:
            locked = conn.dialect.name == "postgresql"
            if locked:
                # Session-level, so it outlasts the migration's own transactions; another migrator of
                # this service waits here, then reads the version this one left. Closing the
                # connection releases it too, should a migration fail.
                key = migration_lock_key(config.get_main_option("script_location") or "")
                await conn.execute(select(func.pg_advisory_lock(key)))
                await conn.commit()
            await conn.run_sync(do_run)
            if locked:
                await conn.execute(select(func.pg_advisory_unlock(key)))
                await conn.commit()
        await engine.dispose()

    asyncio.run(run_async())
