"""The per-process rating writer (group commit).

Request handlers validate a rating and resolve its target, then hand it here and wait. One task per
process takes every rating waiting at that moment (up to `rating_batch_max`) and writes them in one
transaction with set-based statements (service.write_batch): one read of what the batch needs (its
residents' activity for the limits, the live ratings it replaces, check-ins, the facility map, the burst
window of its targets), one UPDATE freeing replaced slots, one multi-row INSERT … RETURNING and one upsert
of the merged aggregate rows, the outbox lock and one insert of all their events, one COMMIT (on
PostgreSQL the read is one statement and all the changes another: driver_store.py). While
a batch is being written the next one gathers, so under load the cost per rating falls; alone, a rating
is written at once, as a batch of one
(service.write_one, the per-rating path).

On PostgreSQL up to `rating_batches_in_flight` batches are written at once, each in its own transaction
on its own connection, so a rating that arrives while a batch is being written starts at once instead of
waiting for that batch's round trips. A resident's ratings are never in two batches being written at the
same time: the per-resident limits count what the database holds, so the resident's later ratings wait
for the batch in flight (and go in order). Concurrent batches lock aggregate rows in key order and take
the outbox lock last, so they queue rather than deadlock. SQLite writes one batch at a time.

Each request gets its own answer: its saved rating, or its own error (429 for a resident over a limit
does not fail the others). Two ratings of the same live-rating slot (resident, target, quarter) never
share a batch: the later one waits for the next, so they are applied in the order they came. When a
batch fails unexpectedly (e.g. another process took a live-rating slot first: the unique index refuses),
it is rolled back whole and its ratings are written one by one with the per-rating path, so each gets
the answer it would have had alone.

A request whose client went away before its batch began is dropped (nothing is saved, as when a
request is cancelled mid-transaction). Several processes each run their own writer; the database's
locks and unique index keep them consistent, as they do for concurrent requests.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from feedback_api.ratings import service
from feedback_api.ratings.driver_store import DriverConnections
from feedback_api.ratings.service import RatingRequest, Saved
from feedback_api.ratings.stores import NeedsSession, SessionStore, WriteStore
from service_kit.problems import ServiceUnavailable

log = logging.getLogger("feedback_api.ratings.writer")

Waiting = tuple[RatingRequest, asyncio.Future]
T = TypeVar("T")


class RatingWriter:
    def __init__(self, state: Any, *, max_batch: int, in_flight: int = 1) -> None:
        # The app's state: its sessionmaker, settings and comment filter are read at each batch (tests
        # swap the sessionmaker and change settings on a running app).
        self._state = state
        self.max_batch = max_batch
        self.max_in_flight = in_flight
        self._queue: deque[Waiting] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._writing: set[asyncio.Task] = set()
        self._busy: set[str] = set()  # residents with a rating in a batch being written
        self._closing = False
        self.batches = 0  # how many batches were written (diagnostics)
        self.fallbacks = 0  # how many of them failed and were written one by one
        self.most_at_once = 0  # the most batches written at the same time (diagnostics)
        self.on_driver = 0  # writes done on the driver (PostgreSQL; diagnostics)
        self.handed_back = (
            0  # writes the driver path handed back to the session path (diagnostics)
        )
        self._driver = DriverConnections()

    @property
    def waiting(self) -> int:
        """Ratings waiting for a batch (not counting those being written)."""
        return len(self._queue)

    # The runtime starts and stops background work; the writer starts with its first rating.
    def start(self) -> None:
        self._closing = False

    async def stop(self) -> None:
        """Write what is waiting, then stop."""
        self._closing = True
        self._wake.set()
        task, self._task = self._task, None
        if task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=10)
            except TimeoutError:
                task.cancel()
                for writing in list(self._writing):
                    writing.cancel()
        await self._driver.close()
        while self._queue:
            _, fut = self._queue.popleft()
            if not fut.done():
                fut.set_exception(
                    ServiceUnavailable(
                        "The service is stopping; nothing was saved. Try again in a moment."
                    )
                )

    async def submit(self, req: RatingRequest) -> Saved:
        if self._closing:
            raise ServiceUnavailable(
                "The service is stopping; nothing was saved. Try again in a moment."
            )
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        self._queue.append((req, fut))
        if self._task is None or self._task.done():
            # A context of its own: not the request id or logging context of the request that woke it.
            self._task = asyncio.create_task(
                self._run(), name="rating-writer", context=contextvars.Context()
            )
        self._wake.set()
        return await fut

    async def _run(self) -> None:
        while True:
            if not self._queue or len(self._writing) >= self.max_in_flight:
                if self._closing and not self._queue and not self._writing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            # Let handlers that are ready join this batch.
            await asyncio.sleep(0)
            batch = self._take()
            if (
                not batch
            ):  # all that waits belongs to residents in a batch being written
                self._wake.clear()
                await self._wake.wait()
                continue
            residents = {req.principal.sub for req, _ in batch}
            self._busy |= residents
            task = asyncio.create_task(
                self._write_answering(batch), name="rating-batch"
            )
            self._writing.add(task)
            self.most_at_once = max(self.most_at_once, len(self._writing))
            task.add_done_callback(
                lambda t, residents=residents: self._written(t, residents)
            )

    def _written(self, task: asyncio.Task, residents: set[str]) -> None:
        self._writing.discard(task)
        self._busy -= residents
        self._wake.set()

    async def _write_answering(self, batch: list[Waiting]) -> None:
        try:
            await self._write(batch)
        except BaseException as exc:  # never leave a request waiting forever
            for _, fut in batch:
                if not fut.done():
                    fut.set_exception(
                        exc
                        if isinstance(exc, Exception)
                        else ServiceUnavailable("Nothing was saved.")
                    )
            if not isinstance(exc, Exception):
                raise

    def _take(self) -> list[Waiting]:
        """Up to max_batch waiting ratings, oldest first; one per live-rating slot, none of a resident with a
        batch being written (those stay in the queue, in order, for a later batch)."""
        batch: list[Waiting] = []
        deferred: list[Waiting] = []
        slots: set[tuple] = set()
        busy = self._busy
        while self._queue and len(batch) < self.max_batch:
            item = self._queue.popleft()
            if item[1].done():  # the client went away before it was written
                continue
            key = item[0].key
            if key in slots or key[0] in busy:
                deferred.append(item)
                continue
            slots.add(key)
            batch.append(item)
        self._queue.extendleft(reversed(deferred))
        return batch

    def _on_driver(self) -> bool:
        state = self._state
        return (
            state.settings.rating_write_on_driver
            and state.sessionmaker.kw["bind"].dialect.name == "postgresql"
        )

    async def _with_store(self, write: Callable[[WriteStore], Awaitable[T]]) -> T:
        """Run a write on the driver when it can (PostgreSQL), else, or when the driver path hands it back
        (NeedsSession: nothing was committed), through the session."""
        sessionmaker = self._state.sessionmaker
        if self._on_driver():
            try:
                async with self._driver.store(sessionmaker) as store:
                    written = await write(store)
                self.on_driver += 1
                return written
            except NeedsSession:
                self.handed_back += 1
        async with sessionmaker() as session:
            return await write(SessionStore(session))

    async def _write(self, batch: list[Waiting]) -> None:
        state = self._state
        settings, comment_filter = state.settings, state.comment_filter
        self.batches += 1
        if len(batch) == 1:
            await self._write_one(batch[0])
            return
        reqs = [req for req, _ in batch]
        try:
            outcomes = await self._with_store(
                lambda store: service.write_batch(
                    store, reqs, settings=settings, comment_filter=comment_filter
                )
            )
        except Exception:
            self.fallbacks += 1
            log.warning(
                "a batch of %d ratings failed; writing them one by one",
                len(batch),
                exc_info=True,
            )
            for item in batch:
                await self._write_one(item)
            return
        for (_, fut), outcome in zip(batch, outcomes, strict=True):
            if fut.done():
                continue
            if isinstance(outcome, Exception):
                fut.set_exception(outcome)
            else:
                fut.set_result(outcome)

    async def _write_one(self, item: Waiting) -> None:
        req, fut = item
        state = self._state
        try:
            saved = await self._with_store(
                lambda store: service.write_one(
                    store,
                    req,
                    settings=state.settings,
                    comment_filter=state.comment_filter,
                )
            )
        except Exception as exc:  # noqa: BLE001  (handed to the request that waits for it)
            if not fut.done():
                fut.set_exception(exc)
            return
        if not fut.done():
            fut.set_result(saved)
