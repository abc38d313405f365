"""The reverse proxy: a raw ASGI callable in front of the gateway's own app.

Every public request passes here. One that :mod:`routing` resolves to a service is forwarded
by this module alone (no FastAPI routing, no middleware stack: those cost more than the whole
forward); anything else, websockets and the lifespan go to the inner app (the gateway's own
FastAPI app: sign-in, aggregation, the SPA, its 404 problem+json).

Run it under uvicorn with ``loop="uvloop", http="httptools", access_log=False`` (the proxy
emits no access log of its own either), ``server_header=False`` (keeps ``server: uvicorn`` off
the wire) and ``proxy_headers=False`` (uvicorn would otherwise rewrite the client address from
X-Forwarded-For for loopback peers; the proxy decides that itself with ``trust_forwarded``).
Upstream ``Date`` and ``Server`` headers are dropped because uvicorn adds its own.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .problems import send_problem
from .routing import DEFAULT_ROUTES, Route, RoutingTable
from .types import ASGIApp, RateLimiter, Receive, Scope, Send, Upstream
from .upstream import UpstreamError, UpstreamPool

__all__ = ["ProxyApp", "ProxySettings", "TransportFactory", "lean_transport"]

log = logging.getLogger("gateway.proxy")


@dataclass(frozen=True, slots=True)
class ProxySettings:
    """Knobs of the proxied path; the gateway's Settings fill these in."""

    #: Largest request body forwarded; larger ones get 413 without being read.
    max_body_bytes: int = 1024 * 1024
    #: Connecting to an upstream.
    connect_timeout: float = 1.0
    #: Until the upstream's response head arrives; then, between body chunks.
    timeout: float = 10.0
    #: Take the client address from the first X-Forwarded-For hop (only behind a trusted
    #: load balancer) and keep incoming X-Forwarded-Proto/Host; otherwise use the socket peer.
    trust_forwarded: bool = False
    #: Open connections per upstream; more concurrent requests wait (within ``timeout``).
    max_connections: int = 256
    #: Pooled connections idle longer than this are not reused (keep it under the upstream's
    #: keep-alive timeout: uvicorn's default is 5 s).
    idle_timeout: float = 4.0
    #: Also rate-limit requests that go to the inner app (sign-in, static files).
    rate_limit_inner: bool = False


#: Builds the client for one upstream: ``(service, base_url, label, settings) -> Upstream``.
TransportFactory = Callable[[str, str, str, ProxySettings], Upstream]


def lean_transport(service: str, base_url: str, label: str, settings: ProxySettings) -> Upstream:
    """The default client: :class:`gateway.proxy.upstream.UpstreamPool`."""
    return UpstreamPool(
        service,
        base_url,
        label=label,
        connect_timeout=settings.connect_timeout,
        timeout=settings.timeout,
        max_connections=settings.max_connections,
        idle_timeout=settings.idle_timeout,
    )


# Request headers the proxy consumes or rebuilds instead of copying. Hop-by-hop (RFC 9110 §7.6.1)
# plus Host and Content-Length (set by the client for the upstream), the X-Forwarded-* family and
# X-Request-ID (rebuilt), Expect (the body is read before forwarding).
_REQUEST_CONSUMED = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"te",
        b"trailer",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
        b"host",
        b"content-length",
        b"expect",
        b"x-request-id",
        b"x-forwarded-for",
        b"x-forwarded-proto",
        b"x-forwarded-host",
    }
)
# Response headers not passed back: hop-by-hop, and those uvicorn sets itself (Date, Server)
# or the proxy sets (X-Request-ID). Content-Length passes: uvicorn frames by it.
_RESPONSE_DROPPED = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"te",
        b"trailer",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
        b"date",
        b"server",
        b"x-request-id",
    }
)
_REQUEST_ID = re.compile(rb"[!-~]{1,200}").fullmatch  # visible ASCII, bounded


def _connection_tokens(value: bytes) -> set[bytes]:
    return {token.strip().lower() for token in value.split(b",") if token.strip()}


