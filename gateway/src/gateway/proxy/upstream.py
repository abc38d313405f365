"""A small HTTP/1.1 keep-alive client for talking to our own services.

Why not httpx or aiohttp: on the gateway's hot path every microsecond is paid by every request.
Measured behind the same ASGI front (see ``bench/README.md``), forwarding through httpx reached
about a tenth of direct throughput, and aiohttp's client spent 1.6 to 2.6 times the gateway CPU per
request that this client does. This client is an ``asyncio.Protocol`` per connection with httptools
(llhttp) parsing the responses, and it does only what a reverse proxy needs:

- one write per request (head and body joined), no header objects, no cookie jar, no redirects,
  no decompression: headers stay ``(bytes, bytes)`` pairs from the socket to the ASGI server;
- a LIFO pool of idle keep-alive connections per upstream, released the moment the response is
  complete (inside ``data_received``), bounded by ``max_connections`` with FIFO waiters;
- one timer per exchange (``loop.call_at``), not ``asyncio.wait_for``/``asyncio.timeout``.

Semantics a proxy needs, and which are tested: connect timeout; a total deadline for the response
head (pool wait, connect, send, upstream think time) that turns into an inactivity timeout while the
body streams; back-pressure (the socket stops being read while too much body is buffered); a
connection that was idle in the pool and turns out to be closed by the upstream is retried once on a
fresh connection for idempotent methods; responses to HEAD and anything not cleanly framed are never
reused.

Only ``http://`` (and ``https://``) origins; no proxies, no HTTP/2: this is for the services behind
the gateway, not the internet.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import ssl as _ssl
from collections.abc import Sequence
from urllib.parse import urlsplit

import httptools

__all__ = [
    "UpstreamConnectError",
    "UpstreamError",
    "UpstreamPool",
    "UpstreamProtocolError",
    "UpstreamResponse",
    "UpstreamTimeout",
]

log = logging.getLogger("gateway.proxy.upstream")

_IDEMPOTENT = frozenset({b"GET", b"HEAD", b"OPTIONS", b"PUT", b"DELETE", b"TRACE"})
_BODY_METHODS = frozenset({b"POST", b"PUT", b"PATCH"})
#: Stop reading the upstream socket while more than this much body waits for the client.
HIGH_WATER = 256 * 1024


class UpstreamError(Exception):
    """The upstream exchange failed. ``detail`` is safe to show to the client."""

    status = 502

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UpstreamConnectError(UpstreamError):
    """No connection could be made (refused, unreachable, name not resolved)."""


class UpstreamProtocolError(UpstreamError):
    """The upstream closed the connection early or sent something that is not HTTP/1.1."""


class UpstreamTimeout(UpstreamError):
    """The upstream did not answer (or accept a connection) in time."""

    status = 504


class _Stale(Exception):
    """A pooled connection turned out to be closed before any byte of the response arrived."""


def _fmt_seconds(value: float) -> str:
    return f"{value:g} s"


class UpstreamResponse:
    """The response of one exchange: status and headers at once, the body as it arrives.

    ``headers`` are ``(name, value)`` byte pairs with lower-cased names, as received (hop-by-hop
    headers included: filtering is the proxy's business). Call :meth:`read` until :attr:`done`;
    always call :meth:`close` (it is a no-op after a complete response, and aborts the connection
    otherwise so it is never reused in an unknown state).
    """

    __slots__ = (
        "_chunks",
        "_complete",
        "_conn",
        "_exc",
        "_head",
        "_paused",
        "_size",
        "_waiter",
        "headers",
        "status",
    )

    def __init__(self, conn: _Connection, head: asyncio.Future[None]) -> None:
        self._conn: _Connection | None = conn
        self._head = head
        self._chunks: list[bytes] = []
        self._size = 0
        self._complete = False
        self._exc: UpstreamError | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []

    @property
    def done(self) -> bool:
        """The whole body has been received and handed out."""
        return self._complete and not self._chunks

    async def read(self) -> bytes:
        """All body bytes received so far (waiting for some if none), or b"" at the end."""
        if not self._chunks:
            if self._complete:
                return b""
            if self._exc is not None:
                raise self._exc
            conn = self._conn
            assert conn is not None
            self._waiter = waiter = conn.loop.create_future()
            if self._paused:
                self._paused = False
                conn.resume()
            await waiter
            if not self._chunks:
                if self._exc is not None:
                    raise self._exc
                return b""
        chunks = self._chunks
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        chunks.clear()
        self._size = 0
        if self._paused:
            self._paused = False
            if self._conn is not None:
                self._conn.resume()
        return data

    def close(self) -> None:
        """Give up on the rest of the body (if any): the connection is dropped, never reused."""
        conn = self._conn
        if conn is not None and not self._complete:
            self._fail(UpstreamProtocolError("the exchange was abandoned"))
            conn.abort()

    # Called by the connection (inside data_received / connection_lost / the timer).
    def _feed(self, data: bytes) -> None:
        self._chunks.append(data)
        self._size += len(data)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)
        if self._size > HIGH_WATER and not self._paused and self._conn is not None:
            self._paused = True
            self._conn.pause()

    def _finish(self) -> None:
        self._complete = True
        if self._paused and self._conn is not None:
            # The last chunks arrived above the high-water mark: the connection goes back to the pool,
            # and must not go back paused (the next exchange on it would never hear its answer).
            self._paused = False
            self._conn.resume()
        self._conn = None
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def _fail(self, exc: UpstreamError) -> None:
        self._exc = exc
        self._conn = None
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)


class _Connection(asyncio.Protocol):
    """One keep-alive TCP connection to an upstream; one exchange at a time."""

    __slots__ = (
        "_body_seen",
        "_close_delimited",
        "_head_only",
        "_keep",
        "_last_activity",
        "_timer",
        "closed",
        "head",
        "idle_since",
        "loop",
        "parser",
        "pool",
        "response",
        "reused",
        "transport",
    )

    def __init__(self, pool: UpstreamPool, loop: asyncio.AbstractEventLoop) -> None:
        self.pool = pool
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.response: UpstreamResponse | None = None
        self.head: asyncio.Future[None] | None = None
        self.closed = False
        self.reused = False
        self.idle_since = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._last_activity = 0.0
        self._head_only = False
        self._body_seen = False
        self._close_delimited = False
        self._keep = True

    # -- exchange ----------------------------------------------------------------------------
    def send(self, request: bytes, response: UpstreamResponse, deadline: float, head_only: bool) -> None:
        self.response = response
        self.head = response._head
        self._head_only = head_only
        self._body_seen = False
        self._close_delimited = False
        self._keep = True
        self._timer = self.loop.call_at(deadline, self._on_timeout)
        assert self.transport is not None
        self.transport.write(request)

    def _on_timeout(self) -> None:
        self._timer = None
        response = self.response
        if response is None:
            return
        head = self.head
        timeout = self.pool.timeout
        if head is None or head.done():
            # Body phase: an inactivity timeout, re-armed lazily from the last chunk's time.
            remaining = self._last_activity + timeout - self.loop.time()
            if remaining > 0.001:
                self._timer = self.loop.call_later(remaining, self._on_timeout)
                return
            self._fail(UpstreamTimeout(f"{self.pool.label} stopped sending within {_fmt_seconds(timeout)}"))
        else:
            self._fail(UpstreamTimeout(f"{self.pool.label} did not answer within {_fmt_seconds(timeout)}"))

    def _fail(self, exc: Exception) -> None:
        response, head = self.response, self.head
        self.response = None
        self.head = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if head is not None and not head.done():
            head.set_exception(exc)
        elif response is not None:
            response._fail(exc if isinstance(exc, UpstreamError) else self._early_close())
        self.abort()

    def _early_close(self) -> UpstreamError:
        return UpstreamProtocolError(f"{self.pool.label} closed the connection before the response was complete")

    def abort(self) -> None:
        """Drop the connection now (never reused); safe to call more than once."""
        self.response = None
        self.head = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self.closed:
            self.closed = True
            if self.transport is not None:
                self.transport.abort()
            self.pool._forget(self)

    def discard(self) -> None:
        """Forget a connection whose connect attempt failed (its slot is freed by the caller)."""
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def pause(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.pause_reading()

    def resume(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.resume_reading()

    # -- asyncio.Protocol ----------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self.response is None:
            # Bytes nobody asked for (or after a failure): this connection cannot be trusted.
            self.abort()
            return
        self._body_seen = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(UpstreamProtocolError(f"{self.pool.label} tried to switch protocols"))
        except httptools.HttpParserError:
            self._fail(UpstreamProtocolError(f"{self.pool.label} sent a malformed response"))

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        was_closed = self.closed
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        response, head = self.response, self.head
        self.response = None
        self.head = None
        if response is not None:
            if head is not None and not head.done():
                if self.reused and not self._body_seen:
                    head.set_exception(_Stale())
                else:
                    head.set_exception(self._early_close())
            elif self._close_delimited:
                response._finish()
            else:
                response._fail(self._early_close())
        if not was_closed:
            self.pool._forget(self)

    # -- httptools callbacks ---------------------------------------------------------------------
    def on_message_begin(self) -> None:
        response = self.response
        if response is not None:
            response.headers = []

    def on_header(self, name: bytes, value: bytes) -> None:
        response = self.response
        if response is not None:
            response.headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        response = self.response
        if response is None:
            return
        status = self.parser.get_status_code()
        if status < 200:
            # 1xx interim response (we never send Expect, but an upstream may still): skip it.
            response.headers = []
            return
        response.status = status
        self._keep = self.parser.should_keep_alive()
        framed = False
        for name, _ in response.headers:
            if name == b"content-length" or name == b"transfer-encoding":
                framed = True
                break
        if not framed and status not in (204, 304) and not self._head_only:
            self._close_delimited = True  # body runs until the upstream closes the connection
            self._keep = False
        self._last_activity = self.loop.time()
        head = self.head
        if head is not None and not head.done():
            head.set_result(None)
        if self._head_only:
            # llhttp cannot be told that this was a HEAD; finish here and never reuse.
            self._keep = False
            self._complete()

    def on_body(self, body: bytes) -> None:
        response = self.response
        if response is not None:
            self._last_activity = self.loop.time()
            response._feed(body)

    def on_message_complete(self) -> None:
        if self.response is not None and self.response.status >= 200:
            self._complete()

    def _complete(self) -> None:
        response = self.response
        self.response = None
        self.head = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if response is not None:
            response._finish()
        if self._keep and not self.closed:
            self.pool._release(self)
        else:
            self.abort()


class UpstreamPool:
    """Keep-alive connections to one upstream origin (``http://host:port``)."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        label: str | None = None,
        connect_timeout: float = 1.0,
        timeout: float = 10.0,
        max_connections: int = 256,
        idle_timeout: float = 4.0,
        ssl_context: _ssl.SSLContext | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"upstream {name!r}: expected http://host:port, got {base_url!r}")
        if parts.path not in ("", "/") or parts.query:
            raise ValueError(f"upstream {name!r}: base URL must not carry a path ({base_url!r})")
        self.name = name
        self.label = label or f"{name}-api"
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.ssl: _ssl.SSLContext | None = None
        if parts.scheme == "https":
            self.ssl = ssl_context or _ssl.create_default_context()
        self.connect_timeout = connect_timeout
        self.timeout = timeout
        self.max_connections = max_connections
        #: Close pooled connections idle longer than this, before the upstream does (uvicorn: 5 s).
        self.idle_timeout = idle_timeout
        self._host_line = b"host: " + parts.netloc.encode("idna") + b"\r\n"
        self._idle: list[_Connection] = []
        self._size = 0  # open or opening connections
        self._waiters: collections.deque[asyncio.Future[_Connection | None]] = collections.deque()
        self._closed = False

    def __repr__(self) -> str:
        return f"<UpstreamPool {self.name} {self.host}:{self.port} size={self._size} idle={len(self._idle)}>"

    async def start(self) -> None:
        self._closed = False

    async def close(self) -> None:
        """Close idle connections and refuse new exchanges; exchanges in flight are aborted."""
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.abort()
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(UpstreamConnectError(f"{self.label}: the gateway is shutting down"))

    async def request(
        self,
        method: bytes,
        target: bytes,
        headers: Sequence[tuple[bytes, bytes]],
        body: bytes = b"",
    ) -> UpstreamResponse:
        """Send one request and return once the response head has arrived.

        ``headers`` must not contain Host or Content-Length (this client sets both) nor any
        hop-by-hop header. Raises :class:`UpstreamError` subclasses, never anything else
        for network trouble.
        """
        if self._closed:
            raise UpstreamConnectError(f"{self.label}: the gateway is shutting down")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        parts = [method, b" ", target, b" HTTP/1.1\r\n", self._host_line]
        for name, value in headers:
            parts += (name, b": ", value, b"\r\n")
        if body or method in _BODY_METHODS:
            parts += (b"content-length: ", str(len(body)).encode(), b"\r\n\r\n", body)
        else:
            parts.append(b"\r\n")
        payload = b"".join(parts)
        head_only = method == b"HEAD"

        retried = False
        while True:
            conn = await self._acquire(loop, deadline)
            head: asyncio.Future[None] = loop.create_future()
            response = UpstreamResponse(conn, head)
            try:
                conn.send(payload, response, deadline, head_only)
                await head
            except _Stale:
                if retried or method not in _IDEMPOTENT:
                    raise UpstreamProtocolError(
                        f"{self.label} closed a kept-alive connection before answering"
                    ) from None
                retried = True
                continue
            except asyncio.CancelledError:
                conn.abort()
                raise
            except UpstreamError:
                raise
            except Exception as exc:  # socket errors surfaced by write()
                conn.abort()
                raise UpstreamProtocolError(f"{self.label} connection failed: {type(exc).__name__}") from exc
            return response

    # -- pool ------------------------------------------------------------------------------------
    async def _acquire(self, loop: asyncio.AbstractEventLoop, deadline: float) -> _Connection:
        idle = self._idle
        while idle:
            conn = idle.pop()
            if conn.closed:
                continue
            if loop.time() - conn.idle_since > self.idle_timeout:
                conn.abort()
                continue
            conn.reused = True
            return conn
        if self._size >= self.max_connections:
            conn_or_none = await self._wait_for_connection(loop, deadline)
            if conn_or_none is not None:
                conn_or_none.reused = True
                return conn_or_none
            # A slot was freed for us (already counted in _size).
        else:
            self._size += 1
        try:
            return await self._connect(loop, deadline)
        except BaseException:
            self._size -= 1
            self._wake_one()
            raise

    async def _wait_for_connection(self, loop: asyncio.AbstractEventLoop, deadline: float) -> _Connection | None:
        waiter: asyncio.Future[_Connection | None] = loop.create_future()
        self._waiters.append(waiter)
        timer = loop.call_at(deadline, self._expire_waiter, waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                handed = waiter.result()
                if handed is not None:
                    self._release(handed)
                else:
                    self._size -= 1
                    self._wake_one()
            raise
        finally:
            timer.cancel()

    def _expire_waiter(self, waiter: asyncio.Future[_Connection | None]) -> None:
        if not waiter.done():
            waiter.set_exception(
                UpstreamTimeout(
                    f"{self.label} did not answer within {_fmt_seconds(self.timeout)}"
                    f" (all {self.max_connections} connections busy)"
                )
            )

    async def _connect(self, loop: asyncio.AbstractEventLoop, deadline: float) -> _Connection:
        conn = _Connection(self, loop)
        limit = min(self.connect_timeout, max(deadline - loop.time(), 0.0))
        try:
            async with asyncio.timeout(limit):
                await loop.create_connection(
                    lambda: conn,
                    self.host,
                    self.port,
                    ssl=self.ssl,
                    server_hostname=self.host if self.ssl else None,
                )
        except TimeoutError:
            conn.discard()
            raise UpstreamTimeout(f"{self.label} did not accept a connection within {_fmt_seconds(limit)}") from None
        except ConnectionRefusedError:
            conn.discard()
            raise UpstreamConnectError(f"{self.label} refused the connection") from None
        except OSError as exc:
            conn.discard()
            reason = exc.strerror or type(exc).__name__
            raise UpstreamConnectError(f"{self.label} could not be reached ({reason})") from None
        except BaseException:  # cancelled while connecting: do not leak a half-open socket
            conn.discard()
            raise
        return conn

    def _release(self, conn: _Connection) -> None:
        """Called when an exchange completed cleanly on a keep-alive connection."""
        if self._closed or conn.closed:
            conn.abort()
            return
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        conn.idle_since = conn.loop.time()
        self._idle.append(conn)

    def _forget(self, conn: _Connection) -> None:
        """A connection closed: free its slot (connection_lost or abort, whichever first)."""
        self._size -= 1
        if conn in self._idle:
            self._idle.remove(conn)
        self._wake_one()

    def _wake_one(self) -> None:
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                self._size += 1
                waiter.set_result(None)
                return
