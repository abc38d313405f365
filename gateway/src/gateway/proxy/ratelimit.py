"""Per-client rate limits on the `limits` library: a sliding window counter per client key.

``await limiter.hit(key) -> (allowed, retry_after_seconds)``. The storage is in this process by
default (one gateway replica, tests); with a Redis URL every replica shares one budget per client.
A limiter whose storage fails lets requests through (``fail_open``, the default) and logs it: a
rate limiter should not be the reason the platform is down.

The gateway's settings give a number of requests per minute; :func:`per_minute` spends it by the
quarter minute (600 a minute: 150 in any 15 s), so a client may send a quarter of its minute at
once but no more. The sliding window counter weighs the previous window's count by how much of
it the current moment still overlaps: two counters per client, a few microseconds a request (the
exact moving window keeps one timestamp per request and costs far more on the gateway's hot path).
"""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

__all__ = ["RateLimit", "per_minute"]

log = logging.getLogger("gateway.proxy.ratelimit")


def per_minute(requests: int) -> RateLimitItem:
    """``requests`` a minute, a quarter of them at most in any 15 s (at least 5 in 15 s)."""
    if requests < 1:
        raise ValueError("a rate limit must allow at least one request a minute")
    quarter = max(requests // 4, 5)
    return RateLimitItemPerSecond(quarter, math.ceil(15 * 4 * quarter / requests))


class RateLimit:
    """One limit for every client key, on a `limits` storage."""

    def __init__(
        self,
        limit: RateLimitItem,
        storage: Storage | None = None,
        *,
        namespace: str = "gateway",
        fail_open: bool = True,
    ) -> None:
        self.limit = limit
        self.storage = storage if storage is not None else MemoryStorage()
        self.namespace = namespace
        self.fail_open = fail_open
        self._strategy = SlidingWindowCounterRateLimiter(self.storage)

    @classmethod
    def from_url(
        cls, redis_url: str | None, limit: RateLimitItem, *, namespace: str = "gateway", fail_open: bool = True
    ) -> RateLimit:
        """In memory without a URL; otherwise in the Redis it names (connects on first use)."""
        storage = None
        if redis_url:
            storage = RedisStorage(
                "async+" + redis_url,
                implementation="redispy",
                socket_connect_timeout=0.5,
                socket_timeout=0.5,
            )
        return cls(limit, storage, namespace=namespace, fail_open=fail_open)

    async def hit(self, key: str) -> tuple[bool, int]:
        try:
            if await self._strategy.hit(self.limit, self.namespace, key):
                return True, 0
            stats = await self._strategy.get_window_stats(self.limit, self.namespace, key)
        except Exception as exc:  # the storage's own errors vary: redis, connection, timeouts
            log.warning("rate limiter: storage unavailable (%s); %s", exc, "allowing" if self.fail_open else "refusing")
            return (True, 0) if self.fail_open else (False, 1)
        return False, max(1, math.ceil(stats.reset_time - time.time()))

    async def aclose(self) -> None:
        """Release the storage's connections (a Redis client); memory needs nothing."""
        if isinstance(self.storage, RedisStorage):
            # The redis-py bridge keeps its client (redis.asyncio.Redis) as `storage`; limits has no close.
            await self.storage.bridge.storage.aclose()  # type: ignore[attr-defined]
