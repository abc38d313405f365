"""The periodic-task base: rounds repeat, a failing round is logged and backed off without ending the
loop, wake() starts the next round at once, and stop() ends the loop cleanly."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from service_kit.events.consumer import FeedConsumer
from service_kit.periodic import PeriodicTask

HOUR = 3600.0


class Counting(PeriodicTask):
    """Counts its rounds; fails the rounds listed in `fail`, and tells a waiter after each round."""

    def __init__(self, *, fail: set[int] = frozenset(), **kwargs) -> None:
        super().__init__("counting", **{"interval_s": HOUR, "jitter": 0, **kwargs})
        self.rounds = 0
        self.fail = fail
        self.results: list[int] = []
        self.errors: list[str] = []
        self.done = asyncio.Queue()

    async def run_once(self) -> int:
        self.rounds += 1
        if self.rounds in self.fail:
            raise RuntimeError(f"round {self.rounds} failed")
        return self.rounds

    def succeeded(self, result: int) -> None:
        self.results.append(result)
        self.done.put_nowait(result)

    def failed(self, exc: Exception) -> None:
        super().failed(exc)
        self.errors.append(str(exc))
        self.done.put_nowait(exc)


async def next_round(task: Counting) -> object:
    return await asyncio.wait_for(task.done.get(), timeout=5)


async def test_the_first_round_runs_at_start_and_wake_runs_the_next_without_waiting_the_interval():
    task = Counting()
    task.start()
    try:
        assert await next_round(task) == 1
        task.wake()
        assert await next_round(task) == 2
        assert task.running
    finally:
        await task.stop()
    assert not task.running
    assert task.results == [1, 2]


async def test_first_wait_holds_the_first_round_back_for_one_interval():
    task = Counting(first_wait=True)
    task.start()
    try:
        await asyncio.sleep(0)  # the loop has started and is waiting
        assert task.rounds == 0
        task.wake()
        assert await next_round(task) == 1
    finally:
        await task.stop()


async def test_a_failed_round_is_logged_and_the_loop_goes_on(caplog):
    task = Counting(fail={1})
    task.start()
    try:
        first = await next_round(task)
        assert isinstance(first, RuntimeError)
        assert task.failures == 1
        task.wake()
        assert await next_round(task) == 2
        assert task.failures == 0
    finally:
        await task.stop()
    assert task.errors == ["round 1 failed"]
    assert "counting: the round failed (1 in a row)" in caplog.text


def test_failures_in_a_row_double_the_wait_up_to_the_cap():
    task = Counting(interval_s=10, backoff_cap_s=60)
    waits = []
    for failures in range(5):
        task.failures = failures
        waits.append(task.next_wait())
    assert waits == [10, 20, 40, 60, 60]


def test_a_feed_consumer_whose_source_was_down_reads_again_within_five_intervals():
    """A service started before the gateway fails its first reads of the gateway's feed; once the
    gateway answers, a revoked key or a deleted account must arrive within seconds, not a minute."""
    consumer = FeedConsumer(
        name="gateway",
        base_url="http://127.0.0.1:9",
        http=cast(Any, None),
        sessionmaker=cast(Any, None),
        infra=cast(Any, None),
        handlers={},
        token=lambda: "",
        interval_s=1.0,
    )
    consumer.jitter = 0
    consumer.failures = 10
    assert consumer.next_wait() == 5.0


def test_jitter_spreads_the_wait_around_the_interval():
    task = PeriodicTask("spread", interval_s=lambda: 100.0, round=None, jitter=0.1)
    waits = {task.next_wait() for _ in range(50)}
    assert all(90 <= w <= 110 for w in waits)
    assert len(waits) > 1


async def test_stop_cancels_a_round_under_way():
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def slow() -> None:
        started.set()
        try:
            await asyncio.sleep(HOUR)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    task = PeriodicTask("slow", interval_s=HOUR, round=slow)
    task.start()
    await asyncio.wait_for(started.wait(), timeout=5)
    await asyncio.wait_for(task.stop(), timeout=5)
    assert cancelled.is_set()
    assert not task.running


async def test_run_once_is_one_round_for_tests_and_a_task_without_work_says_so():
    assert await PeriodicTask("given", interval_s=1, round=lambda: asyncio.sleep(0, result=7)).run_once() == 7
    with pytest.raises(NotImplementedError):
        await PeriodicTask("empty", interval_s=1).run_once()
