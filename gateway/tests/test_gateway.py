"""The gateway's own surface: health, the placeholder page, problem answers for a dead upstream."""


async def test_health(gateway):
    assert (await gateway.get("/healthz")).json()["status"] == "ok"


async def test_ready_lists_each_service(gateway):
    body = (await gateway.get("/readyz")).json()
    assert body["status"] == "ready"
    assert body["platform"] == "degraded"
    assert set(body["services"]) == {"facilities-api", "operators-api", "feedback-api"}
    assert all(v.startswith("unreachable") for v in body["services"].values())


async def test_placeholder_page_until_the_spa_is_built(gateway):
    resp = await gateway.get("/")
    assert resp.status_code == 200
    assert "东城区公共文化设施社会化运营平台" in resp.text
    assert "/api/v1/docs" in resp.text


async def test_unknown_api_path_is_404_problem(gateway):
    resp = await gateway.get("/api/v1/no-such-thing")
    assert resp.status_code == 404
    assert resp.headers["content-type"] == "application/problem+json"


async def test_a_down_service_is_502_problem_not_a_hang(gateway):
    resp = await gateway.get("/api/v1/facilities", headers={"X-Request-ID": "trace-me"})
    assert resp.status_code in (502, 503)
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["request_id"] == "trace-me"
    assert "facilities-api" in resp.json()["detail"]


async def test_openapi_still_answers_with_services_down(gateway):
    doc = (await gateway.get("/api/v1/openapi.json")).json()
    assert "/api/v1/auth/token" in doc["paths"]
    assert set(doc["info"]["x-unavailable-services"]) == {"facilities-api", "operators-api", "feedback-api"}
