"""Schema-based fuzzing of the whole API (schemathesis): no input makes a 5xx, and every answer
matches the OpenAPI document: status, content type and body schema. Runs as an anonymous caller,
as a district official and as one operator's staff, on its own migrated database holding the demo
operators."""

from __future__ import annotations

import asyncio

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from schemathesis.checks import positive_data_acceptance

from operators_api.demo.seed import load_demo
from operators_api.main import MIGRATIONS_DIR, create_app
from operators_api.settings import Settings
from service_kit.auth import mint_token
from service_kit.clock import Clock
from service_kit.testing import fresh_database_url, migrate_for_tests

_url = fresh_database_url("operators_fuzz")
migrate_for_tests(MIGRATIONS_DIR, _url)
_settings = Settings(database_url=_url, environment="test", run_background_tasks=False)


async def _seed() -> None:
    from service_kit.db import make_engine, make_sessionmaker

    engine = make_engine(_url)
    await load_demo(make_sessionmaker(engine), clock=Clock())
    await engine.dispose()


asyncio.run(_seed())
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_settings))
OFFICIAL = {"Authorization": "Bearer " + mint_token(_settings, sub="fuzz-official", role="official", ttl_s=3600)}
STAFF = {"Authorization": "Bearer " + mint_token(_settings, sub="fuzz-staff", role="operator", ttl_s=3600, operator_id=1)}


@schema.parametrize()
@hsettings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.parametrize("headers", [{}, OFFICIAL, STAFF], ids=["anonymous", "official", "operator-staff"])
def test_api_never_errors_and_matches_its_schema(case, headers):
    # A schema-valid body may rightly get a 422 (a USCC whose check character is wrong, a type that
    # does not match its USCC): that one check is left out.
    case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
