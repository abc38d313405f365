"""The proxied path through real servers: client → uvicorn(gateway app + proxy) → uvicorn(upstream)."""

from __future__ import annotations

import hashlib
import json
import re

import httpx
import pytest

from gateway.proxy import ProxySettings

from .servers import pattern


def sent_headers(answer: dict) -> dict[str, list[str]]:
    """Headers as the upstream received them, name → every value."""
    out: dict[str, list[str]] = {}
    for name, value in answer["headers"]:
        out.setdefault(name, []).append(value)
    return out


@pytest.fixture
def client(gateway_url: str):
    with httpx.Client(base_url=gateway_url, timeout=10) as client:
        yield client


class TestForwarding:
    def test_method_path_query_and_headers_reach_the_owning_service(self, client, upstreams):
        response = client.get(
            "/api/v1/facilities/42/services",
            params=[("q", "文化"), ("a", "1"), ("a", "2"), ("emoji", "🎭")],
            headers={"Accept-Language": "zh-CN", "Authorization": "Bearer t0ken", "X-Custom": "值".encode()},
        )
        assert response.status_code == 200
        answer = response.json()
        assert answer["service"] == "facilities"
        assert answer["method"] == "GET"
        assert answer["raw_path"] == "/api/v1/facilities/42/services"
        assert answer["query"] == "q=%E6%96%87%E5%8C%96&a=1&a=2&emoji=%F0%9F%8E%AD"
        headers = sent_headers(answer)
        assert headers["accept-language"] == ["zh-CN"]
        assert headers["authorization"] == ["Bearer t0ken"]
        assert headers["x-custom"] == ["值".encode().decode("latin-1")]  # bytes pass untouched
        assert headers["host"] == [httpx.URL(upstreams["facilities"]).netloc.decode()]

    def test_each_resource_goes_to_its_own_service(self, client):
        assert client.get("/api/v1/contracts").json()["service"] == "operators"
        assert client.get("/api/v1/ratings/1").json()["service"] == "feedback"
        assert client.get("/api/v1/subdistricts").json()["service"] == "facilities"

    def test_percent_encoded_paths_are_forwarded_as_sent(self, client):
        answer = client.get("/api/v1/communities/%E6%96%87%20x").json()
        assert answer["raw_path"] == "/api/v1/communities/%E6%96%87%20x"

    @pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
    def test_body_and_method_are_forwarded(self, client, method):
        body = json.dumps({"name": "第1社区文化站 🎭", "capacity": 120}, ensure_ascii=False).encode()
        response = client.request(
            method, "/api/v1/bookings", content=body, headers={"Content-Type": "application/json"}
        )
        answer = response.json()
        assert answer["method"] == method
        assert answer["body_len"] == len(body)
        assert answer["body_sha256"] == hashlib.sha256(body).hexdigest()
        headers = sent_headers(answer)
        assert headers["content-length"] == [str(len(body))]
        assert headers["content-type"] == ["application/json"]

    def test_a_chunked_request_body_arrives_whole_with_a_length(self, client):
        data = pattern(300_000)

        def gen():
            for i in range(0, len(data), 7000):
                yield data[i : i + 7000]

        answer = client.post("/api/v1/cases", content=gen()).json()
        assert answer["body_sha256"] == hashlib.sha256(data).hexdigest()
        headers = sent_headers(answer)
        assert headers["content-length"] == [str(len(data))]
        assert "transfer-encoding" not in headers

    def test_upstream_status_is_passed_through(self, client):
        response = client.post("/api/v1/ratings", json={}, headers={"X-Want-Status": "422"})
        assert response.status_code == 422
        assert response.json()["service"] == "feedback"

    def test_head_returns_headers_without_body_and_the_next_request_still_works(self, client):
        response = client.head("/api/v1/facilities/1")
        assert response.status_code == 200
        assert int(response.headers["content-length"]) > 0
        assert response.content == b""
        assert client.get("/api/v1/facilities/1").json()["method"] == "GET"

    def test_service_scoped_events_go_to_that_service_without_the_prefix(self, client):
        answer = client.get("/api/v1/operators/events", params={"after": "c-17"}).json()
        assert (answer["service"], answer["raw_path"], answer["query"]) == ("operators", "/api/v1/events", "after=c-17")
        answer = client.post("/api/v1/feedback/webhooks/subscriptions", json={"url": "x"}).json()
        assert (answer["service"], answer["raw_path"]) == ("feedback", "/api/v1/webhooks/subscriptions")

    def test_open311_goes_to_feedback(self, client):
        answer = client.get("/open311/v2/services.json", params={"jurisdiction_id": "d1"}).json()
        assert (answer["service"], answer["raw_path"], answer["query"]) == (
            "feedback",
            "/open311/v2/services.json",
            "jurisdiction_id=d1",
        )

    def test_paths_no_service_owns_are_answered_by_the_gateways_own_routes(self, client):
        assert client.get("/healthz").json() == {"status": "ok", "from": "gateway"}
        response = client.get("/api/v1/xyz")
        assert response.status_code == 404
        assert "service" not in response.text


