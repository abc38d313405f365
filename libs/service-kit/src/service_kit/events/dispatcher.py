"""Delivers outbox events to webhook subscribers: signed (Standard Webhooks), in order per
subscriber, at least once. Progress lives in the database (each subscription's delivered sequence),
so a restart resumes where it stopped and loses nothing.

Each subscription is delivered on its own: a round starts a worker for every subscription with due
work (at most `concurrency` post at once), so a slow or dead subscriber delays only itself. A worker
reads what is due in one short transaction, posts with no transaction open, and writes the attempt
and its progress in another. Before posting it claims the subscription with a lease (a conditional
UPDATE, atomic on PostgreSQL and SQLite alike), so two replicas never deliver to one subscription at
once; the lease outlives the longest post and is renewed at each write.

A failed event is tried again after each wait of the retry schedule (Svix's by default: 5 s, 5 min,
30 min, 2 h, 5 h, 10 h, 10 h: 8 attempts over about 28 hours), the subscription waiting meanwhile so
its order holds. After the last it becomes a dead letter and the subscription goes on with the next
event, as Svix does: one poisonous event does not stop a subscriber's stream. An official lists the
dead letters and asks for one to be replayed; the next round delivers it once more (out of order:
subscribers apply each event id once)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import httpx
from sqlalchemy import CursorResult, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks import Webhook

from service_kit.clock import utcnow
from service_kit.events.outbox import envelope
from service_kit.events.service import matches
from service_kit.events.urls import resolve_webhook_target
from service_kit.infra_tables import InfraTables
from service_kit.periodic import PeriodicTask
from service_kit.problems import RuleViolation

log = logging.getLogger("service_kit.webhooks")
BATCH = 100
# Svix's schedule: the waits after the 1st, 2nd ... failed attempt; after the last, a dead letter.
RETRY_SCHEDULE_S: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)


def retry_wait_s(failures: int, schedule: Sequence[float]) -> float | None:
    """Seconds to wait after the `failures`-th failed attempt at one event; None: the schedule is
    spent and the event becomes a dead letter."""
    if failures <= len(schedule):
        return float(schedule[failures - 1])
    return None


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one POST came to: recorded as the subscriber's delivery attempt."""

    ok: bool
    status: int | None
    error: str | None
    duration_ms: int


