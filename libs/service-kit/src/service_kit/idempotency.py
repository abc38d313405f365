"""`Idempotency-Key` on creating POSTs: the same key and body replays the first answer; the same key
with another body is a 422; a retry while the first is still running is a 409.

A record is scoped to the caller (the verified token's subject, else the client address) and kept
for 24 hours. The answer is saved in the same transaction as the change it answers, so whatever
happens to the process, a retry either replays the first answer or runs on a database the first
attempt left untouched; never does a key produce two changes.

How a keyed request runs:

1. **Claim.** A pending record (scope, key, request digest, no answer) is inserted in its own short
   transaction. The unique (scope, key) makes a concurrent retry find it: 409 while it is pending,
   the first answer once it has one, 422 if the body differs. No transaction is held while the
   handler runs. A pending record older than `idempotency_pending_ttl_s` (settings) belongs to a
   request that never finished; it is taken over (deleted, claimed again) and the retry runs afresh.
2. **Handle.** The request's session (`SessionDep`; this middleware owns it, see
   `service_kit.db.REQUEST_SESSION`) defers its commits: the handler's `session.commit()` only
   flushes, so the change is in the session's open transaction and nowhere else.
3. **Answer and commit once.** When the response is complete (nothing has been sent to the client
   yet), the answer (status, replayed headers, body) is written onto the claimed record in that same
   transaction, and one commit makes the change and the answer durable together. Then the answer is
   sent. If the write or the commit fails, the transaction is rolled back, the claim released, and the
   client gets a 500 saying nothing was saved. An answer of 500 or more is not kept: the transaction
   is rolled back and the claim released, so a retry runs afresh.

What a crash leaves: before the commit, a pending claim and no change (the retry gets 409 until the
claim is stale, then runs afresh and makes the one change); after it, the change with its answer
(the retry replays it). The answer is written only where the claim is still this request's (same id
and claim time, no answer yet), so a request slow enough to have its stale claim taken over commits
nothing and replays the winner's answer instead.

Handlers that commit several times: every `commit()` of a keyed request flushes into the one
transaction, and all of it commits together with the answer; work after a `commit()` (a call to
another service, a second write) happens before anything is durable, so an answer that is not a
success (500 or more) saves nothing of it. A `rollback()` after a deferred `commit()` would silently
undo work the handler counts as saved, so it raises instead (a 500, nothing saved); rolling back
before the first commit (the usual "flush, catch IntegrityError, roll back, refuse") is unchanged.
`session.begin()` would commit behind the deferral and is refused the same way. Sessions a handler
opens itself from the sessionmaker are not the request's session and are not covered; request
handlers do not do that (background tasks do, and they carry no key).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, NoReturn

from sqlalchemy import Row, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service_kit.clock import utcnow
from service_kit.db import REQUEST_SESSION
from service_kit.infra_tables import InfraTables
from service_kit.middleware import replay_body
from service_kit.problems import Unauthenticated

TTL = timedelta(hours=24)
_REPLAY_HEADERS = {"content-type", "location", "etag"}

log = logging.getLogger("service_kit.idempotency")


class DeferredCommitError(RuntimeError):
    """A keyed request's handler did what the deferred commit cannot honour (see the module)."""


class KeyedSession(AsyncSession):
    """The request's session while it carries an Idempotency-Key: `commit()` flushes, and the
    middleware commits once, together with the answer."""

    deferred_commits = 0

    async def commit(self) -> None:
        await self.flush()
        self.deferred_commits += 1

    async def rollback(self) -> None:
        if self.deferred_commits:
            raise DeferredCommitError(
                "rollback() after commit() in a request with an Idempotency-Key would undo what was"
                " committed; nothing was saved"
            )
        await super().rollback()

    def begin(self) -> NoReturn:
        raise DeferredCommitError("session.begin() commits on its own; a keyed request commits once, at the end")

    async def commit_with_answer(self) -> None:
        await super().commit()

    async def discard(self) -> None:
        await super().rollback()


