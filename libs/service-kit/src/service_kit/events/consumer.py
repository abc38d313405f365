"""Reads another service's event feed and applies the events it cares about, each exactly once in
effect: the handler's changes and the new cursor commit in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

import httpx
from sqlalchemy import CursorResult, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service_kit.clock import utcnow
from service_kit.infra_tables import InfraTables
from service_kit.periodic import PeriodicTask

log = logging.getLogger("service_kit.consumer")
Handler = Callable[[AsyncSession, dict[str, Any]], Awaitable[None]]


class FeedConsumer(PeriodicTask):
    """A periodic task: a round reads the feed page after page until it is caught up; `last_error`
    says why the last round failed (None once one succeeds)."""

    def __init__(
        self,
        *,
        name: str,
        base_url: str,
        http: httpx.AsyncClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        infra: InfraTables,
        handlers: Mapping[str, Handler],
        token: Callable[[], str],
        interval_s: float = 2.0,
        feed_path: str = "/api/v1/events",
    ) -> None:
        # `name` is the source's: the cursor is kept under it.
        # After failures (the source down, or not up yet at start) it reads again within five intervals
        # at most, so what the feed carries (a deletion, a revoked key) arrives soon after the source
        # is back, not a minute later.
        super().__init__(name, interval_s=interval_s, logger=log, backoff_cap_s=5 * interval_s)
        self.base_url = base_url.rstrip("/")
        self.http = http
        self.sessionmaker = sessionmaker
        self.infra = infra
        self.handlers = handlers
        self.token = token
        self.interval_s = interval_s
        # Where the feed is below base_url: a service's own, or one published under a name (the gateway's).
        self.feed_path = feed_path
        self.last_error: str | None = None

    async def run_once(self) -> int:
        """Read until caught up; returns how many events were read."""
        read = 0
        while (count := await self.poll_once()) > 0:
            read += count
        return read

    def succeeded(self, result: Any) -> None:
        self.last_error = None

    def failed(self, exc: Exception) -> None:
        self.last_error = f"{type(exc).__name__}: {exc}"
        log.warning("reading %s events failed: %s", self.name, self.last_error)

    async def _cursor(self, session: AsyncSession) -> int:
        c = self.infra.event_cursor
        value = (await session.execute(select(c.c.seq).where(c.c.source == self.name))).scalar_one_or_none()
        return int(value or 0)

    async def poll_once(self, limit: int = 200) -> int:
        """Read one page of the feed and apply it in one transaction with the new cursor, so each
        event's effect happens once: a failure rolls the whole page back and it is read again.
        Returns how many events were read."""
        async with self.sessionmaker() as session:
            after = await self._cursor(session)
        resp = await self.http.get(
            f"{self.base_url}{self.feed_path}",
            params={"after": after, "limit": limit},
            headers={"authorization": f"Bearer {self.token()}"},
        )
        resp.raise_for_status()
        page = resp.json()
        if page["next_after"] <= after:
            return 0
        async with self.sessionmaker() as session:
            if await self._cursor(session) != after:
                return 0  # another replica applied this page meanwhile
            for event in page["items"]:
                handler = self.handlers.get(event["type"])
                if handler is not None:
                    await handler(session, event)
            await self._save_cursor(session, page["next_after"])
            await session.commit()
        return len(page["items"])

    async def _save_cursor(self, session: AsyncSession, seq: int) -> None:
        c = self.infra.event_cursor
        updated = await session.execute(c.update().where(c.c.source == self.name).values(seq=seq, updated_at=utcnow()))
        if cast(CursorResult[Any], updated).rowcount == 0:
            await session.execute(c.insert().values(source=self.name, seq=seq, updated_at=utcnow()))
