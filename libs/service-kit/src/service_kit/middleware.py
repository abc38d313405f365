"""One pure-ASGI middleware for what every request needs: request id, access log, metrics,
body size limit and content type, and the answer to an error no handler took (500, or 503 when the
database cannot serve), given here, inside the request, so that its log line carries the request id
and the client's connection stays open. Pure ASGI (not BaseHTTPMiddleware) to keep the hot path short."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service_kit.logs import request_id_var
from service_kit.problems import unexpected_problem

log = logging.getLogger("service_kit.access")
_RID_OK = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_JSON_TYPES = ("application/json", "application/merge-patch+json")


class Metrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total", "HTTP requests", ["service", "method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency",
            ["service", "method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.service = service


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the inner app a body already read, then goes on with the original receive
    (a disconnect is still seen)."""
    sent = False

    async def replaying() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replaying


def _problem(status: int, title: str, detail: str, path: str, rid: str) -> tuple[int, bytes]:
    body = {
        "type": f"/problems/{title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": path,
        "request_id": rid,
    }
    return status, json.dumps(body, ensure_ascii=False).encode()


class RequestContextMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        max_body_bytes: int,
        form_paths: Iterable[str] = (),
        quiet_paths: Iterable[str] = ("/healthz", "/readyz", "/metrics"),
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.form_paths = tuple(form_paths)
        self.quiet_paths = frozenset(quiet_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        rid_raw = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = rid_raw if _RID_OK.match(rid_raw) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id_var.set(rid)
        path: str = scope["path"]
        method: str = scope["method"]
        start = time.perf_counter()
        status_holder = [500]
        started = [False]
        rid_header = (b"x-request-id", rid.encode())

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                started[0] = True
                status_holder[0] = message["status"]
                message["headers"] = [*message.get("headers", []), rid_header]
            await send(message)

        try:
            refusal = self._refuse(method, path, headers, rid)
            if refusal is not None:
                status, body = refusal
                status_holder[0] = status
                await _send_problem(send, status, body, rid_header)
                return
            try:
                await self.app(scope, self._limited(receive, send, path, rid, rid_header, status_holder), send_wrapper)
            except Exception as exc:
                if started[0]:
                    raise  # half an answer is out: only closing the connection can tell the client
                # Answered here rather than re-raised: the server would close the client's connection
                # after an exception, even with a complete answer sent (a kept-alive connection the
                # client, or a proxy in front, then finds broken on its next request).
                if isinstance(exc, BodyTooLarge):
                    status, body = _problem(413, "Payload too large", str(exc), path, rid)
                    extra: dict[str, str] = {}
                else:
                    status, body, extra = unexpected_problem(exc, path, rid)
                    extra.pop("X-Request-ID", None)
                status_holder[0] = status
                await _send_problem(send, status, body, rid_header, extra)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            route_name = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(self.metrics.service, method, route_name, str(status_holder[0])).inc()
            self.metrics.latency.labels(self.metrics.service, method, route_name).observe(elapsed)
            if path not in self.quiet_paths:
                log.info(
                    "request",
                    extra={
                        "method": method,
                        "path": path,
                        "status": status_holder[0],
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )
            request_id_var.reset(token)

    def _refuse(self, method: str, path: str, headers: dict[bytes, bytes], rid: str) -> tuple[int, bytes] | None:
        if method not in ("POST", "PUT", "PATCH"):
            return None
        length = headers.get(b"content-length")
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                return _problem(400, "Bad request", "Content-Length is not a number.", path, rid)
            if size > self.max_body_bytes:
                return _problem(
                    413,
                    "Payload too large",
                    f"The body is {size} bytes; at most {self.max_body_bytes} are accepted.",
                    path,
                    rid,
                )
            if size == 0:
                return None
        ctype = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
        if not ctype and length is None and b"transfer-encoding" not in headers:
            return None
        if path.startswith(self.form_paths) if self.form_paths else False:
            return None
        if ctype not in _JSON_TYPES and not ctype.endswith("+json"):
            return _problem(
                415,
                "Unsupported media type",
                f"Send the body as application/json (got {ctype or 'no Content-Type'}).",
                path,
                rid,
            )
        return None

    def _limited(
        self,
        receive: Receive,
        send: Send,
        path: str,
        rid: str,
        rid_header: tuple[bytes, bytes],
        status_holder: list[int],
    ) -> Receive:
        received = 0
        limit = self.max_body_bytes

        async def wrapped() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        return wrapped


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"The body is larger than {limit} bytes.")
        self.limit = limit


async def _send_problem(
    send: Send, status: int, body: bytes, rid_header: tuple[bytes, bytes], headers: dict[str, str] | None = None
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                rid_header,
                *((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in (headers or {}).items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