class ProxyApp:
    """ASGI app: forwards resolved paths to their service, everything else to ``inner``.

    ``upstreams`` maps service name → base URL (``http://host:port``). A service the routing
    table knows but ``upstreams`` does not, or one marked unavailable, is answered 503.
    """

    def __init__(
        self,
        inner: ASGIApp | None,
        upstreams: Mapping[str, str],
        *,
        routes: RoutingTable = DEFAULT_ROUTES,
        settings: ProxySettings | None = None,
        limiter: RateLimiter | None = None,
        labels: Mapping[str, str] | None = None,
        transport_factory: TransportFactory = lean_transport,
    ) -> None:
        self.inner = inner
        self.routes = routes
        self.settings = settings or ProxySettings()
        self.limiter = limiter
        self._upstream_urls = dict(upstreams)
        self._labels = {name: (labels or {}).get(name, f"{name}-api") for name in routes.services | set(upstreams)}
        self._transport_factory = transport_factory
        self._pools: dict[str, Upstream] | None = None
        self._unavailable: dict[str, str] = {}
        self._resolve = routes.resolve
        self._max_body = self.settings.max_body_bytes
        self._trust_forwarded = self.settings.trust_forwarded

    # -- availability --------------------------------------------------------------------------
    def mark_unavailable(self, service: str, reason: str | None = None) -> None:
        """Answer 503 for this service without trying it (maintenance, failed health checks)."""
        self._unavailable[service] = reason or f"{self._label(service)} is temporarily unavailable"

    def mark_available(self, service: str) -> None:
        self._unavailable.pop(service, None)

    def _label(self, service: str) -> str:
        return self._labels.get(service, f"{service}-api")

    # -- lifespan ------------------------------------------------------------------------------
    async def startup(self) -> None:
        if self._pools is not None:
            return
        pools = {
            name: self._transport_factory(name, url, self._label(name), self.settings)
            for name, url in self._upstream_urls.items()
        }
        for pool in pools.values():
            await pool.start()
        self._pools = pools

    async def shutdown(self) -> None:
        pools, self._pools = self._pools, None
        for pool in (pools or {}).values():
            await pool.close()
        close = getattr(self.limiter, "aclose", None)
        if close is not None:
            await close()

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.inner is None:
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await self.startup()
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await self.shutdown()
                    await send({"type": "lifespan.shutdown.complete"})
                    return

        async def receive_wrapped() -> dict:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.startup()  # ours first: the inner app may call through us
            return message

        async def send_wrapped(message: dict) -> None:
            if message["type"] in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
                await self.shutdown()  # after the inner app let go of everything
            await send(message)

        await self.inner(scope, receive_wrapped, send_wrapped)

    # -- ASGI ----------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            raw_path = scope.get("raw_path")
            route = self._resolve(raw_path.decode("latin-1") if raw_path else scope["path"])
            if route is not None:
                await self._proxy(scope, receive, send, route)
                return
            if self.limiter is not None and self.settings.rate_limit_inner:
                request_id = _request_id(scope["headers"])
                if not await self._admit(scope, None, request_id, send):
                    return
        elif kind == "lifespan":
            await self._lifespan(scope, receive, send)
            return
        if self.inner is None:
            if kind == "websocket":
                await send({"type": "websocket.close", "code": 1000})
                return
            await send_problem(
                send,
                404,
                "No such resource.",
                instance=scope.get("path", ""),
                request_id=_request_id(scope.get("headers", ())),
            )
            return
        await self.inner(scope, receive, send)

    async def _admit(self, scope: Scope, forwarded_for: bytes | None, request_id: bytes, send: Send) -> bool:
        assert self.limiter is not None
        if forwarded_for is None and self._trust_forwarded:
            for name, value in scope["headers"]:
                if name == b"x-forwarded-for":
                    forwarded_for = value
                    break
        if self._trust_forwarded and forwarded_for:
            key = forwarded_for.split(b",", 1)[0].strip().decode("latin-1")
        else:
            client = scope.get("client")
            key = client[0] if client else "unknown"
        try:
            allowed, retry_after = await self.limiter.hit(key)
        except Exception:  # a broken limiter must not take the platform down
            log.exception("rate limiter failed; letting the request through")
            return True
        if allowed:
            return True
        wait = max(int(retry_after), 1)
        await send_problem(
            send,
            429,
            f"Too many requests from this client; retry in {wait} s.",
            instance=scope["path"],
            request_id=request_id,
            headers=[(b"retry-after", str(wait).encode())],
        )
        return False

    async def _proxy(self, scope: Scope, receive: Receive, send: Send, route: Route) -> None:
        service, upstream_path = route
        request_id = host = content_length = forwarded_for = forwarded_proto = forwarded_host = None
        connection = None
        chunked = False
        headers: list[tuple[bytes, bytes]] = []
        for name, value in scope["headers"]:
            if name in _REQUEST_CONSUMED:
                if name == b"host":
                    host = value
                elif name == b"x-request-id":
                    request_id = value
                elif name == b"content-length":
                    content_length = value
                elif name == b"transfer-encoding":
                    chunked = True
                elif name == b"x-forwarded-for":
                    forwarded_for = value if forwarded_for is None else forwarded_for + b", " + value
                elif name == b"x-forwarded-proto":
                    forwarded_proto = value
                elif name == b"x-forwarded-host":
                    forwarded_host = value
                elif name == b"connection":
                    connection = value
                continue
            if name[:6] == b"proxy-":
                continue
            headers.append((name, value))
        if request_id is None or _REQUEST_ID(request_id) is None:
            request_id = _new_request_id()

        if self.limiter is not None and not await self._admit(scope, forwarded_for or b"", request_id, send):
            return

        if connection is not None:
            named = _connection_tokens(connection)
            headers = [(n, v) for n, v in headers if n not in named]

        client = scope.get("client")
        peer = client[0].encode() if client else b"unknown"
        if self._trust_forwarded:
            headers.append((b"x-forwarded-for", forwarded_for + b", " + peer if forwarded_for else peer))
            headers.append((b"x-forwarded-proto", forwarded_proto or scope["scheme"].encode()))
            forwarded_host = forwarded_host or host
        else:
            headers.append((b"x-forwarded-for", peer))
            headers.append((b"x-forwarded-proto", scope["scheme"].encode()))
            forwarded_host = host
        if forwarded_host:
            headers.append((b"x-forwarded-host", forwarded_host))
        headers.append((b"x-request-id", request_id))

        reason = self._unavailable.get(service)
        if reason is not None:
            await send_problem(send, 503, reason, instance=scope["path"], request_id=request_id)
            return
        pools = self._pools
        if pools is None:  # lifespan not run (lifespan="off", or a test transport)
            await self.startup()
            pools = self._pools
            assert pools is not None
        upstream = pools.get(service)
        if upstream is None:
            await send_problem(
                send,
                503,
                f"{self._label(service)} is not configured on this gateway",
                instance=scope["path"],
                request_id=request_id,
            )
            return

        body = b""
        if content_length is not None or chunked:
            read = await self._read_body(scope, receive, send, content_length, request_id)
            if read is None:
                return
            body = read

        target = upstream_path.encode("latin-1")
        query = scope["query_string"]
        if query:
            target += b"?" + query
        method = scope["method"].encode("ascii")

        try:
            response = await upstream.request(method, target, headers, body)
        except UpstreamError as exc:
            log.warning(
                "%s %s → %s: %s",
                scope["method"],
                scope["path"],
                service,
                exc.detail,
                extra={"request_id": request_id.decode("ascii"), "upstream": service},
            )
            await send_problem(send, exc.status, exc.detail, instance=scope["path"], request_id=request_id)
            return
        await self._relay(scope, receive, send, response, request_id, service)

    async def _read_body(
        self, scope: Scope, receive: Receive, send: Send, content_length: bytes | None, request_id: bytes
    ) -> bytes | None:
        limit = self._max_body
        if content_length is not None and int(content_length) > limit:
            await self._too_large(scope, send, request_id)
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # http.disconnect: nobody to answer
                return None
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > limit:
                    await self._too_large(scope, send, request_id)
                    return None
                chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def _too_large(self, scope: Scope, send: Send, request_id: bytes) -> None:
        await send_problem(
            send,
            413,
            f"The request body is larger than {self._max_body} bytes.",
            instance=scope["path"],
            request_id=request_id,
            headers=[(b"connection", b"close")],  # do not read the rest of it
        )

    async def _relay(
        self, scope: Scope, receive: Receive, send: Send, response, request_id: bytes, service: str
    ) -> None:
        headers: list[tuple[bytes, bytes]] = []
        connection = None
        for name, value in response.headers:
            if name in _RESPONSE_DROPPED:
                if name == b"connection":
                    connection = value
                continue
            if name[:6] == b"proxy-":
                continue
            headers.append((name, value))
        if connection is not None:
            named = _connection_tokens(connection)
            headers = [(n, v) for n, v in headers if n not in named]
        headers.append((b"x-request-id", request_id))

        started = False
        watcher = None
        try:
            body = await response.read()
            await send({"type": "http.response.start", "status": response.status, "headers": headers})
            started = True
            if response.done:
                await send({"type": "http.response.body", "body": body})
                return
            # A streamed body: stop pulling from the upstream if the client goes away.
            watcher = _watch_disconnect(receive, response.close)
            while True:
                if body:
                    await send({"type": "http.response.body", "body": body, "more_body": True})
                body = await response.read()
                if response.done:
                    await send({"type": "http.response.body", "body": body})
                    return
        except UpstreamError as exc:
            if watcher is not None and watcher.done():
                return  # the client left; we closed the upstream exchange ourselves
            log.warning(
                "%s %s → %s: %s",
                scope["method"],
                scope["path"],
                service,
                exc.detail,
                extra={"request_id": request_id.decode("ascii"), "upstream": service},
            )
            if not started:
                await send_problem(send, exc.status, exc.detail, instance=scope["path"], request_id=request_id)
            # Otherwise the status line is gone: returning without finishing the body makes the
            # server close the connection, so the client sees a truncated response, not a short one.
        finally:
            response.close()
            if watcher is not None and not watcher.done():
                watcher.cancel()


def _watch_disconnect(receive: Receive, on_disconnect: Callable[[], None]) -> asyncio.Future[None]:
    async def watch() -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                on_disconnect()
                return

    return asyncio.ensure_future(watch())


def _new_request_id(urandom: Callable[[int], bytes] = os.urandom) -> bytes:
    """``uuid.uuid4().hex`` as bytes, at half the cost (version 4, RFC 4122 variant)."""
    return b"%032x" % (int.from_bytes(urandom(16), "big") & _UUID4_CLEAR | _UUID4_SET)


_UUID4_CLEAR = 0xFFFFFFFFFFFF0FFF3FFFFFFFFFFFFFFF
_UUID4_SET = 0x00000000000040008000000000000000


def _request_id(headers: Iterable[tuple[bytes, bytes]]) -> bytes:
    for name, value in headers:
        if name == b"x-request-id" and _REQUEST_ID(value) is not None:
            return value
    return _new_request_id()
