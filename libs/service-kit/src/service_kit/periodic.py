"""Work a service repeats in the background: a sweep, a feed reader, the webhook dispatcher.

A `PeriodicTask` runs one round, waits its interval (a little jittered, so replicas started together
drift apart), and runs again; a round that fails is logged and the wait grows (doubling, capped)
until a round succeeds. `wake()` starts the next round at once. The runtime starts the tasks in the
lifespan (only where background work runs) and stops them on shutdown; tests call `run_once()`.

    class Sweep(PeriodicTask):
        async def run_once(self) -> list[int]:
            ...

    app.state.background.append(Sweep("erasure", interval_s=lambda: settings.sweep_interval_s))
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

Interval = float | Callable[[], float]


class PeriodicTask:
    """Runs `run_once()` every `interval_s` seconds (a number, or a function read before each wait).

    - `first_wait`: wait one interval before the first round (default: run at once).
    - `jitter`: each wait is the interval times a factor drawn from [1 - jitter, 1 + jitter].
    - `backoff_cap_s`: after n failed rounds in a row the wait is the interval × 2ⁿ, at most this.
    - `round`: the work, for a task made without a subclass.
    """

    def __init__(
        self,
        name: str,
        *,
        interval_s: Interval,
        round: Callable[[], Awaitable[Any]] | None = None,
        first_wait: bool = False,
        jitter: float = 0.1,
        backoff_cap_s: float = 60.0,
        logger: logging.Logger | None = None,
    ) -> None:
        self.name = name
        self._interval = interval_s
        self._round = round
        self.first_wait = first_wait
        self.jitter = jitter
        self.backoff_cap_s = backoff_cap_s
        self.log = logger or logging.getLogger(f"service_kit.periodic.{name}")
        self.failures = 0
        # Wall-clock times (epoch seconds) for /metrics: when the loop started, when a round last succeeded.
        self.started_at: float | None = None
        self.last_success_at: float | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    # What a task does

    async def run_once(self) -> Any:
        """One round of the work. Subclasses override it (or pass `round`)."""
        if self._round is None:
            raise NotImplementedError(f"{type(self).__name__} has no round of work")
        return await self._round()

    def succeeded(self, result: Any) -> None:
        """Called after each round that returned (to log what it did)."""

    def failed(self, exc: Exception) -> None:
        """Called after each round that raised; the loop goes on."""
        self.log.exception("%s: the round failed (%d in a row)", self.name, self.failures)

    # The loop

    def interval(self) -> float:
        return float(self._interval() if callable(self._interval) else self._interval)

    def next_wait(self) -> float:
        """Seconds until the next round: the interval, doubled per failure in a row (capped), jittered."""
        wait = self.interval()
        if self.failures:
            wait = min(wait * 2**self.failures, max(self.backoff_cap_s, wait))
        if self.jitter:
            wait *= random.uniform(1 - self.jitter, 1 + self.jitter)  # spreading rounds apart, not secrecy
        return wait

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if not self.running:
            self.started_at = time.time()
            self._wake = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Cancel the loop and wait for it to end (a round under way is cancelled with it)."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    def wake(self) -> None:
        """Start the next round now instead of at the end of the wait."""
        self._wake.set()

    async def tick(self) -> None:
        """One round as the loop runs it: the result or the failure recorded, never raised."""
        try:
            result = await self.run_once()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.failures += 1
            self.failed(exc)
        else:
            self.failures = 0
            self.last_success_at = time.time()
            self.succeeded(result)

    async def _sleep(self) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=self.next_wait())
        except TimeoutError:
            pass
        self._wake.clear()

    async def _run(self) -> None:
        if self.first_wait:
            await self._sleep()
        while True:
            await self.tick()
            await self._sleep()