class TestHeaders:
    def test_hop_by_hop_request_headers_are_not_forwarded(self, client):
        answer = client.get(
            "/api/v1/facilities",
            headers={
                "Connection": "keep-alive, X-Secret-Hop",
                "X-Secret-Hop": "1",
                "Keep-Alive": "timeout=5",
                "TE": "trailers",
                "Trailer": "X-Checksum",
                "Upgrade": "h2c",
                "Proxy-Authorization": "Basic Zm9vOmJhcg==",
                "X-End-To-End": "yes",
            },
        ).json()
        names = set(sent_headers(answer))
        assert names.isdisjoint(
            {"connection", "x-secret-hop", "keep-alive", "te", "trailer", "upgrade", "proxy-authorization"}
        )
        assert "x-end-to-end" in names

    def test_hop_by_hop_response_headers_are_not_returned(self, client):
        response = client.get("/api/v1/cases/hop")
        assert response.status_code == 201
        assert response.headers["x-custom"] == "kept"
        for name in ("x-hop-named", "keep-alive", "proxy-authenticate"):
            assert name not in response.headers
        assert response.headers.get("connection", "keep-alive") == "keep-alive"
        assert len(response.headers.get_list("date")) == 1

    def test_forwarded_headers_describe_the_client_and_cannot_be_forged(self, client, gateway_url):
        answer = client.get(
            "/api/v1/facilities",
            headers={"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"},
        ).json()
        headers = sent_headers(answer)
        assert headers["x-forwarded-for"] == ["127.0.0.1"]
        assert headers["x-forwarded-proto"] == ["http"]
        assert headers["x-forwarded-host"] == [httpx.URL(gateway_url).netloc.decode()]

    def test_forwarded_headers_are_extended_when_trusted(self, start_gateway, upstreams):
        url, _ = start_gateway(upstreams, settings=ProxySettings(trust_forwarded=True))
        answer = httpx.get(
            url + "/api/v1/facilities",
            headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "wh.example"},
        ).json()
        headers = sent_headers(answer)
        assert headers["x-forwarded-for"] == ["203.0.113.9, 127.0.0.1"]
        assert headers["x-forwarded-proto"] == ["https"]
        assert headers["x-forwarded-host"] == ["wh.example"]


class TestRequestId:
    def test_a_given_request_id_travels_upstream_and_back(self, client):
        response = client.get("/api/v1/facilities", headers={"X-Request-ID": "req-abc-123"})
        assert sent_headers(response.json())["x-request-id"] == ["req-abc-123"]
        assert response.headers.get_list("x-request-id") == ["req-abc-123"]

    def test_a_missing_request_id_is_generated_and_returned(self, client):
        response = client.get("/api/v1/facilities")
        generated = response.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", generated)
        assert generated[12] == "4"  # uuid4
        assert sent_headers(response.json())["x-request-id"] == [generated]
        assert client.get("/api/v1/facilities").headers["x-request-id"] != generated

    def test_an_unusable_request_id_is_replaced(self, client):
        response = client.get("/api/v1/facilities", headers={"X-Request-ID": "x" * 500})
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])

    def test_the_upstreams_own_request_id_does_not_leak_or_duplicate(self, client):
        response = client.get("/api/v1/cases/hop", headers={"X-Request-ID": "mine"})
        assert response.headers.get_list("x-request-id") == ["mine"]


class TestBodies:
    def test_a_large_streamed_response_arrives_intact(self, client):
        size = 8 * 1024 * 1024 + 13
        with client.stream("GET", "/api/v1/bookings/big", params={"n": size}) as response:
            assert response.status_code == 200
            digest = hashlib.sha256()
            received = 0
            for chunk in response.iter_raw():
                digest.update(chunk)
                received += len(chunk)
        assert received == size
        assert digest.hexdigest() == hashlib.sha256(pattern(size)).hexdigest()

    def test_a_connection_is_reusable_after_a_large_answer(self, client):
        # A body that arrives faster than it is relayed pauses the upstream connection; that
        # connection goes back to the pool afterwards and must answer the next request.
        for _ in range(3):
            big = client.get("/api/v1/bookings/big", params={"n": 2 * 1024 * 1024, "chunk": 512 * 1024})
            assert big.status_code == 200 and len(big.content) == 2 * 1024 * 1024
            small = client.get("/api/v1/bookings/1", timeout=5)
            assert small.status_code == 200, small.text

    def test_a_body_at_the_limit_is_forwarded(self, client):
        body = pattern(1024 * 1024)
        assert client.post("/api/v1/cases", content=body).json()["body_len"] == len(body)

    def test_a_body_over_the_limit_is_refused_with_413(self, client):
        response = client.post("/api/v1/cases", content=pattern(1024 * 1024 + 1))
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"] == "/problems/content-too-large"
        assert problem["status"] == 413
        assert problem["request_id"] == response.headers["x-request-id"]

    def test_a_chunked_body_over_the_limit_is_refused_with_413(self, client):
        def gen():
            for _ in range(20):
                yield b"x" * 65536  # 1.25 MiB, no Content-Length

        assert client.post("/api/v1/cases", content=gen()).status_code == 413

    def test_the_limit_is_configurable(self, start_gateway, upstreams):
        url, _ = start_gateway(upstreams, settings=ProxySettings(max_body_bytes=10))
        assert httpx.post(url + "/api/v1/cases", content=b"0123456789").status_code == 200
        assert httpx.post(url + "/api/v1/cases", content=b"0123456789!").status_code == 413
