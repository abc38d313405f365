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
- A service may have several replicas (:mod:`.balancer`): round-robin, a failing one taken out
  for a while; a request that never reached its replica is sent once to another when repeating
  it is safe (idempotent methods, POST/PATCH with an ``Idempotency-Key``).
- Failures are problem+json: 502 (refused, hung up, not HTTP), 503 with ``Retry-After`` (a
  service marked unavailable, not configured, or whose routes are not read yet), 504 (timeouts).
- Every proxied request gets an access log line and is counted (:mod:`.metrics`).

Serve it under uvicorn with ``proxy_headers=False`` (the proxy decides about X-Forwarded-For
itself with ``trust_forwarded``) and ``server_header=False``. Upstream ``Date`` and ``Server``
headers are dropped because uvicorn adds its own.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import aiohttp
from yarl import URL

from .balancer import BaseURLs, Replica, Replicas, replica_urls
from .discovery import ServiceRoutes
from .metrics import NO_UPSTREAM, ProxyMetrics, access_log
from .problems import send_problem
from .types import ASGIApp, RateLimiter, Receive, Scope, Send

__all__ = ["Answer", "Proxy", "ProxySettings", "UpstreamError", "Upstreams"]

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
    #: A replica that refused or dropped a connection is left alone this long, twice as long after
    #: each further failure in a row, at most ``out_max_s`` (see :mod:`.balancer`).
    out_base_s: float = 1.0
    out_max_s: float = 30.0


