"""ASGI types and the rate limiter hook shared by the proxy, the edge and the security headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Protocol

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class RateLimiter(Protocol):
    """``hit(key)`` counts one request for ``key``: ``(allowed, retry_after_seconds)``."""

    async def hit(self, key: str) -> tuple[bool, int]: ...
