"""While its own database is down, the gateway answers 503 with Retry-After: its own routes (signing
in, the accounts), and the edge's exchange of an API key for a token."""

from service_kit.pytest_plugin import OutageChecks
from service_kit.testing import serving_on, unreachable_database_url


class TestDatabaseOutage(OutageChecks):
    reads = (("/api/v1/users", "official"),)

    async def test_signing_in_answers_503(self, app) -> None:
        async with serving_on(app, unreachable_database_url()) as client:
            resp = await client.post("/api/v1/auth/token", data={"username": "someone", "password": "secret-words"})
        assert resp.status_code == 503, resp.text
        assert resp.headers["content-type"] == "application/problem+json"
        assert int(resp.headers["retry-after"]) > 0

    async def test_an_api_key_that_cannot_be_checked_answers_503(self, app) -> None:
        async with serving_on(app, unreachable_database_url()) as client:
            resp = await client.get("/api/v1/facilities", headers={"X-API-Key": "cok_abcdef_" + "s" * 32})
        assert resp.status_code == 503, resp.text
        assert resp.headers["content-type"] == "application/problem+json"
        assert int(resp.headers["retry-after"]) > 0
        assert resp.json()["request_id"] == resp.headers["x-request-id"]
