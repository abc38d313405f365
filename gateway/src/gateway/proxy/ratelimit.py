"""Rate limiters for the proxy's ``limiter`` hook: a token bucket per client key.

Both classes answer ``await hit(key) -> (allowed, retry_after_seconds)``. A bucket holds up to
``burst`` tokens and refills at ``rate`` tokens per second; each request takes one. So a client
may send ``burst`` requests at once and ``rate`` per second for ever after.

- :class:`MemoryRateLimiter` keeps buckets in this process: for one gateway replica and tests.
- :class:`RedisRateLimiter` keeps them in Redis, updated atomically by one Lua script using the
  Redis server's clock, so every replica shares one budget per client.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

__all__ = ["MemoryRateLimiter", "RedisRateLimiter"]

log = logging.getLogger("gateway.proxy.ratelimit")


def _check(rate: float, burst: int) -> None:
    if rate <= 0:
        raise ValueError("rate must be > 0 tokens per second")
    if burst < 1:
        raise ValueError("burst must be >= 1")


class MemoryRateLimiter:
    """Token buckets in a dict. ``clock`` is injectable (seconds, monotonic) for tests."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        _check(rate, burst)
        self.rate = float(rate)
        self.burst = int(burst)
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, list[float]] = {}  # key → [tokens, last_update]

    async def hit(self, key: str) -> tuple[bool, int]:
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:
                self._evict(now)
            self._buckets[key] = [self.burst - 1.0, now]
            return True, 0
        tokens = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
        bucket[1] = now
        if tokens >= 1.0:
            bucket[0] = tokens - 1.0
            return True, 0
        bucket[0] = tokens
        return False, max(1, math.ceil((1.0 - tokens) / self.rate))

    def _evict(self, now: float) -> None:
        # Buckets that have refilled completely carry no information: drop them.
        full_after = self.burst / self.rate
        stale = [k for k, (_, last) in self._buckets.items() if now - last >= full_after]
        for k in stale:
            del self._buckets[k]
        if len(self._buckets) >= self._max_keys:  # still full: drop the oldest half
            for k in list(self._buckets)[: len(self._buckets) // 2]:
                del self._buckets[k]


# KEYS[1] bucket; ARGV[1] rate (tokens/s); ARGV[2] burst. Returns {allowed, retry_after_s}.
_TOKEN_BUCKET_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
local elapsed = now - ts
if elapsed < 0 then elapsed = 0 end
tokens = math.min(burst, tokens + elapsed * rate)
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) / rate)
  if retry < 1 then retry = 1 end
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'ts', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, retry}
"""


class RedisRateLimiter:
    """Token buckets in Redis (``redis.asyncio``), shared by all gateway replicas.

    When Redis cannot be reached, ``fail_open`` (the default) lets requests through and logs
    a warning: a rate limiter should not be the reason the platform is down. Set it to False
    to refuse instead.
    """

    def __init__(
        self,
        client: Any,
        rate: float,
        burst: int,
        *,
        prefix: str = "gateway:ratelimit:",
        fail_open: bool = True,
    ) -> None:
        _check(rate, burst)
        self.rate = float(rate)
        self.burst = int(burst)
        self.prefix = prefix
        self.fail_open = fail_open
        self._client = client
        self._script = client.register_script(_TOKEN_BUCKET_LUA)

    @classmethod
    def from_url(cls, url: str, rate: float, burst: int, **kwargs: Any) -> RedisRateLimiter:
        """Make the client too (closed by :meth:`aclose`). Connects lazily, on first use."""
        from redis.asyncio import Redis

        client = Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        return cls(client, rate, burst, **kwargs)

    async def hit(self, key: str) -> tuple[bool, int]:
        from redis.exceptions import RedisError

        try:
            allowed, retry_after = await self._script(keys=[self.prefix + key], args=[self.rate, self.burst])
        except (RedisError, OSError) as exc:
            log.warning("rate limiter: Redis unavailable (%s); %s", exc, "allowing" if self.fail_open else "refusing")
            return (True, 0) if self.fail_open else (False, 1)
        return bool(allowed), int(retry_after)

    async def aclose(self) -> None:
        await self._client.aclose()