class WebhookDispatcher(PeriodicTask):
    """A periodic task: a round starts a worker for each subscription with due work that has none;
    `wake()` (after a write) starts the next round at once. Tests call `dispatch_once()`, which waits
    for the round's deliveries."""

    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        infra: InfraTables,
        source: str,
        http: httpx.AsyncClient,
        allow_private: bool,
        timeout_s: float = 5.0,
        retry_schedule_s: Sequence[float] = RETRY_SCHEDULE_S,
        concurrency: int = 16,
        interval_s: float = 1.0,
    ) -> None:
        super().__init__(f"{source}-webhooks", interval_s=interval_s, logger=log)
        self.sessionmaker = sessionmaker
        self.infra = infra
        self.source = source
        self.http = http
        self.allow_private = allow_private
        self.timeout_s = timeout_s
        self.retry_schedule_s = tuple(retry_schedule_s)
        self.interval_s = interval_s
        # A post takes at most twice its timeout (see _post); the lease outlives it comfortably.
        self.lease = timedelta(seconds=timeout_s * 2 + 30)
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._workers: dict[int, asyncio.Task[int]] = {}

    # Rounds

    async def run_once(self) -> int:
        """Start a worker for each subscription with due work and none running; returns how many."""
        started = 0
        for sub_id in await self._due():
            worker = self._workers.get(sub_id)
            if worker is not None and not worker.done():
                continue
            self._workers[sub_id] = asyncio.create_task(self._guarded(sub_id), name=f"{self.name}-{sub_id}")
            started += 1
        self._workers = {k: t for k, t in self._workers.items() if not t.done()}
        return started

    async def dispatch_once(self) -> int:
        """One round, waiting for its deliveries, one subscription after another (the tests' sessions
        share one connection). Returns how many deliveries succeeded."""
        delivered = 0
        for sub_id in await self._due():
            delivered += await self._work(sub_id)
        return delivered

    async def stop(self) -> None:
        await super().stop()
        workers, self._workers = list(self._workers.values()), {}
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)

    async def _due(self) -> list[int]:
        """Active subscriptions nobody holds, with events past their cursor and no wait running, or
        with a dead letter to replay."""
        sub = self.infra.webhook_subscription
        ev = self.infra.event
        dead = self.infra.webhook_dead_letter
        now = utcnow()
        async with self.sessionmaker() as session:
            head = (await session.execute(select(func.coalesce(func.max(ev.c.seq), 0)))).scalar_one()
            stmt = (
                select(sub.c.id)
                .where(sub.c.active.is_(True))
                .where(or_(sub.c.lease_until.is_(None), sub.c.lease_until <= now))
                .where(
                    or_(
                        and_(
                            sub.c.delivered_seq < head,
                            or_(sub.c.next_attempt_at.is_(None), sub.c.next_attempt_at <= now),
                        ),
                        exists().where(dead.c.subscription_id == sub.c.id, dead.c.replay_requested_at.is_not(None)),
                    )
                )
                .order_by(sub.c.id)
            )
            return list((await session.execute(stmt)).scalars().all())

    # One subscription

    async def _guarded(self, sub_id: int) -> int:
        """A worker started by a round: a failure is logged (the lease runs out, a later round retries)."""
        try:
            return await self._work(sub_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("delivering to webhook subscription %s failed", sub_id)
            return 0

    async def _work(self, sub_id: int) -> int:
        async with self._slots:
            if not await self._claim(sub_id):
                return 0
            try:
                return await self._deliver(sub_id)
            finally:
                await asyncio.shield(self._release(sub_id))

    async def _claim(self, sub_id: int) -> bool:
        """Take the subscription's lease if nobody holds it: one short transaction."""
        sub = self.infra.webhook_subscription
        now = utcnow()
        async with self.sessionmaker() as session:
            result = await session.execute(
                sub.update()
                .where(sub.c.id == sub_id, sub.c.active.is_(True))
                .where(or_(sub.c.lease_until.is_(None), sub.c.lease_until <= now))
                .values(lease_until=now + self.lease)
            )
            await session.commit()
        return cast(CursorResult[Any], result).rowcount == 1

    async def _release(self, sub_id: int) -> None:
        sub = self.infra.webhook_subscription
        try:
            async with self.sessionmaker() as session:
                await session.execute(sub.update().where(sub.c.id == sub_id).values(lease_until=None))
                await session.commit()
        except Exception:  # the lease runs out by itself
            log.warning("releasing webhook subscription %s failed", sub_id, exc_info=True)

    async def _deliver(self, sub_id: int) -> int:
        """Replays asked for, then the stream in order, batch after batch, until nothing is due."""
        sub = self.infra.webhook_subscription
        ev = self.infra.event
        dead = self.infra.webhook_dead_letter
        delivered = 0
        replays_done = False
        while True:
            async with self.sessionmaker() as session:
                row = (await session.execute(select(sub).where(sub.c.id == sub_id))).one_or_none()
                if row is None or not row.active:
                    return delivered
                replays: Sequence[Any] = []
                if not replays_done:
                    replays = (
                        await session.execute(
                            select(dead, ev.c.seq.label("found_seq"))
                            .outerjoin(ev, ev.c.seq == dead.c.event_seq)
                            .where(dead.c.subscription_id == sub_id, dead.c.replay_requested_at.is_not(None))
                            .order_by(dead.c.id)
                            .limit(BATCH)
                        )
                    ).all()
                due = row.next_attempt_at is None or row.next_attempt_at <= utcnow()
                events = (
                    (
                        await session.execute(
                            select(ev).where(ev.c.seq > row.delivered_seq).order_by(ev.c.seq).limit(BATCH)
                        )
                    ).all()
                    if due
                    else []
                )
            # No transaction is open from here to the next write.
            for letter in replays:
                delivered += await self._replay(row, letter)
            replays_done = True
            if not events:
                return delivered
            progress, go_on = await self._stream(row, events)
            delivered += progress
            if not go_on:
                return delivered

    async def _stream(self, row: Any, events: Sequence[Any]) -> tuple[int, bool]:
        """Deliver a batch in order. Returns how many succeeded, and whether to go on (not when an
        attempt failed and waits its turn, nor when the subscription changed under the worker)."""
        cursor = written = row.delivered_seq
        failures = row.attempts
        delivered = 0
        for event in events:
            if not matches(event.type, row.event_types):
                cursor = event.seq
                continue
            attempt = await self._post(row, event)
            outcome: dict[str, Any] = {"last_status": attempt.status, "last_error": attempt.error}
            if attempt.ok:
                kept = await self._record(
                    row,
                    event,
                    attempt,
                    number=failures + 1,
                    expected_seq=written,
                    delivered_seq=event.seq,
                    attempts=0,
                    next_attempt_at=None,
                    **outcome,
                )
                delivered += 1
            else:
                failures += 1
                wait = retry_wait_s(failures, self.retry_schedule_s)
                if wait is not None:
                    await self._record(
                        row,
                        event,
                        attempt,
                        number=failures,
                        expected_seq=written,
                        delivered_seq=cursor,
                        attempts=failures,
                        next_attempt_at=utcnow() + timedelta(seconds=wait),
                        **outcome,
                    )
                    return delivered, False
                # The schedule is spent: a dead letter, and the stream goes on past it.
                kept = await self._record(
                    row,
                    event,
                    attempt,
                    number=failures,
                    expected_seq=written,
                    bury=True,
                    delivered_seq=event.seq,
                    attempts=0,
                    next_attempt_at=None,
                    **outcome,
                )
            if not kept:
                return delivered, False
            failures = 0
            cursor = written = event.seq
        if cursor != written:
            # Only events nobody wanted at the end of the batch: move past them.
            sub = self.infra.webhook_subscription
            async with self.sessionmaker() as session:
                await session.execute(
                    sub.update()
                    .where(sub.c.id == row.id, sub.c.delivered_seq == written)
                    .values(delivered_seq=cursor, lease_until=utcnow() + self.lease)
                )
                await session.commit()
        return delivered, True

    async def _record(
        self,
        row: Any,
        event: Any,
        attempt: Attempt,
        *,
        number: int,
        expected_seq: int,
        bury: bool = False,
        **values: Any,
    ) -> bool:
        """Write one attempt and the subscription's progress in one short transaction, and with
        `bury` the event's dead letter. The progress is written only if nobody moved the cursor
        meanwhile (a replay, a change) and the subscription is still active (a revoked key stops it
        here); returns whether it was."""
        sub = self.infra.webhook_subscription
        now = utcnow()
        async with self.sessionmaker() as session:
            await session.execute(
                self.infra.webhook_delivery.insert().values(
                    subscription_id=row.id,
                    event_seq=event.seq,
                    event_id=event.id,
                    attempt=number,
                    status_code=attempt.status,
                    error=attempt.error,
                    succeeded=attempt.ok,
                    attempted_at=now,
                    duration_ms=attempt.duration_ms,
                )
            )
            result = await session.execute(
                sub.update()
                .where(sub.c.id == row.id, sub.c.delivered_seq == expected_seq, sub.c.active.is_(True))
                .values(lease_until=now + self.lease, **values)
            )
            kept = cast(CursorResult[Any], result).rowcount == 1
            if kept and bury:
                log.warning(
                    "webhook subscription %s: event %s is a dead letter after %d attempts", row.id, event.id, number
                )
                await session.execute(
                    self.infra.webhook_dead_letter.insert().values(
                        subscription_id=row.id,
                        event_seq=event.seq,
                        event_id=event.id,
                        attempts=number,
                        last_status=attempt.status,
                        last_error=attempt.error,
                        dead_at=now,
                    )
                )
            await session.commit()
        return kept

    async def _replay(self, row: Any, letter: Any) -> int:
        """One more attempt at a dead letter, recorded on it and among the deliveries."""
        dead = self.infra.webhook_dead_letter
        ev = self.infra.event
        if letter.found_seq is None:
            attempt = Attempt(False, None, "the event is no longer in the feed", 0)
        else:
            async with self.sessionmaker() as session:
                event = (await session.execute(select(ev).where(ev.c.seq == letter.event_seq))).one()
            attempt = await self._post(row, event)
        async with self.sessionmaker() as session:
            await session.execute(
                self.infra.webhook_delivery.insert().values(
                    subscription_id=row.id,
                    event_seq=letter.event_seq,
                    event_id=letter.event_id,
                    attempt=letter.attempts + 1,
                    status_code=attempt.status,
                    error=attempt.error,
                    succeeded=attempt.ok,
                    attempted_at=utcnow(),
                    duration_ms=attempt.duration_ms,
                )
            )
            await session.execute(
                dead.update()
                .where(dead.c.id == letter.id)
                .values(
                    attempts=letter.attempts + 1,
                    last_status=attempt.status,
                    last_error=attempt.error,
                    replay_requested_at=None,
                    **({"delivered_at": utcnow()} if attempt.ok else {}),
                )
            )
            await session.commit()
        return 1 if attempt.ok else 0

    # One POST

    async def _post(self, sub_row: Any, event_row: Any) -> Attempt:
        started = time.monotonic()
        ok, status, error = await self._send(sub_row, event_row)
        return Attempt(ok, status, error, int((time.monotonic() - started) * 1000))

    async def _send(self, sub_row: Any, event_row: Any) -> tuple[bool, int | None, str | None]:
        """Deliver one event. The record this returns is what the subscriber reads back: a status
        only from a target that passed the check, and errors in a few fixed words, never the address
        a name resolved to nor the text of an exception (a port scan by webhook learns nothing)."""
        body = json.dumps(envelope(event_row, self.source), ensure_ascii=False, default=str)
        timestamp = utcnow()
        try:
            # Resolved once, here, and the connection goes to the address judged: a name that
            # answers differently a moment later (DNS rebinding) cannot steer the delivery.
            target = await resolve_webhook_target(sub_row.url, allow_private=self.allow_private)
        except RuleViolation as exc:
            return False, None, f"refused: {exc.detail}"[:500]
        signature = Webhook(sub_row.secret).sign(event_row.id, timestamp, body)
        request = self.http.build_request(
            "POST",
            target.pinned_url,
            content=body.encode(),
            headers={
                "host": target.host_header,
                "content-type": "application/json",
                "webhook-id": event_row.id,
                "webhook-timestamp": str(int(timestamp.timestamp())),
                "webhook-signature": signature,
                "user-agent": f"culture-ops-{self.source}-webhooks",
            },
            timeout=self.timeout_s,
            # TLS: the name in the URL is sent as SNI and the certificate is checked against it.
            extensions={"sni_hostname": target.host} if target.scheme == "https" else {},
        )
        try:
            async with asyncio.timeout(self.timeout_s * 2):
                # Redirects are not followed (they could point anywhere) and the body is not read.
                resp = await self.http.send(request, stream=True, follow_redirects=False)
                await resp.aclose()
        except (TimeoutError, httpx.TimeoutException):
            return False, None, "timed out"
        except httpx.ConnectError as exc:
            cause = str(exc).lower()
            if "ssl" in cause or "certificate" in cause or "tls" in cause:
                return False, None, "TLS handshake or certificate check failed"
            return False, None, "could not connect"
        except httpx.HTTPError:
            return False, None, "the connection failed before an answer"
        except Exception:  # any other failure is recorded (in words of our own) and retried
            log.exception("webhook delivery to subscription %s failed", sub_row.id)
            return False, None, "delivery failed"
        if 200 <= resp.status_code < 300:
            return True, resp.status_code, None
        return False, resp.status_code, f"answered {resp.status_code}"
