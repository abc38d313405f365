"""Schema-based fuzzing of the gateway's own API (identity, API keys) through the whole gateway
(edge, proxy, own app): no 5xx, answers match the OpenAPI document. Its own database; limits raised
so that the fuzzer meets the endpoints rather than the throttle (tested on its own elsewhere)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from schemathesis.checks import positive_data_acceptance

from gateway.main import MIGRATIONS_DIR, create_app
from gateway.settings import Settings
from service_kit.auth import mint_token
from service_kit.testing import fresh_database_url, migrate_for_tests

_url = fresh_database_url("gateway_fuzz")
migrate_for_tests(MIGRATIONS_DIR, _url)
_settings = Settings(
    database_url=_url,
    environment="test",
    run_background_tasks=False,
    rate_limit_per_minute=100_000,
    auth_rate_limit_per_minute=100_000,
    facilities_url="http://127.0.0.1:9",
    operators_url="http://127.0.0.1:9",
    feedback_url="http://127.0.0.1:9",
)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_settings))
OFFICIAL = {"Authorization": "Bearer " + mint_token(_settings, sub="1", role="official", ttl_s=3600)}


@schema.parametrize()
@hsettings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.parametrize("headers", [{}, OFFICIAL], ids=["anonymous", "official"])
def test_gateway_api_never_errors_and_matches_its_schema(case, headers):
    case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
