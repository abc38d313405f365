"""The command line every service shares: migrate, seed-demo, serve."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import literal, select

from service_kit import migrations
from service_kit.db import PoolSettings, make_engine
from service_kit.settings import BaseServiceSettings


async def _wait_for_database(url: str, timeout_s: float, pool: PoolSettings) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        engine = make_engine(url, pool=pool)
        try:
            async with engine.connect() as conn:
                await conn.execute(select(literal(1)))
            return
        except Exception as exc:
            if time.monotonic() > deadline:
                raise SystemExit(f"the database did not answer within {timeout_s:.0f} s: {exc}") from exc
            await asyncio.sleep(1)
        finally:
            await engine.dispose()


SettingsT = TypeVar("SettingsT", bound=BaseServiceSettings)


def run_cli(
    *,
    prog: str,
    module: str,
    settings_factory: Callable[[], SettingsT],
    migrations_dir: Path,
    default_port: int,
    seed_demo: Callable[[SettingsT], Coroutine[Any, Any, str]] | None = None,
) -> None:
    parser = argparse.ArgumentParser(prog=prog)
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("migrate", help="wait for the database, then upgrade it to the latest migration")
    m.add_argument("--wait", type=float, default=60.0, help="seconds to wait for the database")
    sub.add_parser("seed-demo", help="load the demo data (idempotent; refused in production)")
    s = sub.add_parser("serve", help="serve the API")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=default_port)
    s.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    settings = settings_factory()

    if args.command == "migrate":
        asyncio.run(_wait_for_database(settings.database_url, args.wait, settings.pool()))
        migrations.upgrade(migrations_dir, settings.database_url)
        print(f"{prog}: database at head")
    elif args.command == "seed-demo":
        if settings.environment == "production":
            sys.exit(f"{prog}: refusing to load demo data: settings say production")
        if seed_demo is None:
            print(f"{prog}: no demo data")
            return
        print(asyncio.run(seed_demo(settings)))
    elif args.command == "serve":
        import uvicorn

        uvicorn.run(
            f"{module}.main:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            access_log=False,
            log_config=None,
            server_header=False,
            # The gateway decides whom to trust in X-Forwarded-For (its trust_forwarded setting).
            proxy_headers=False,
            loop="uvloop",
            http="httptools",
        )
