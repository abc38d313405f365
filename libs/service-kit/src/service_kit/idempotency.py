"""`Idempotency-Key` on creating POSTs: the same key and body replays the first answer; the same key
with another body is a 422; a retry while the first is still running is a 409.

A record is scoped to the caller (the verified token's subject, else the client address) and kept
for 24 hours. It is written in its own short transactions around the request (never holding the
database while the handler runs), so a crash mid-request leaves a pending record that expires."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service_kit.clock import utcnow
from service_kit.infra_tables import InfraTables
from service_kit.middleware import replay_body
from service_kit.problems import Unauthenticated

TTL = timedelta(hours=24)
PENDING_TTL = timedelta(minutes=2)
_REPLAY_HEADERS = {"content-type", "location", "etag"}


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, *, state: Any, infra: InfraTables) -> None:
        self.app = app
        self.state = state  # the FastAPI app.state: sessionmaker and verifier are read per request
        self.table = infra.idempotency_record

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key_raw = headers.get(b"idempotency-key")
        if key_raw is None:
            await self.app(scope, receive, send)
            return
        key = key_raw.decode("latin-1").strip()
        if not key or len(key) > 200:
            await _problem(send, 422, "The Idempotency-Key header must be 1 to 200 characters.", scope)
            return
        try:
            caller = await self._caller(scope, headers)
        except Unauthenticated as exc:
            await _problem(send, 401, exc.detail, scope)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        digest = hashlib.sha256(
            scope["path"].encode() + b"\n" + (scope.get("query_string") or b"") + b"\n" + body
        ).hexdigest()

        record = await self._claim(caller, key, digest)
        if record is not None:
            if record.request_hash != digest:
                await _problem(
                    send,
                    422,
                    "This Idempotency-Key was already used with a different request; use a new key.",
                    scope,
                    slug="idempotency-key-reused",
                )
            elif record.status_code is None:
                await _problem(
                    send, 409, "A request with this Idempotency-Key is still being processed; retry shortly.", scope
                )
            else:
                replay_headers = [(k.encode(), v.encode()) for k, v in (record.response_headers or {}).items()]
                replay_headers.append((b"idempotent-replayed", b"true"))
                await send({"type": "http.response.start", "status": record.status_code, "headers": replay_headers})
                await send({"type": "http.response.body", "body": record.response_body or b""})
            return

        replay_receive = replay_body(body, receive)
        captured: dict[str, Any] = {"status": 500, "headers": {}, "body": b""}

        async def capture_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = {
                    k.decode("latin-1"): v.decode("latin-1")
                    for k, v in message.get("headers", [])
                    if k.decode("latin-1").lower() in _REPLAY_HEADERS
                }
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, replay_receive, capture_send)
        finally:
            await self._finish(caller, key, captured)

    async def _caller(self, scope: Scope, headers: dict[bytes, bytes]) -> str:
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth.lower().startswith("bearer "):
            principal = await self.state.verifier.verify(auth[7:].strip())
            return f"sub:{principal.sub}"
        client = scope.get("client") or ("anonymous", 0)
        return f"ip:{client[0]}"

    async def _claim(self, caller: str, key: str, digest: str) -> Any:
        t = self.table
        async with self.state.sessionmaker() as session:
            existing = (await session.execute(select(t).where(t.c.scope == caller, t.c.key == key))).one_or_none()
            if existing is not None:
                created = existing.created_at
                expired = utcnow() - created > (PENDING_TTL if existing.status_code is None else TTL)
                if not expired:
                    return existing
                await session.execute(delete(t).where(t.c.id == existing.id))
            try:
                await session.execute(
                    t.insert().values(scope=caller, key=key, request_hash=digest, created_at=utcnow())
                )
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return (await session.execute(select(t).where(t.c.scope == caller, t.c.key == key))).one_or_none()
        return None

    async def _finish(self, caller: str, key: str, captured: dict[str, Any]) -> None:
        t = self.table
        async with self.state.sessionmaker() as session:
            where = (t.c.scope == caller) & (t.c.key == key)
            if captured["status"] >= 500:
                await session.execute(delete(t).where(where))
            else:
                await session.execute(
                    t.update()
                    .where(where)
                    .values(
                        status_code=captured["status"],
                        response_headers=captured["headers"],
                        response_body=captured["body"],
                    )
                )
            await session.commit()


async def _problem(send: Send, status: int, detail: str, scope: Scope, slug: str | None = None) -> None:
    titles = {401: "Not signed in", 409: "Conflict", 422: "Invalid input"}
    body = json.dumps(
        {
            "type": f"/problems/{slug or {401: 'unauthenticated', 409: 'conflict', 422: 'validation-error'}[status]}",
            "title": titles[status],
            "status": status,
            "detail": detail,
            "instance": scope["path"],
            "request_id": scope.get("state", {}).get("request_id"),
        },
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
