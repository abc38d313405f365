"""The reverse proxy: a middleware of the gateway's app that forwards what a service owns.

A request whose path :mod:`routing` resolves to a service is rate-limited and forwarded here with
aiohttp's client (one ``ClientSession`` per service, made in the lifespan by :class:`Upstreams`);
anything else (sign-in, the SPA, the docs, the gateway's 404) goes on to the gateway's own routes.
The forward bypasses FastAPI's routing on purpose: the proxied path is the gateway's hot path.

- Hop-by-hop headers are dropped both ways (RFC 9110 §7.6.1, and any a ``Connection`` header
  names), Host and Content-Length are set for the upstream.
- ``X-Forwarded-For/Proto/Host`` describe the client; incoming ones are kept (and extended) only
  with ``trust_forwarded`` (behind a trusted load balancer).
- ``X-Request-ID`` travels upstream and back: the client's when it is usable, a new one otherwise.
- Request bodies are read whole (up to ``max_body_bytes``, else 413) and sent with a length;
  response bodies stream through as they arrive, and stop when the client goes away.
- Failures are problem+json: 502 (refused, hung up, not HTTP), 503 with ``Retry-After`` (a
  service marked unavailable, not configured, or whose routes are not read yet), 504 (timeouts).

Serve it under uvicorn with ``proxy_headers=False`` (the proxy decides about X-Forwarded-For
itself with ``trust_forwarded``) and ``server_header=False``. Upstream ``Date`` and ``Server``
headers are dropped because uvicorn adds its own.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import aiohttp
from yarl import URL

from .discovery import ServiceRoutes
from .problems import send_problem
from .types import ASGIApp, RateLimiter, Receive, Scope, Send

__all__ = ["Proxy", "ProxySettings", "UpstreamError", "Upstreams"]

log = logging.getLogger("gateway.proxy")

#: Seconds a client is told to wait when a service is unavailable.
RETRY_AFTER_S = 5


@dataclass(frozen=True, slots=True)
class ProxySettings:
    """Knobs of the proxied path; the gateway's Settings fill these in."""

    #: Largest request body forwarded; larger ones get 413 without being read.
    max_body_bytes: int = 1024 * 1024
    #: Connecting to an upstream.
    connect_timeout: float = 1.0
    #: Until the upstream's response head arrives (waiting for a pooled connection included);
    #: then, between body chunks.
    timeout: float = 10.0
    #: Take the client address from the first X-Forwarded-For hop (only behind a trusted
    #: load balancer) and keep incoming X-Forwarded-Proto/Host; otherwise use the socket peer.
    trust_forwarded: bool = False
    #: Open connections per upstream; more concurrent requests wait (within ``timeout``).
    max_connections: int = 256
    #: Pooled connections idle longer than this are closed (keep it under the upstream's
    #: keep-alive timeout: uvicorn's default is 5 s).
    idle_timeout: float = 4.0
    #: Also rate-limit requests that go to the gateway's own routes (sign-in, static files).
    rate_limit_own: bool = False


class UpstreamError(Exception):
    """The exchange with a service failed; ``detail`` is safe to show to the client."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class Upstreams:
    """One aiohttp ``ClientSession`` per service: keep-alive pool, timeouts, nothing automatic.

    The sessions send what the proxy gives them and nothing else (no User-Agent, Accept,
    Accept-Encoding or Content-Type of their own, no cookies, no redirects, no decompression).
    Make them in the lifespan (:meth:`start`) and close them in it (:meth:`close`).
    """

    def __init__(
        self,
        urls: Mapping[str, str],
        settings: ProxySettings,
        labels: Mapping[str, str] | None = None,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
    ) -> None:
        self.settings = settings
        self._trace_configs = list(trace_configs)  # tracing: the trace goes upstream in traceparent
        self._urls = {name: url.rstrip("/") for name, url in urls.items()}
        self._labels = dict(labels or {})
        self._sessions: dict[str, aiohttp.ClientSession] = {}
        self.unavailable: dict[str, str] = {}

    def label(self, service: str) -> str:
        return self._labels.get(service, f"{service}-api")

    @property
    def started(self) -> bool:
        return bool(self._sessions) or not self._urls

    async def start(self) -> None:
        if self.started:
            return
        s = self.settings
        for name in self._urls:
            self._sessions[name] = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=s.max_connections, limit_per_host=0, keepalive_timeout=s.idle_timeout, ttl_dns_cache=300
                ),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=s.connect_timeout, sock_read=s.timeout),
                auto_decompress=False,
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
                trace_configs=self._trace_configs or None,
            )

    async def close(self) -> None:
        sessions, self._sessions = self._sessions, {}
        for session in sessions.values():
            await session.close()

    def mark_unavailable(self, service: str, reason: str | None = None) -> None:
        """Answer 503 for this service without trying it (maintenance, failed health checks)."""
        self.unavailable[service] = reason or f"{self.label(service)} is temporarily unavailable"

    def mark_available(self, service: str) -> None:
        self.unavailable.pop(service, None)

    def configured(self, service: str) -> bool:
        return service in self._urls

    async def request(
        self, service: str, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes
    ) -> aiohttp.ClientResponse:
        """Send one request; return once the response head has arrived. Raises UpstreamError."""
        session = self._sessions[service]
        label = self.label(service)
        timeout = self.settings.timeout
        try:
            async with asyncio.timeout(timeout):
                return await session.request(
                    method,
                    URL(self._urls[service] + target, encoded=True),
                    headers=headers,
                    data=body if body or method in ("POST", "PUT", "PATCH") else None,
                    allow_redirects=False,
                )
        except aiohttp.ConnectionTimeoutError:
            raise UpstreamError(
                504, f"{label} did not accept a connection within {self.settings.connect_timeout:g} s"
            ) from None
        except TimeoutError:
            raise UpstreamError(504, f"{label} did not answer within {timeout:g} s") from None
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, ConnectionRefusedError):
                raise UpstreamError(502, f"{label} refused the connection") from None
            raise UpstreamError(502, f"{label} could not be reached ({exc.os_error.strerror or exc})") from None
        except aiohttp.ServerDisconnectedError:
            raise UpstreamError(502, f"{label} closed the connection before answering") from None
        except aiohttp.ClientResponseError:
            raise UpstreamError(502, f"{label} sent a malformed response") from None
        except aiohttp.ClientError as exc:
            raise UpstreamError(502, f"{label} connection failed: {type(exc).__name__}") from None


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


def _text(value: bytes) -> str:
    """A header value for aiohttp, which writes str values as UTF-8: the client's bytes, unchanged."""
    try:
        return value.decode()
    except UnicodeDecodeError:
        return value.decode("latin-1")  # not UTF-8: re-encoded, the best a str-only client can do


