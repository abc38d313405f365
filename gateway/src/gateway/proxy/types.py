"""ASGI and transport types shared by the proxy modules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any, Protocol

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class UpstreamResponseLike(Protocol):
    """What the proxy needs from a response: see :class:`gateway.proxy.upstream.UpstreamResponse`."""

    status: int
    headers: list[tuple[bytes, bytes]]  # lower-cased names, as received

    @property
    def done(self) -> bool: ...

    async def read(self) -> bytes: ...

    def close(self) -> None: ...


class Upstream(Protocol):
    """A client for one upstream service: see :class:`gateway.proxy.upstream.UpstreamPool`.

    ``request`` raises :class:`gateway.proxy.upstream.UpstreamError` subclasses for every
    network or protocol failure (the proxy maps them to 502/504).
    """

    name: str
    label: str

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def request(
        self,
        method: bytes,
        target: bytes,
        headers: Sequence[tuple[bytes, bytes]],
        body: bytes = b"",
    ) -> UpstreamResponseLike: ...


class RateLimiter(Protocol):
    """``hit(key)`` counts one request for ``key``: ``(allowed, retry_after_seconds)``."""

    async def hit(self, key: str) -> tuple[bool, int]: ...