class UpstreamError(Exception):
    """The exchange with a service failed; ``detail`` is safe to show to the client.

    ``unsent``: the request never reached the upstream (no connection was made), so sending it to
    another replica cannot make it happen twice. ``replica`` is the one tried last (if any).
    """

    def __init__(
        self, status: int, detail: str, *, unsent: bool = False, replica: Replica | None = None, tries: int = 1
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.unsent = unsent
        self.replica = replica
        self.tries = tries


class Answer(NamedTuple):
    """An upstream's response head, the replica that gave it, and how many were tried."""

    response: aiohttp.ClientResponse
    replica: Replica
    tries: int


class Upstreams:
    """Each service's replicas, and one aiohttp ``ClientSession`` per service.

    The sessions keep a keep-alive pool per replica, apply the timeouts, and send what the proxy
    gives them and nothing else (no User-Agent, Accept, Accept-Encoding or Content-Type of their
    own, no cookies, no redirects, no decompression). Make them in the lifespan (:meth:`start`)
    and close them in it (:meth:`close`). ``trace_configs`` are handed to every session (aiohttp's
    request tracing hooks).

    ``urls`` gives each service one base URL, several separated by commas, or a sequence of them:
    :mod:`.balancer` spreads the requests and takes failing replicas out.
    """

    def __init__(
        self,
        urls: Mapping[str, str | Sequence[str]],
        settings: ProxySettings,
        labels: Mapping[str, str] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
    ) -> None:
        self.settings = settings
        self.replicas = {
            name: Replicas(
                replica_urls(value), out_base_s=settings.out_base_s, out_max_s=settings.out_max_s, clock=clock
            )
            for name, value in urls.items()
        }
        #: ``service → base URL`` of a replica in service, for the gateway's own calls.
        self.base_urls = BaseURLs(self.replicas)
        self._labels = dict(labels or {})
        self._trace_configs = tuple(trace_configs)
        self._sessions: dict[str, aiohttp.ClientSession] = {}
        self.unavailable: dict[str, str] = {}

    def label(self, service: str) -> str:
        return self._labels.get(service, f"{service}-api")

    @property
    def started(self) -> bool:
        return bool(self._sessions) or not self.replicas

    async def start(self) -> None:
        if self.started:
            return
        for name, replicas in self.replicas.items():
            self._sessions[name] = self._session(len(replicas))

    def _session(self, replicas: int) -> aiohttp.ClientSession:
        s = self.settings
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=s.max_connections * replicas,
                limit_per_host=s.max_connections,
                keepalive_timeout=s.idle_timeout,
                ttl_dns_cache=300,
            ),
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=s.connect_timeout, sock_read=s.timeout),
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            trace_configs=list(self._trace_configs) or None,
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
        return service in self.replicas

    async def request(
        self,
        service: str,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]],
        body: bytes,
        *,
        retry: bool = False,
    ) -> Answer:
        """Send one request; return once the response head has arrived. Raises UpstreamError.

        With ``retry``, a request that never reached its replica (refused, unreachable, no
        connection within the connect timeout) is sent once more, to another replica. Nothing is
        sent again once a replica may have received it (a timeout waiting for the answer, a
        connection dropped after sending).
        """
        replicas = self.replicas[service]
        replica = replicas.pick()
        assert replica is not None  # a service has at least one replica
        try:
            return Answer(await self._send(service, replica, method, target, headers, body), replica, 1)
        except UpstreamError as exc:
            if not (retry and exc.unsent):
                raise
            other = replicas.pick(exclude=replica)
            if other is None:
                raise
        try:
            return Answer(await self._send(service, other, method, target, headers, body), other, 2)
        except UpstreamError as exc:
            exc.tries = 2
            raise

    async def _send(
        self,
        service: str,
        replica: Replica,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]],
        body: bytes,
    ) -> aiohttp.ClientResponse:
        session = self._sessions[service]
        timeout = self.settings.timeout
        try:
            async with asyncio.timeout(timeout):
                response = await session.request(
                    method,
                    URL(replica.url + target, encoded=True),
                    headers=headers,
                    data=body if body or method in ("POST", "PUT", "PATCH") else None,
                    allow_redirects=False,
                )
        except Exception as exc:
            failure = self._failure(service, exc)
            failure.replica = replica
            if failure.unsent or isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
                self.replicas[service].failed(replica)
            raise failure from None
        if replica.failures:
            self.replicas[service].answered(replica)
        return response

    def _failure(self, service: str, exc: Exception) -> UpstreamError:
        """The problem a failed exchange is answered with (re-raises what is not a failure)."""
        label = self.label(service)
        if isinstance(exc, aiohttp.ConnectionTimeoutError):
            return UpstreamError(
                504, f"{label} did not accept a connection within {self.settings.connect_timeout:g} s", unsent=True
            )
        if isinstance(exc, TimeoutError):
            return UpstreamError(504, f"{label} did not answer within {self.settings.timeout:g} s")
        if isinstance(exc, aiohttp.ClientConnectorError):
            if isinstance(exc.os_error, ConnectionRefusedError):
                return UpstreamError(502, f"{label} refused the connection", unsent=True)
            return UpstreamError(502, f"{label} could not be reached ({exc.os_error.strerror or exc})", unsent=True)
        if isinstance(exc, aiohttp.ServerDisconnectedError):
            return UpstreamError(502, f"{label} closed the connection before answering")
        if isinstance(exc, aiohttp.ClientResponseError):
            return UpstreamError(502, f"{label} sent a malformed response")
        if isinstance(exc, aiohttp.ClientError):
            return UpstreamError(502, f"{label} connection failed: {type(exc).__name__}")
        raise exc


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
        metrics: ProxyMetrics | None = None,
    ) -> None:
        self.app = app
        self.routes = routes
        self.upstreams = upstreams
        self.limiter = limiter
        self.metrics = metrics
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

    def _client(self, scope: Scope, forwarded_for: bytes | None) -> str:
        """The client's address: the first X-Forwarded-For hop with ``trust_forwarded``, else the peer."""
        if forwarded_for is None and self._trust_forwarded:
            for name, value in scope["headers"]:
                if name == b"x-forwarded-for":
                    forwarded_for = value
                    break
        if self._trust_forwarded and forwarded_for:
            return forwarded_for.split(b",", 1)[0].strip().decode("latin-1")
        client = scope.get("client")
        return client[0] if client else "unknown"

    async def _admit(
        self, scope: Scope, forwarded_for: bytes | None, request_id: bytes, send: Send, key: str | None = None
    ) -> bool:
        assert self.limiter is not None
        if key is None:
            key = self._client(scope, forwarded_for)
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
        started = time.perf_counter()
        outcome = _Outcome()
        try:
            await self._forward(scope, receive, send, service, upstream_path, outcome)
        finally:
            self._record(scope, service, outcome, time.perf_counter() - started)

    def _record(self, scope: Scope, service: str, outcome: _Outcome, seconds: float) -> None:
        """The access log line and the metrics of one proxied request."""
        replica = outcome.replica
        upstream = replica.url if replica is not None else NO_UPSTREAM
        if self.metrics is not None:
            self.metrics.observe(service, scope["method"], outcome.status, upstream, seconds, outcome.tries)
        if not access_log.isEnabledFor(logging.INFO):  # do not build the line for nothing
            return
        access_log.info(
            "proxied",
            extra={
                "method": scope["method"],
                "path": scope["path"],  # never the query string: it may carry a token or personal data
                "status": outcome.status,
                "upstream_service": service,
                "upstream": upstream,
                "tries": outcome.tries,
                "duration_ms": round(seconds * 1000, 2),
                "request_id": outcome.request_id,
                "client": outcome.client,
            },
        )

    async def _forward(
        self, scope: Scope, receive: Receive, send: Send, service: str, upstream_path: str, outcome: _Outcome
    ) -> None:
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
        outcome.request_id = request_id.decode("latin-1")
        outcome.client = client_key = self._client(scope, forwarded_for or b"")

        if self.limiter is not None and not await self._admit(scope, None, request_id, send, client_key):
            outcome.status = 429
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
            outcome.status = 503
            await self._unavailable(scope, send, request_id, reason)
            return
        if not upstreams.configured(service):
            outcome.status = 503
            await self._unavailable(
                scope, send, request_id, f"{upstreams.label(service)} is not configured on this gateway"
            )
            return
        if not upstreams.started:  # no lifespan ran (lifespan="off", or a test transport)
            await upstreams.start()

        body = b""
        if content_length is not None or chunked:
            read = await self._read_body(scope, receive, send, content_length, request_id, outcome)
            if read is None:
                return
            body = read

        target = upstream_path
        query = scope["query_string"]
        if query:
            target += "?" + query.decode("latin-1")

        method = scope["method"]
        retry = method in _IDEMPOTENT or (method in _KEYED and any(name == b"idempotency-key" for name, _ in headers))
        try:
            answer = await upstreams.request(
                service, method, target, [(n.decode("latin-1"), _text(v)) for n, v in headers], body, retry=retry
            )
        except UpstreamError as exc:
            outcome.status, outcome.replica, outcome.tries = exc.status, exc.replica, exc.tries
            self._log_failure(scope, service, exc, request_id)
            await send_problem(send, exc.status, exc.detail, instance=scope["path"], request_id=request_id)
            return
        outcome.replica, outcome.tries = answer.replica, answer.tries
        await self._relay(scope, receive, send, answer.response, request_id, service, outcome)

    async def _read_body(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        content_length: bytes | None,
        request_id: bytes,
        outcome: _Outcome,
    ) -> bytes | None:
        limit = self._max_body
        if content_length is not None and int(content_length) > limit:
            outcome.status = 413
            await self._too_large(scope, send, request_id)
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # http.disconnect: nobody to answer
                outcome.status = CLIENT_CLOSED
                return None
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > limit:
                    outcome.status = 413
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
        outcome: _Outcome,
    ) -> None:
        outcome.status = response.status
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
                outcome.status = failure.status
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
            extra={
                "request_id": request_id.decode("latin-1"),
                "upstream_service": service,
                "upstream": exc.replica.url if exc.replica is not None else NO_UPSTREAM,
            },
        )


#: Methods sent again to another replica when the first could not be connected to; POST and PATCH
#: only with an Idempotency-Key (the service answers a repeat with the first answer).
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_KEYED = frozenset({"POST", "PATCH"})
#: The status logged for a request whose client left before it was answered (nginx's 499).
CLIENT_CLOSED = 499


class _Outcome:
    """What the access log and the metrics say about one proxied request."""

    __slots__ = ("client", "replica", "request_id", "status", "tries")

    def __init__(self) -> None:
        self.status = 500
        self.replica: Replica | None = None
        self.tries = 0
        self.request_id = ""
        self.client = ""


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