class Proxy:
    """ASGI middleware: forwards what ``routes`` resolves to its service, the rest to ``app``.

    ``limiter`` counts every forwarded request per client (and, with ``rate_limit_own``, every
    request to ``app`` as well).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: ServiceRoutes,
        upstreams: Upstreams,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.app = app
        self.routes = routes
        self.upstreams = upstreams
        self.limiter = limiter
        self.settings = upstreams.settings
        self._max_body = self.settings.max_body_bytes
        self._trust_forwarded = self.settings.trust_forwarded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw_path = scope.get("raw_path")
            path = raw_path.decode("latin-1") if raw_path else scope["path"]
            route = self.routes.resolve(path)
            if route is not None:
                await self._proxy(scope, receive, send, route.service, route.path)
                return
            if self.routes.waits_for(scope["path"]):
                request_id = _request_id(scope["headers"])
                if self.limiter is None or await self._admit(scope, None, request_id, send):
                    waiting = ", ".join(self.upstreams.label(name) for name in sorted(self.routes.missing))
                    await self._unavailable(
                        scope, send, request_id, f"The platform is starting: no answer yet from {waiting}."
                    )
                return
            if self.limiter is not None and self.settings.rate_limit_own:
                if not await self._admit(scope, None, _request_id(scope["headers"]), send):
                    return
        await self.app(scope, receive, send)

    async def _unavailable(self, scope: Scope, send: Send, request_id: bytes, detail: str) -> None:
        await send_problem(
            send,
            503,
            detail,
            instance=scope["path"],
            request_id=request_id,
            headers=[(b"retry-after", str(RETRY_AFTER_S).encode())],
        )

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

    async def _proxy(self, scope: Scope, receive: Receive, send: Send, service: str, upstream_path: str) -> None:
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

        upstreams = self.upstreams
        reason = upstreams.unavailable.get(service)
        if reason is not None:
            await self._unavailable(scope, send, request_id, reason)
            return
        if not upstreams.configured(service):
            await self._unavailable(
                scope, send, request_id, f"{upstreams.label(service)} is not configured on this gateway"
            )
            return
        if not upstreams.started:  # no lifespan ran (lifespan="off", or a test transport)
            await upstreams.start()

        body = b""
        if content_length is not None or chunked:
            read = await self._read_body(scope, receive, send, content_length, request_id)
            if read is None:
                return
            body = read

        target = upstream_path
        query = scope["query_string"]
        if query:
            target += "?" + query.decode("latin-1")

        try:
            response = await upstreams.request(
                service, scope["method"], target, [(n.decode("latin-1"), _text(v)) for n, v in headers], body
            )
        except UpstreamError as exc:
            self._log_failure(scope, service, exc, request_id)
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
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        response: aiohttp.ClientResponse,
        request_id: bytes,
        service: str,
    ) -> None:
        headers: list[tuple[bytes, bytes]] = []
        connection = None
        for raw_name, value in response.raw_headers:
            name = raw_name.lower()
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

        content = response.content
        started = False
        watcher = None
        try:
            body = await content.readany()
            await send({"type": "http.response.start", "status": response.status, "headers": headers})
            started = True
            if content.at_eof():
                await send({"type": "http.response.body", "body": body})
                return
            # A streamed body: stop pulling from the upstream if the client goes away.
            watcher = _watch_disconnect(receive, response.close)
            while True:
                if body:
                    await send({"type": "http.response.body", "body": body, "more_body": True})
                body = await content.readany()
                if content.at_eof():
                    await send({"type": "http.response.body", "body": body})
                    return
        except (aiohttp.ClientError, TimeoutError) as exc:
            if watcher is not None and watcher.done():
                return  # the client left; we closed the upstream exchange ourselves
            label = self.upstreams.label(service)
            if isinstance(exc, TimeoutError):
                failure = UpstreamError(504, f"{label} stopped sending within {self.settings.timeout:g} s")
            else:
                failure = UpstreamError(502, f"{label} closed the connection before the response was complete")
            self._log_failure(scope, service, failure, request_id)
            if not started:
                await send_problem(send, failure.status, failure.detail, instance=scope["path"], request_id=request_id)
            # Otherwise the status line is gone: returning without finishing the body makes the
            # server close the connection, so the client sees a truncated response, not a short one.
        finally:
            response.release()
            if watcher is not None and not watcher.done():
                watcher.cancel()

    @staticmethod
    def _log_failure(scope: Scope, service: str, exc: UpstreamError, request_id: bytes) -> None:
        log.warning(
            "%s %s → %s: %s",
            scope["method"],
            scope["path"],
            service,
            exc.detail,
            extra={"request_id": request_id.decode("ascii"), "upstream": service},
        )


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
