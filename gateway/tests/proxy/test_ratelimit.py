"""The limiter hook (429 problem+json) and the limits behind it, in memory and in Redis."""

from __future__ import annotations

import os
import uuid

import httpx
import pytest
import pytest_asyncio
from limits import parse
from limits.aio.storage import RedisStorage

import gateway.proxy.ratelimit
from gateway.proxy import ProxySettings, RateLimit, per_minute

REDIS_URL = os.environ.get("GATEWAY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def time(self) -> float:  # stands in for the `time` module
        return self.now


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    """The clock of the in-memory storage, of the strategy and of the limiter (`time.time()`)."""
    import limits.aio.storage.memory
    import limits.aio.strategies

    fake = FakeClock()
    monkeypatch.setattr(limits.aio.storage.memory, "time", fake)
    monkeypatch.setattr(limits.aio.strategies, "time", fake)
    monkeypatch.setattr(gateway.proxy.ratelimit, "time", fake)
    return fake


class TestMemoryLimits:
    @pytest.mark.asyncio
    async def test_a_burst_is_allowed_then_refused_with_the_wait(self, clock):
        limiter = RateLimit(parse("3 per 10 seconds"))
        assert [await limiter.hit("a") for _ in range(3)] == [(True, 0)] * 3
        clock.now += 4
        assert await limiter.hit("a") == (False, 6)  # the window the three were counted in ends in 6 s

    @pytest.mark.asyncio
    async def test_the_budget_comes_back_as_the_window_moves(self, clock):
        limiter = RateLimit(parse("2 per 10 seconds"))
        await limiter.hit("a")
        clock.now += 5
        await limiter.hit("a")
        assert (await limiter.hit("a"))[0] is False
        clock.now += 5.1
        assert await limiter.hit("a") == (True, 0)
        assert (await limiter.hit("a"))[0] is False

    @pytest.mark.asyncio
    async def test_keys_have_separate_budgets(self, clock):
        limiter = RateLimit(parse("1 per minute"))
        assert (await limiter.hit("a"))[0] is True
        assert (await limiter.hit("a"))[0] is False
        assert (await limiter.hit("b"))[0] is True

    def test_a_per_minute_setting_is_spent_by_the_quarter_minute(self):
        assert (per_minute(600).amount, per_minute(600).get_expiry()) == (150, 15)
        assert (per_minute(20).amount, per_minute(20).get_expiry()) == (5, 15)
        assert (per_minute(7).amount, per_minute(7).get_expiry()) == (5, 43)  # never fewer than 5 at once

    def test_nonsense_settings_are_refused(self):
        with pytest.raises(ValueError):
            per_minute(0)


class TestProxyLimits:
    def test_a_refused_client_gets_429_problem_with_retry_after(self, start_gateway, upstreams):
        url, _ = start_gateway(upstreams, limiter=RateLimit(parse("2 per 5 seconds")))
        with httpx.Client(base_url=url) as client:
            assert [client.get("/api/v1/facilities").status_code for _ in range(2)] == [200, 200]
            response = client.get("/api/v1/facilities", headers={"X-Request-ID": "limited-1"})
        assert response.status_code == 429
        assert response.headers["content-type"] == "application/problem+json"
        assert 1 <= int(response.headers["retry-after"]) <= 5  # until the window frees a request
        problem = response.json()
        assert problem["type"] == "/problems/too-many-requests"
        assert problem["status"] == 429
        assert problem["request_id"] == "limited-1"
        assert problem["instance"] == "/api/v1/facilities"

    def test_the_key_is_the_socket_peer_unless_forwarded_headers_are_trusted(self, start_gateway, upstreams):
        seen: list[str] = []

        class Recording:
            async def hit(self, key: str) -> tuple[bool, int]:
                seen.append(key)
                return True, 0

        url, _ = start_gateway(upstreams, limiter=Recording())
        httpx.get(url + "/api/v1/facilities", headers={"X-Forwarded-For": "198.51.100.7"})
        trusted_url, _ = start_gateway(upstreams, limiter=Recording(), settings=ProxySettings(trust_forwarded=True))
        httpx.get(trusted_url + "/api/v1/facilities", headers={"X-Forwarded-For": "198.51.100.7, 10.0.0.1"})
        httpx.get(trusted_url + "/api/v1/facilities")
        assert seen == ["127.0.0.1", "198.51.100.7", "127.0.0.1"]

    def test_the_gateways_own_routes_are_not_limited_unless_asked(self, start_gateway, upstreams):
        url, _ = start_gateway(upstreams, limiter=RateLimit(parse("1 per minute")))
        assert [httpx.get(url + "/healthz").status_code for _ in range(3)] == [200, 200, 200]
        url, _ = start_gateway(
            upstreams, limiter=RateLimit(parse("1 per minute")), settings=ProxySettings(rate_limit_own=True)
        )
        assert [httpx.get(url + "/healthz").status_code for _ in range(2)] == [200, 429]

    def test_a_broken_limiter_lets_requests_through(self, start_gateway, upstreams):
        class Broken:
            async def hit(self, key: str) -> tuple[bool, int]:
                raise RuntimeError("boom")

        url, _ = start_gateway(upstreams, limiter=Broken())
        assert httpx.get(url + "/api/v1/facilities").status_code == 200


def redis_limit(url: str, limit: str, namespace: str, **kwargs) -> RateLimit:
    return RateLimit.from_url(url, parse(limit), namespace=namespace, **kwargs)


@pytest_asyncio.fixture
async def redis_limiters():
    """Two limiters on the real Redis sharing one key space, as two gateway replicas would."""
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        assert await client.ping(), f"Redis at {REDIS_URL} must be running for @pytest.mark.redis tests"
    except Exception as exc:  # fail loudly, never skip
        await client.aclose()
        pytest.fail(f"Redis at {REDIS_URL} is not reachable: {exc!r}")
    namespace = f"test-ratelimit-{uuid.uuid4().hex}"
    made = [redis_limit(REDIS_URL, "3 per 2 seconds", namespace) for _ in range(2)]
    yield client, namespace, made
    for limiter in made:
        await limiter.aclose()
    keys = [key async for key in client.scan_iter(match=f"*{namespace}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.mark.redis
class TestRedisLimits:
    def test_a_redis_url_puts_the_budget_in_redis(self):
        assert isinstance(RateLimit.from_url(REDIS_URL, per_minute(60)).storage, RedisStorage)

    @pytest.mark.asyncio
    async def test_replicas_share_one_budget_per_client(self, redis_limiters):
        _, _, (one, two) = redis_limiters
        results = [await one.hit("203.0.113.5"), await two.hit("203.0.113.5"), await one.hit("203.0.113.5")]
        assert results == [(True, 0)] * 3
        allowed, retry_after = await two.hit("203.0.113.5")
        assert allowed is False
        assert 1 <= retry_after <= 2
        assert (await one.hit("203.0.113.6"))[0] is True  # another client, another budget

    @pytest.mark.asyncio
    async def test_budgets_expire_with_their_window(self, redis_limiters):
        client, namespace, (one, _) = redis_limiters
        await one.hit("198.51.100.1")
        keys = [key async for key in client.scan_iter(match=f"*{namespace}*198.51.100.1*")]
        assert len(keys) == 1
        assert 0 < await client.pttl(keys[0]) <= 2 * 2000  # a counter outlives its window by one more

    @pytest.mark.asyncio
    async def test_concurrent_hits_never_overspend(self, redis_limiters):
        import asyncio

        _, _, (one, two) = redis_limiters
        results = await asyncio.gather(*(lim.hit("192.0.2.1") for lim in (one, two) * 10))
        assert sum(allowed for allowed, _ in results) == 3


class TestRedisUnavailable:
    @pytest.mark.asyncio
    async def test_fails_open_by_default_and_closed_when_asked(self):
        from .servers import closed_port

        url = f"redis://127.0.0.1:{closed_port()}/0"
        open_limiter = redis_limit(url, "1 per minute", "gone")
        closed_limiter = redis_limit(url, "1 per minute", "gone", fail_open=False)
        try:
            assert await open_limiter.hit("a") == (True, 0)
            assert await closed_limiter.hit("a") == (False, 1)
        finally:
            await open_limiter.aclose()
            await closed_limiter.aclose()
