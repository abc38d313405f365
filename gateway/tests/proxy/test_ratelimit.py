"""The limiter hook (429 problem+json) and the two limiters behind it."""

from __future__ import annotations

import os
import uuid

import httpx
import pytest
import pytest_asyncio

from gateway.proxy import MemoryRateLimiter, ProxySettings, RedisRateLimiter

REDIS_URL = os.environ.get("GATEWAY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TestMemoryRateLimiter:
    @pytest.mark.asyncio
    async def test_a_burst_is_allowed_then_refused_with_the_wait(self):
        clock = FakeClock()
        limiter = MemoryRateLimiter(rate=0.5, burst=3, clock=clock)
        assert [await limiter.hit("a") for _ in range(3)] == [(True, 0)] * 3
        assert await limiter.hit("a") == (False, 2)  # one token takes 2 s at 0.5/s

    @pytest.mark.asyncio
    async def test_tokens_come_back_with_time(self):
        clock = FakeClock()
        limiter = MemoryRateLimiter(rate=2, burst=2, clock=clock)
        await limiter.hit("a")
        await limiter.hit("a")
        assert (await limiter.hit("a"))[0] is False
        clock.now += 0.5
        assert await limiter.hit("a") == (True, 0)
        assert (await limiter.hit("a"))[0] is False
        clock.now += 60
        assert [(await limiter.hit("a"))[0] for _ in range(3)] == [True, True, False]  # never above burst

    @pytest.mark.asyncio
    async def test_keys_have_separate_budgets(self):
        limiter = MemoryRateLimiter(rate=1, burst=1, clock=FakeClock())
        assert (await limiter.hit("a"))[0] is True
        assert (await limiter.hit("a"))[0] is False
        assert (await limiter.hit("b"))[0] is True

    @pytest.mark.asyncio
    async def test_memory_stays_bounded(self):
        clock = FakeClock()
        limiter = MemoryRateLimiter(rate=1, burst=5, clock=clock, max_keys=100)
        for i in range(1000):
            clock.now += 0.001
            await limiter.hit(f"client-{i}")
        assert len(limiter._buckets) <= 100

    def test_nonsense_settings_are_refused(self):
        with pytest.raises(ValueError):
            MemoryRateLimiter(rate=0, burst=1)
        with pytest.raises(ValueError):
            MemoryRateLimiter(rate=1, burst=0)


class TestProxyLimits:
    def test_a_refused_client_gets_429_problem_with_retry_after(self, start_gateway, upstreams):
        url, _ = start_gateway(upstreams, limiter=MemoryRateLimiter(rate=0.2, burst=2))
        with httpx.Client(base_url=url) as client:
            assert [client.get("/api/v1/facilities").status_code for _ in range(2)] == [200, 200]
            response = client.get("/api/v1/facilities", headers={"X-Request-ID": "limited-1"})
        assert response.status_code == 429
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "5"
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

    def test_the_inner_app_is_not_limited_unless_asked(self, start_gateway, upstreams):
        url, _ = start_gateway(upstreams, limiter=MemoryRateLimiter(rate=0.1, burst=1))
        assert [httpx.get(url + "/healthz").status_code for _ in range(3)] == [200, 200, 200]
        url, _ = start_gateway(
            upstreams, limiter=MemoryRateLimiter(rate=0.1, burst=1), settings=ProxySettings(rate_limit_inner=True)
        )
        assert [httpx.get(url + "/healthz").status_code for _ in range(2)] == [200, 429]

    def test_a_broken_limiter_lets_requests_through(self, start_gateway, upstreams):
        class Broken:
            async def hit(self, key: str) -> tuple[bool, int]:
                raise RuntimeError("boom")

        url, _ = start_gateway(upstreams, limiter=Broken())
        assert httpx.get(url + "/api/v1/facilities").status_code == 200


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
    prefix = f"test:ratelimit:{uuid.uuid4().hex}:"
    made = [RedisRateLimiter(Redis.from_url(REDIS_URL), rate=0.5, burst=3, prefix=prefix) for _ in range(2)]
    yield client, prefix, made
    for limiter in made:
        await limiter.aclose()
    keys = [key async for key in client.scan_iter(match=prefix + "*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.mark.redis
class TestRedisRateLimiter:
    @pytest.mark.asyncio
    async def test_replicas_share_one_budget_per_client(self, redis_limiters):
        _, _, (one, two) = redis_limiters
        results = [await one.hit("203.0.113.5"), await two.hit("203.0.113.5"), await one.hit("203.0.113.5")]
        assert results == [(True, 0)] * 3
        allowed, retry_after = await two.hit("203.0.113.5")
        assert allowed is False
        assert 1 <= retry_after <= 2
        assert (await one.hit("203.0.113.6"))[0] is True  # another client, another bucket

    @pytest.mark.asyncio
    async def test_buckets_expire_once_they_would_be_full_again(self, redis_limiters):
        client, prefix, (one, _) = redis_limiters
        await one.hit("198.51.100.1")
        ttl_ms = await client.pttl(prefix + "198.51.100.1")
        assert 0 < ttl_ms <= 3 / 0.5 * 1000 + 1000

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
        open_limiter = RedisRateLimiter.from_url(url, rate=1, burst=1)
        closed_limiter = RedisRateLimiter.from_url(url, rate=1, burst=1, fail_open=False)
        try:
            assert await open_limiter.hit("a") == (True, 0)
            assert await closed_limiter.hit("a") == (False, 1)
        finally:
            await open_limiter.aclose()
            await closed_limiter.aclose()
