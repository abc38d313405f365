"""The gateway's Alembic history: the models and migrations agree, and the data a revision rewrites
comes out as the rules say."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import text

from gateway.db import Base
from gateway.main import MIGRATIONS_DIR
from service_kit import migrations
from service_kit.pytest_plugin import MigrationChecks
from service_kit.testing import engine_for, fresh_database_url


class TestMigrations(MigrationChecks):
    metadata = Base.metadata


async def _run(url: str, *statements: str) -> list:
    engine = engine_for(url)
    try:
        async with engine.begin() as conn:
            rows = []
            for stmt in statements:
                result = await conn.execute(text(stmt))
                rows = result.all() if result.returns_rows else rows
            return rows
    finally:
        await engine.dispose()


def test_stored_keys_lose_the_scopes_no_route_checks_and_tokens_get_a_family():
    url = fresh_database_url("gateway-scopes")
    migrations.upgrade(MIGRATIONS_DIR, url, "5e60cbe0bcc7")
    asyncio.run(
        _run(
            url,
            "INSERT INTO api_key (id, prefix, secret_hash, name, role, operator_id, scopes, created_by, created_at) VALUES "
            "(1, 'aaaa', 'h', 'ticketing', 'operator', 5, '[\"checkins:write\", \"facilities:read\", \"events:read\"]', '7', '2026-11-30 08:00:00'),"
            "(2, 'bbbb', 'h', 'hotline', 'integration', NULL, '[\"events:read\", \"open311:submit\"]', '1', '2026-11-30 08:00:00')",
            "INSERT INTO user_account (id, username, password_hash, display_name, role, created_at) "
            "VALUES (1, 'li-hua', 'x', '李华', 'resident', '2026-11-30 08:00:00')",
            "INSERT INTO refresh_token (jti, user_id, expires_at) VALUES ('j1', 1, '2026-12-30 08:00:00')",
        )
    )
    migrations.upgrade(MIGRATIONS_DIR, url)
    keys = asyncio.run(_run(url, "SELECT id, scopes FROM api_key ORDER BY id"))
    assert [(k[0], k[1] if isinstance(k[1], list) else json.loads(k[1])) for k in keys] == [
        (1, ["checkins:write"]),
        (2, ["events:read"]),
    ]
    assert asyncio.run(_run(url, "SELECT jti, family_id FROM refresh_token")) == [("j1", "j1")]
    migrations.downgrade(MIGRATIONS_DIR, url, "base")
