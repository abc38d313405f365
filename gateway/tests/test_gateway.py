"""The gateway's own surface: health, the placeholder page, problem answers for a dead upstream, and
the routing table it reads from the services' OpenAPI documents."""

import httpx
import pytest_asyncio
from proxy.documents import DOCUMENTS

from gateway.main import create_app
from service_kit.app import start_runtime, stop_runtime
from service_kit.testing import rolled_back_sessionmaker


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


async def test_a_down_service_is_502_problem_not_a_hang(gateway):
    resp = await gateway.get("/api/v1/facilities", headers={"X-Request-ID": "trace-me"})
    assert resp.status_code in (502, 503)
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["request_id"] == "trace-me"
    assert "facilities-api" in resp.json()["detail"]


async def test_until_the_services_answer_their_paths_are_503_with_retry_after(gateway):
    resp = await gateway.get("/api/v1/no-such-thing")
    assert resp.status_code == 503
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.headers["retry-after"] == "5"
    assert "facilities-api, feedback-api, operators-api" in resp.json()["detail"]
    assert (await gateway.get("/api/v1/auth/token")).status_code == 405  # the gateway's own paths answer
    ready = (await gateway.get("/readyz")).json()
    assert ready["routes_waiting_for"] == ["facilities-api", "feedback-api", "operators-api"]


class Services:
    """The services as the gateway's HTTP client sees them: their OpenAPI documents, when up."""

    def __init__(self) -> None:
        self.up = {"facilities", "operators"}
        self.asked: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        service = request.url.host.removesuffix(".test")
        if request.url.path == "/openapi.json":
            self.asked.append(service)
            if service in self.up:
                return httpx.Response(200, json=DOCUMENTS[service])
        raise httpx.ConnectError("connection refused", request=request)


@pytest_asyncio.fixture
async def discovering(settings, engine):
    """The gateway, started while feedback-api is still down."""
    services = Services()
    for name in ("facilities", "operators", "feedback"):
        setattr(settings, f"{name}_url", f"http://{name}.test")
    app = create_app(settings)
    async with rolled_back_sessionmaker(engine) as maker:
        app.state.engine, app.state.sessionmaker = engine, maker
        app.state.http = httpx.AsyncClient(transport=httpx.MockTransport(services))
        await start_runtime(app)
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
                yield app, services, c
        finally:
            http = app.state.http
            await stop_runtime(app)
            await http.aclose()


class TestRoutesFromTheServicesDocuments:
    async def test_a_path_no_service_publishes_is_404_once_every_service_answered(self, discovering):
        app, services, gateway = discovering
        services.up.add("feedback")
        await app.state.routes.refresh()
        resp = await gateway.get("/api/v1/no-such-thing")
        assert resp.status_code == 404
        assert resp.headers["content-type"] == "application/problem+json"
        assert "routes_waiting_for" not in (await gateway.get("/readyz")).json()

    async def test_a_service_that_starts_after_the_gateway_is_routed_once_it_answers(self, discovering):
        app, services, gateway = discovering
        waiting = await gateway.get("/api/v1/ratings")
        assert waiting.status_code == 503 and waiting.headers["retry-after"] == "5"
        assert waiting.json()["detail"] == "The platform is starting: no answer yet from feedback-api."
        # The services that answered are routed already (to their real address: nothing listens there).
        assert "facilities-api" in (await gateway.get("/api/v1/facilities")).json()["detail"]
        services.up.add("feedback")
        await app.state.routes.refresh()  # what the gateway does every `route_discovery_retry_s`
        routed = await gateway.get("/api/v1/ratings")
        assert routed.status_code == 502
        assert "feedback-api" in routed.json()["detail"]
        assert services.asked.count("facilities") == 1  # a service read once is not asked again


async def test_openapi_still_answers_with_services_down(gateway):
    doc = (await gateway.get("/api/v1/openapi.json")).json()
    assert "/api/v1/auth/token" in doc["paths"]
    assert set(doc["info"]["x-unavailable-services"]) == {"facilities-api", "operators-api", "feedback-api"}


class TestOnlyOperatorsLookInside:
    """/metrics and /readyz are the operators': a client on the internet gets 404 for the gateway's
    own, and no public path reaches a service's; Prometheus on a private network reads them."""

    async def test_a_public_client_gets_404_for_metrics_and_readiness(self, discovering):
        app, services, loopback = discovering
        services.up.add("feedback")
        await app.state.routes.refresh()
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 51000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as public:
            for path in ("/metrics", "/readyz", "/readyz?full=1"):
                resp = await public.get(path)
                assert resp.status_code == 404, (path, resp.status_code, resp.text)
                assert "culture_ops" not in resp.text and "http_requests_total" not in resp.text
            assert (await public.get("/healthz")).status_code == 200
            # Relayed by a proxy on a private address, the public client is still refused.
            relayed = await loopback.get("/metrics", headers={"x-forwarded-for": "203.0.113.7"})
            assert relayed.status_code == 404
        own = await loopback.get("/metrics")
        assert own.status_code == 200 and "culture_ops_outbox_unpublished_events" in own.text
        assert (await loopback.get("/readyz")).status_code == 200

    async def test_no_public_path_is_forwarded_to_a_services_metrics_or_readiness(self, discovering):
        app, services, _ = discovering
        services.up.add("feedback")
        await app.state.routes.refresh()
        for service in ("facilities", "operators", "feedback"):
            for tail in ("metrics", "readyz", "healthz", "events/../metrics", "webhooks/../../metrics"):
                route = app.state.routes.resolve(f"/api/v1/{service}/{tail}")
                assert route is None or route.path.startswith("/api/v1/"), (service, tail, route)
        for path in ("/metrics", "/readyz", "/open311/v2/../../metrics"):
            assert app.state.routes.resolve(path) is None, path