@dataclass(frozen=True)
class Claim:
    id: int
    created_at: datetime


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, *, state: Any, infra: InfraTables) -> None:
        self.app = app
        self.state = state  # the FastAPI app.state: sessionmaker, verifier and settings are read per request
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

        claim, record = await self._claim(caller, key, digest)
        if claim is None:
            await self._answer_from(send, scope, record, digest)
            return

        session = KeyedSession(**self.state.sessionmaker.kw)
        scope[REQUEST_SESSION] = session
        start: Message | None = None
        chunks: list[bytes] = []
        settled = False

        async def settle_then_send(message: Message) -> None:
            nonlocal start, settled
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            settled = True
            answer = b"".join(chunks)
            if start["status"] >= 500:
                await self._release(session, claim)
            else:
                outcome = await self._commit_with_answer(session, claim, start, answer)
                if outcome == "lost":
                    await self._answer_from(send, scope, await self._read(caller, key), digest, lost=True)
                    return
                if outcome == "failed":
                    await _problem(
                        send,
                        500,
                        "The change could not be saved; nothing was saved. Retry with the same Idempotency-Key.",
                        scope,
                    )
                    return
            await send(start)
            await send({"type": "http.response.body", "body": answer})

        try:
            await self.app(scope, replay_body(body, receive), settle_then_send)
        finally:
            try:
                if not settled:
                    # The handler raised (or never answered): nothing of it is kept.
                    await self._release(session, claim)
            finally:
                scope.pop(REQUEST_SESSION, None)
                await session.close()

    async def _caller(self, scope: Scope, headers: dict[bytes, bytes]) -> str:
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth.lower().startswith("bearer "):
            principal = await self.state.verifier.verify(auth[7:].strip())
            return f"sub:{principal.sub}"
        client = scope.get("client") or ("anonymous", 0)
        return f"ip:{client[0]}"

    async def _read(self, caller: str, key: str) -> Row[Any] | None:
        t = self.table
        session: AsyncSession
        async with self.state.sessionmaker() as session:
            return (await session.execute(select(t).where(t.c.scope == caller, t.c.key == key))).one_or_none()

    async def _claim(self, caller: str, key: str, digest: str) -> tuple[Claim | None, Row[Any] | None]:
        """Claims the key for this request, or gives the record that holds it."""
        t = self.table
        pending_ttl = timedelta(seconds=self.state.settings.idempotency_pending_ttl_s)
        async with self.state.sessionmaker() as session:
            for _ in range(2):
                now = utcnow()
                existing = (await session.execute(select(t).where(t.c.scope == caller, t.c.key == key))).one_or_none()
                if existing is not None:
                    pending = existing.status_code is None
                    if now - existing.created_at <= (pending_ttl if pending else TTL):
                        return None, existing
                    # Stale: a pending one never committed anything; an answered one is past keeping.
                    await session.execute(
                        delete(t).where(
                            t.c.id == existing.id,
                            t.c.created_at == existing.created_at,
                            t.c.status_code.is_(None) if pending else t.c.status_code.is_not(None),
                        )
                    )
                try:
                    result = await session.execute(
                        t.insert().values(scope=caller, key=key, request_hash=digest, created_at=now)
                    )
                    await session.commit()
                    return Claim(result.inserted_primary_key[0], now), None
                except IntegrityError:
                    # Someone claimed it first: look again.
                    await session.rollback()
        return None, await self._read(caller, key)

    async def _commit_with_answer(
        self, session: KeyedSession, claim: Claim, start: Message, answer: bytes
    ) -> Literal["saved", "lost", "failed"]:
        """Writes the answer onto this request's claim in the handler's transaction and commits both:
        "saved"; "lost" when the claim is no longer this request's (taken over as stale) and "failed"
        when the write or the commit failed: then nothing is saved."""
        t = self.table
        replayed = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in start.get("headers", [])
            if k.decode("latin-1").lower() in _REPLAY_HEADERS
        }
        try:
            result = await session.execute(
                t.update()
                .where(t.c.id == claim.id, t.c.created_at == claim.created_at, t.c.status_code.is_(None))
                .values(status_code=start["status"], response_headers=replayed, response_body=answer)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                await session.discard()
                return "lost"
            await session.commit_with_answer()
        except Exception:
            log.exception("idempotency: the change and its answer could not be committed; nothing was saved")
            await self._release(session, claim)
            return "failed"
        return "saved"

    async def _release(self, session: KeyedSession, claim: Claim) -> None:
        """Rolls back what the handler did and frees the key, so a retry runs afresh. If the database
        cannot be reached, the claim stays pending until it is stale, with nothing saved."""
        t = self.table
        try:
            await session.discard()
            await session.execute(
                delete(t).where(t.c.id == claim.id, t.c.created_at == claim.created_at, t.c.status_code.is_(None))
            )
            await session.commit_with_answer()
        except Exception:
            log.exception("idempotency: could not release a claimed key; it stays pending until stale")

    async def _answer_from(
        self, send: Send, scope: Scope, record: Row[Any] | None, digest: str, *, lost: bool = False
    ) -> None:
        """Answers from the record that holds the key: 422 for another body, 409 while it is pending
        (or when it is gone: another request is claiming it), else its answer again."""
        if record is not None and record.request_hash != digest:
            await _problem(
                send,
                422,
                "This Idempotency-Key was already used with a different request; use a new key.",
                scope,
                slug="idempotency-key-reused",
            )
        elif record is None or record.status_code is None:
            detail = (
                "This request took too long and another one with its Idempotency-Key took over; nothing"
                " of this one was saved. Retry with the same key."
                if lost
                else "A request with this Idempotency-Key is still being processed; retry shortly."
            )
            await _problem(send, 409, detail, scope)
        else:
            replay_headers = [(k.encode(), v.encode()) for k, v in (record.response_headers or {}).items()]
            replay_headers.append((b"idempotent-replayed", b"true"))
            await send({"type": "http.response.start", "status": record.status_code, "headers": replay_headers})
            await send({"type": "http.response.body", "body": record.response_body or b""})


_SLUGS = {401: "unauthenticated", 409: "conflict", 422: "validation-error", 500: "internal-error"}


async def _problem(send: Send, status: int, detail: str, scope: Scope, slug: str | None = None) -> None:
    titles = {401: "Not signed in", 409: "Conflict", 422: "Invalid input", 500: "Internal error"}
    body = json.dumps(
        {
            "type": f"/problems/{slug or _SLUGS[status]}",
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
