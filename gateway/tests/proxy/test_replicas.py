"""Several replicas of a service: balanced, a failing one taken out and put back, one safe retry,
and every proxied request in the access log and the metrics. Real upstream servers on loopback;
the balancer's clock is the test's, so out-times pass without sleeping."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from itertools import pairwise

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.proxy import ProxySettings, Replicas
from service_kit.logs import JsonFormatter

from .servers import RawUpstream, ServerThread, make_upstream

RATINGS = "/api/v1/ratings"  # feedback-api's
KEYED = {"Idempotency-Key": "k-1"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Replica:
    """One replica of feedback-api, naming itself ``name`` in its answers; stop and start it at will."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.server = ServerThread(make_upstream(name)).start()
        self.port = self.server.port
        self.url = self.server.url
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.server.stop()
            self.running = False

    def restart(self) -> None:
        self.server = ServerThread(make_upstream(self.name), port=self.port).start()
        self.running = True


@pytest.fixture
def replicas() -> Iterator[tuple[Replica, Replica]]:
    a, b = Replica("a"), Replica("b")
    yield a, b
    a.stop()
    b.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def answered_by(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return response.json()["service"]


def metric(gateway: str, name: str, **labels: str) -> float:
    """A sample's value on the gateway's /metrics (0 when it is not there)."""
    text = httpx.get(gateway + "/metrics").text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


def retries(gateway: str) -> float:
    return metric(gateway, "gateway_upstream_retries_total", service="feedback")


class TestBalancing:
    def test_requests_go_to_each_replica_in_turn(self, start_gateway, replicas):
        a, b = replicas
        url, _ = start_gateway({"feedback": f"{a.url},{b.url}"})
        with httpx.Client(base_url=url) as client:
            names = [answered_by(client.get(RATINGS)) for _ in range(10)]
        assert names.count("a") == 5 and names.count("b") == 5
        assert all(x != y for x, y in pairwise(names))

    def test_one_url_is_one_replica(self, start_gateway, replicas):
        a, _ = replicas
        url, _ = start_gateway({"feedback": a.url + "/"})
        with httpx.Client(base_url=url) as client:
            assert {answered_by(client.get(RATINGS)) for _ in range(4)} == {"a"}


class TestAReplicaGoesDown:
    def test_idempotent_and_keyed_requests_keep_succeeding(self, start_gateway, replicas, clock):
        a, b = replicas
        url, _ = start_gateway({"feedback": [a.url, b.url]}, clock=clock)
        b.stop()
        with httpx.Client(base_url=url) as client:
            answers = [client.get(RATINGS) for _ in range(10)]
            answers += [
                client.post(RATINGS, json={"stars": 5}, headers={"Idempotency-Key": f"k-{i}"}) for i in range(5)
            ]
            answers += [client.patch(RATINGS + "/1", json={}, headers=KEYED), client.put(RATINGS + "/1", json={})]
            answers += [client.delete(RATINGS + "/1"), client.head(RATINGS), client.options(RATINGS)]
        assert [r.status_code for r in answers] == [200] * len(answers)
        assert {r.json()["service"] for r in answers if r.request.method != "HEAD"} == {"a"}
        assert retries(url) == 1  # b was tried once, then left alone
        assert metric(url, "gateway_upstream_up", service="feedback", upstream=b.url) == 0
        assert metric(url, "gateway_upstream_up", service="feedback", upstream=a.url) == 1

    def test_it_is_tried_again_after_a_growing_out_time_and_comes_back(self, start_gateway, replicas, clock):
        a, b = replicas
        url, _ = start_gateway({"feedback": [a.url, b.url]}, clock=clock)
        b.stop()

        def four_gets() -> list[str]:
            with httpx.Client(base_url=url) as client:
                return [answered_by(client.get(RATINGS)) for _ in range(4)]

        assert four_gets() == ["a"] * 4
        assert retries(url) == 1  # b failed at 1000.0: out for 1 s
        clock.now = 1000.9
        assert four_gets() == ["a"] * 4
        assert retries(url) == 1
        clock.now = 1001.1  # its out-time is over: one request tries it (and is retried on a)
        assert four_gets() == ["a"] * 4
        assert retries(url) == 2  # failed again: out for 2 s now
        clock.now = 1002.9
        assert four_gets() == ["a"] * 4
        assert retries(url) == 2
        clock.now = 1003.2
        assert four_gets() == ["a"] * 4
        assert retries(url) == 3  # out for 4 s
        b.restart()
        clock.now = 1007.0
        assert four_gets() == ["a"] * 4  # still out, though it is back
        clock.now = 1007.3
        assert sorted(four_gets()) == ["a", "a", "b", "b"]  # tried, answered, in again
        assert retries(url) == 3
        assert metric(url, "gateway_upstream_up", service="feedback", upstream=b.url) == 1

    def test_out_times_double_up_to_the_cap(self, clock):
        replicas = Replicas(["http://127.0.0.1:1", "http://127.0.0.1:2"], out_base_s=1, out_max_s=30, clock=clock)
        down, _ = replicas
        outs = []
        for _ in range(8):
            replicas.failed(down)
            outs.append(down.out_until - clock.now)
        assert outs == [1, 2, 4, 8, 16, 30, 30, 30]

    def test_a_post_without_key_is_not_retried_and_the_client_gets_the_502(self, start_gateway, replicas, clock):
        a, b = replicas
        url, _ = start_gateway({"feedback": [b.url, a.url]}, clock=clock)  # b's turn comes first
        b.stop()
        with httpx.Client(base_url=url) as client:
            refused = client.post(RATINGS, json={"stars": 1})
            assert refused.status_code == 502
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["detail"] == "feedback-api refused the connection"
            assert retries(url) == 0
            # b is out now: the next one goes to a.
            assert answered_by(client.post(RATINGS, json={"stars": 1})) == "a"

    def test_with_every_replica_out_the_least_recently_failed_is_tried(self, start_gateway, replicas, clock):
        a, b = replicas
        url, _ = start_gateway({"feedback": [a.url, b.url]}, clock=clock)
        with httpx.Client(base_url=url) as client:
            a.stop()
            assert answered_by(client.get(RATINGS)) == "b"  # a failed at 1000.0, retried on b
            b.stop()
            clock.now = 1000.5
            down = client.post(RATINGS, json={})  # b's turn; b fails at 1000.5; no key, no retry
            assert down.status_code == 502 and down.json()["detail"] == "feedback-api refused the connection"
            a.restart()
            clock.now = 1000.6  # both out: a failed longer ago, so a is tried, and answers
            assert answered_by(client.post(RATINGS, json={})) == "a"
            # Both down for good: a GET tries both, then the client gets the problem.
            a.stop()
            clock.now = 1100.0
            both = client.get(RATINGS)
            assert both.status_code == 502 and both.json()["type"] == "/problems/bad-gateway"


class TestNothingIsSentTwice:
    """Once a replica may have received the request, its outcome is the client's answer."""

    def test_a_timeout_waiting_for_the_answer_is_not_retried(self, start_gateway, replicas):
        a, _ = replicas
        silent = RawUpstream(lambda conn, index: time.sleep(2) or None).start()
        try:
            url, _ = start_gateway({"feedback": [silent.url, a.url]}, settings=ProxySettings(timeout=0.3))
            response = httpx.get(url + RATINGS, timeout=5)
            assert response.status_code == 504
            assert retries(url) == 0
        finally:
            silent.stop()

    def test_an_upstream_5xx_is_the_answer(self, start_gateway, replicas):
        a, b = replicas
        url, _ = start_gateway({"feedback": [a.url, b.url]})
        response = httpx.get(url + RATINGS, headers={"X-Want-Status": "503"})
        assert response.status_code == 503 and response.json()["service"] == "a"
        assert retries(url) == 0
        assert metric(url, "gateway_upstream_up", service="feedback", upstream=a.url) == 1  # it answered

    def test_a_connection_dropped_after_sending_is_not_retried(self, start_gateway, replicas):
        a, _ = replicas
        dropping = RawUpstream(lambda conn, index: None).start()
        try:
            url, _ = start_gateway({"feedback": [dropping.url, a.url]})
            response = httpx.post(url + RATINGS, json={}, headers=KEYED)
            assert response.status_code == 502
            assert response.json()["detail"] == "feedback-api closed the connection before answering"
            assert retries(url) == 0
        finally:
            dropping.stop()


class TestAccessLogAndMetrics:
    def test_each_proxied_request_is_logged_and_counted_the_502_included(self, start_gateway, replicas, clock, caplog):
        a, b = replicas
        url, _ = start_gateway({"feedback": [b.url, a.url]}, clock=clock)
        b.stop()
        caplog.set_level(logging.INFO, logger="gateway.proxy.access")
        with httpx.Client(base_url=url) as client:
            client.post(RATINGS + "?token=s3cret", json={}, headers={"X-Request-ID": "r-refused"})
            client.get(RATINGS + "/7?phone=13800000000", headers={"X-Request-ID": "r-ok"})
        records = [r for r in caplog.records if r.name == "gateway.proxy.access"]
        lines = {r.request_id: r for r in records}
        refused, ok = lines["r-refused"], lines["r-ok"]
        assert (refused.method, refused.path, refused.status, refused.upstream) == ("POST", RATINGS, 502, b.url)
        assert (ok.method, ok.path, ok.status, ok.upstream) == ("GET", RATINGS + "/7", 200, a.url)
        for line in (refused, ok):
            assert line.upstream_service == "feedback"
            assert line.client == "127.0.0.1"
            assert 0 < line.duration_ms < 5000
        written = "\n".join(JsonFormatter("gateway").format(r) for r in records)
        assert "s3cret" not in written and "13800000000" not in written

        def requests(method: str, status_class: str, upstream: str) -> float:
            return metric(
                url,
                "gateway_proxied_requests_total",
                service="feedback",
                method=method,
                status_class=status_class,
                upstream=upstream,
            )

        assert requests("POST", "5xx", b.url) == 1
        assert requests("GET", "2xx", a.url) == 1
        assert metric(url, "gateway_proxied_request_duration_seconds_count", service="feedback", upstream=a.url) == 1
