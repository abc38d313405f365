"""Delivers outbox events to webhook subscribers: signed (Standard Webhooks), in order per
subscriber, retried with exponential backoff, at least once. Progress lives in the database (each
subscription's delivered sequence), so a restart resumes where it stopped and loses nothing."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import or_, select
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


def backoff_seconds(attempts: int, max_backoff_s: float) -> float:
    """2, 4, 8 ... seconds after the 1st, 2nd, 3rd failure, capped."""
    return float(min(2**attempts, max_backoff_s))


class WebhookDispatcher(PeriodicTask):
    """A periodic task: a round delivers what is due to every subscription; `wake()` (after a
    write) starts the next round at once."""

    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        infra: InfraTables,
        source: str,
        http: httpx.AsyncClient,
        allow_private: bool,
        timeout_s: float = 5.0,
        max_backoff_s: float = 3600.0,
        interval_s: float = 1.0,
    ) -> None:
        super().__init__(f"{source}-webhooks", interval_s=interval_s, logger=log)
        self.sessionmaker = sessionmaker
        self.infra = infra
        self.source = source
        self.http = http
        self.allow_private = allow_private
        self.timeout_s = timeout_s
        self.max_backoff_s = max_backoff_s
        self.interval_s = interval_s

    async def run_once(self) -> int:
        return await self.dispatch_once()

    async def dispatch_once(self) -> int:
        """One round over the subscriptions that are due. Returns how many deliveries succeeded."""
        sub = self.infra.webhook_subscription
        now = utcnow()
        async with self.sessionmaker() as session:
            due = (
                (
                    await session.execute(
                        select(sub.c.id)
                        .where(sub.c.active.is_(True))
                        .where(or_(sub.c.next_attempt_at.is_(None), sub.c.next_attempt_at <= now))
                        .order_by(sub.c.id)
                    )
                )
                .scalars()
                .all()
            )
        delivered = 0
        for sub_id in due:
            delivered += await self._deliver_subscription(sub_id)
        return delivered

    async def _deliver_subscription(self, sub_id: int) -> int:
        sub = self.infra.webhook_subscription
        ev = self.infra.event
        delivered = 0
        async with self.sessionmaker() as session:
            stmt = select(sub).where(sub.c.id == sub_id)
            if session.get_bind().dialect.name == "postgresql":
                # Several replicas may dispatch; each subscription is worked by one at a time.
                stmt = stmt.with_for_update(skip_locked=True)
            row = (await session.execute(stmt)).one_or_none()
            if row is None:
                return 0
            events = (
                await session.execute(select(ev).where(ev.c.seq > row.delivered_seq).order_by(ev.c.seq).limit(BATCH))
            ).all()
            cursor = row.delivered_seq
            attempts = row.attempts
            for event in events:
                if not matches(event.type, row.event_types):
                    cursor = event.seq
                    continue
                ok, status, error = await self._post(row, event)
                await session.execute(
                    self.infra.webhook_delivery.insert().values(
                        subscription_id=row.id,
                        event_seq=event.seq,
                        event_id=event.id,
                        attempt=attempts + 1,
                        status_code=status,
                        error=error,
                        succeeded=ok,
                        attempted_at=utcnow(),
                    )
                )
                if not ok:
                    attempts += 1
                    await session.execute(
                        sub.update()
                        .where(sub.c.id == row.id)
                        .values(
                            delivered_seq=cursor,
                            attempts=attempts,
                            last_status=status,
                            last_error=error,
                            next_attempt_at=utcnow() + timedelta(seconds=backoff_seconds(attempts, self.max_backoff_s)),
                        )
                    )
                    await session.commit()
                    return delivered
                cursor = event.seq
                attempts = 0
                delivered += 1
            await session.execute(
                sub.update()
                .where(sub.c.id == row.id)
                .values(
                    delivered_seq=cursor,
                    attempts=0,
                    next_attempt_at=None,
                    **({"last_status": 200, "last_error": None} if delivered else {}),
                )
            )
            await session.commit()
        return delivered

    async def _post(self, sub_row: Any, event_row: Any) -> tuple[bool, int | None, str | None]:
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
