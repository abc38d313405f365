"""Alembic helpers: one env.py body for every service, and the head check that /readyz uses."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, column, pool, select, table
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
            await conn.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())
