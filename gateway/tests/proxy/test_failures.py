"""When the upstream is down, slow, unavailable or odd: a clear problem+json, never a hang."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from gateway.proxy import ProxySettings

from .servers import RawUpstream, closed_port

OK = b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{"ok":true}'


def assert_problem(response: httpx.Response, status: int, type_: str, instance: str) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == type_
    assert problem["status"] == status
    assert problem["title"]
    assert problem["instance"] == instance
    assert problem["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    return problem


class TestUpstreamDown:
    def test_a_refused_connection_is_a_502(self, start_gateway):
        url, _ = start_gateway({"facilities": f"http://127.0.0.1:{closed_port()}"})
        started = time.monotonic()
        response = httpx.get(url + "/api/v1/facilities/1", headers={"X-Request-ID": "r-502"})
        assert time.monotonic() - started < 2
        problem = assert_problem(response, 502, "/problems/bad-gateway", "/api/v1/facilities/1")
        assert problem["detail"] == "facilities-api refused the connection"
        assert problem["request_id"] == "r-502"

    def test_an_upstream_that_hangs_up_without_answering_is_a_502(self, start_gateway):
        upstream = RawUpstream(lambda conn, index: None).start()
        try:
            url, _ = start_gateway({"operators": upstream.url})
            response = httpx.get(url + "/api/v1/contracts")
            problem = assert_problem(response, 502, "/problems/bad-gateway", "/api/v1/contracts")
            assert problem["detail"].startswith("operators-api closed the connection")
        finally:
            upstream.stop()

    def test_an_upstream_that_speaks_garbage_is_a_502(self, start_gateway):
        upstream = RawUpstream(lambda conn, index: b"SSH-2.0-OpenSSH_9.2\r\n\r\n").start()
        try:
            url, _ = start_gateway({"feedback": upstream.url})
            problem = assert_problem(httpx.get(url + "/api/v1/cases"), 502, "/problems/bad-gateway", "/api/v1/cases")
            assert "malformed" in problem["detail"]
        finally:
            upstream.stop()

    def test_an_upstream_that_dies_mid_body_gives_a_truncated_response_not_a_short_one(self, start_gateway):
        head = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 100000\r\n\r\n"
        upstream = RawUpstream(lambda conn, index: (head + b"x" * 70000, "close")).start()
        try:
            url, _ = start_gateway({"facilities": upstream.url})
            with pytest.raises(httpx.RemoteProtocolError):
                httpx.get(url + "/api/v1/facilities")
        finally:
            upstream.stop()

    def test_a_service_marked_unavailable_is_a_503_without_trying_it(self, start_gateway, upstreams):
        url, clients = start_gateway(upstreams)
        clients.mark_unavailable("feedback")
        problem = assert_problem(
            httpx.get(url + "/api/v1/ratings"), 503, "/problems/service-unavailable", "/api/v1/ratings"
        )
        assert problem["detail"] == "feedback-api is temporarily unavailable"
        assert httpx.get(url + "/api/v1/ratings").headers["retry-after"] == "5"
        assert httpx.get(url + "/api/v1/contracts").status_code == 200  # the others still answer
        clients.mark_available("feedback")
        assert httpx.get(url + "/api/v1/ratings").status_code == 200

    def test_a_service_without_an_upstream_is_a_503(self, start_gateway, upstreams):
        url, _ = start_gateway({"facilities": upstreams["facilities"]})
        problem = assert_problem(
            httpx.get(url + "/open311/v2/services.json"),
            503,
            "/problems/service-unavailable",
            "/open311/v2/services.json",
        )
        assert problem["detail"] == "feedback-api is not configured on this gateway"
        assert problem["status"] == 503


class TestTimeouts:
    def test_a_slow_upstream_is_a_504_at_the_configured_timeout(self, start_gateway, upstreams):
        url, _ = start_gateway(upstreams, settings=ProxySettings(timeout=0.3))
        started = time.monotonic()
        response = httpx.get(url + "/api/v1/activities/slow", params={"s": 1.5}, timeout=5)
        elapsed = time.monotonic() - started
        problem = assert_problem(response, 504, "/problems/gateway-timeout", "/api/v1/activities/slow")
        assert problem["detail"] == "facilities-api did not answer within 0.3 s"
        assert 0.25 < elapsed < 1.45  # the upstream would answer at 1.5 s

    def test_an_upstream_that_accepts_but_never_answers_is_a_504(self, start_gateway):
        upstream = RawUpstream(lambda conn, index: time.sleep(3) or OK).start()
        try:
            url, _ = start_gateway({"facilities": upstream.url}, settings=ProxySettings(timeout=0.2))
            response = httpx.get(url + "/api/v1/facilities", timeout=5)
            problem = assert_problem(response, 504, "/problems/gateway-timeout", "/api/v1/facilities")
            assert problem["detail"] == "facilities-api did not answer within 0.2 s"
        finally:
            upstream.stop()

    def test_an_upstream_that_never_accepts_is_a_504_at_the_connect_timeout(self, start_gateway):
        # A listener whose accept queue is full: the kernel drops further SYNs, connect() hangs.
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(0)
            port = listener.getsockname()[1]
            filler = socket.create_connection(("127.0.0.1", port))
            try:
                url, _ = start_gateway(
                    {"facilities": f"http://127.0.0.1:{port}"}, settings=ProxySettings(connect_timeout=0.3, timeout=5)
                )
                started = time.monotonic()
                response = httpx.get(url + "/api/v1/facilities", timeout=5)
                elapsed = time.monotonic() - started
            finally:
                filler.close()
        problem = assert_problem(response, 504, "/problems/gateway-timeout", "/api/v1/facilities")
        assert problem["detail"] == "facilities-api did not accept a connection within 0.3 s"
        assert 0.25 < elapsed < 1.5


class TestConnectionReuse:
    def test_an_idempotent_request_on_a_connection_the_upstream_dropped_is_retried_once(self, start_gateway):
        # First connection: answers one request, then hangs up on the next without a word.
        upstream = RawUpstream(lambda conn, index: OK if (conn > 0 or index == 0) else None).start()
        try:
            url, _ = start_gateway({"facilities": upstream.url})
            with httpx.Client(base_url=url) as client:
                assert client.get("/api/v1/facilities").status_code == 200
                assert client.get("/api/v1/facilities").status_code == 200
            assert upstream.connections == 2
        finally:
            upstream.stop()

    def test_a_post_on_a_dropped_connection_is_not_replayed(self, start_gateway):
        upstream = RawUpstream(lambda conn, index: OK if (conn > 0 or index == 0) else None).start()
        try:
            url, _ = start_gateway({"facilities": upstream.url})
            with httpx.Client(base_url=url) as client:
                assert client.get("/api/v1/bookings").status_code == 200
                response = client.post("/api/v1/bookings", json={"slot": 1})
                assert_problem(response, 502, "/problems/bad-gateway", "/api/v1/bookings")
            assert upstream.connections == 1
        finally:
            upstream.stop()

    def test_connections_are_kept_alive_and_reused(self, start_gateway):
        upstream = RawUpstream(lambda conn, index: OK).start()
        try:
            url, _ = start_gateway({"facilities": upstream.url})
            with httpx.Client(base_url=url) as client:
                for _ in range(20):
                    assert client.get("/api/v1/facilities").json() == {"ok": True}
            assert upstream.connections == 1
        finally:
            upstream.stop()

    def test_requests_beyond_the_connection_limit_wait_their_turn(self, start_gateway, upstreams):
        url, _ = start_gateway(upstreams, settings=ProxySettings(max_connections=2))
        statuses: list[int] = []

        def call() -> None:
            statuses.append(httpx.get(url + "/api/v1/activities/slow", params={"s": 0.2}, timeout=10).status_code)

        threads = [threading.Thread(target=call) for _ in range(6)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses == [200] * 6
        assert time.monotonic() - started >= 0.55  # three waves of two

    def test_waiting_for_a_connection_counts_against_the_timeout(self, start_gateway, upstreams):
        # Margins of more than half a second each way, so a loaded machine does not decide the outcome.
        url, _ = start_gateway(upstreams, settings=ProxySettings(max_connections=1, timeout=2.0))
        results: dict[str, httpx.Response] = {}

        def call(name: str, s: float) -> None:
            results[name] = httpx.get(url + "/api/v1/activities/slow", params={"s": s}, timeout=10)

        first = threading.Thread(target=call, args=("first", 1.4))
        first.start()
        time.sleep(0.3)
        call("second", 1.4)  # waits ~1.1 s for the one connection, then needs 1.4 s more
        first.join()
        # Whichever got the connection first answers; the other runs out of time while waiting.
        assert sorted(r.status_code for r in results.values()) == [200, 504]


class TestLifespan:
    def test_the_clients_are_made_in_the_lifespan_and_closed_with_it(self, upstreams):
        from .conftest import make_gateway
        from .servers import ServerThread

        app, clients = make_gateway(upstreams)
        assert not clients.started
        server = ServerThread(app).start()
        try:
            assert clients.started
            assert httpx.get(server.url + "/api/v1/facilities").status_code == 200
        finally:
            server.stop()
        assert not clients.started


@pytest.mark.parametrize("path", ["/api/v1/facilities/../../healthz", "/api/v1/%2e%2e/healthz"])
def test_dot_segments_are_never_forwarded(start_gateway, upstreams, path):
    url, _ = start_gateway(upstreams)
    with httpx.Client() as client:
        request = client.build_request("GET", url)
        request.url = request.url.copy_with(raw_path=path.encode())
        response = client.send(request)
    assert "service" not in response.text
