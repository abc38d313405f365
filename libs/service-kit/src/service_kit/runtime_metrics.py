"""What an operator needs to see inside a service, read when /metrics is scraped: the database pool,
the outbox, webhook deliveries per subscription, feed consumers and background tasks.

Nothing is counted per event: `refresh()` runs three short queries per scrape (one session), and the
collector hands Prometheus what the last refresh read. The meanings, as the HELP texts say:

- An outbox event is *unpublished* while some active webhook subscription has not passed it (its
  delivered sequence is below the event's): the dispatcher moves a subscription past an event when
  it is delivered, dead-lettered, or not of a type the subscription wants. Feed readers pull on their
  own and keep their cursors in their own databases, so the source cannot count them: their lag is
  reported by the consumer (its cursor here, the source's head there, and the seconds since it last
  read its feed to the end). With no active subscription nothing is unpublished.
- A subscription's *pending* events are those past its cursor (of any type; those it does not want
  are skipped when reached); *failing* is the number of failed attempts in a row at the event it is
  retrying (0 when healthy); *dead* are its dead letters that no replay has delivered yet.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service_kit.clock import utcnow
from service_kit.events.consumer import FeedConsumer
from service_kit.infra_tables import InfraTables
from service_kit.periodic import PeriodicTask

PREFIX = "culture_ops_"


@dataclass
class Snapshot:
    """What one refresh read (absent parts are left out of the scrape, not reported as zero)."""

    outbox: tuple[int, int, float] | None = None  # head sequence, unpublished rows, oldest age (s)
    subscriptions: list[tuple[str, bool, int, int, int]] = field(default_factory=list)
    cursors: list[tuple[str, int]] = field(default_factory=list)


class RuntimeCollector(Collector):
    """A prometheus_client collector for one app. `refresh()` (async, at scrape time) reads the
    database; `collect()` (what `generate_latest` calls) reports the last reading and the in-process
    facts (pool, tasks), which cost nothing to read."""

    def __init__(self, service: str, state: Any) -> None:
        self.service = service
        self.state = state
        self.snapshot = Snapshot()

    async def refresh(self) -> None:
        """Read the outbox, subscriptions and cursors; a failed read leaves them out of this scrape
        (the request metrics and /readyz say the database is down)."""
        maker: async_sessionmaker[AsyncSession] | None = getattr(self.state, "sessionmaker", None)
        infra: InfraTables | None = getattr(self.state, "infra", None)
        if maker is None or infra is None:
            return
        try:
            async with maker() as session:
                self.snapshot = await read_snapshot(session, infra)
        except Exception:
            self.snapshot = Snapshot()

    def collect(self) -> Iterable[Metric]:
        yield from self._pool()
        yield from self._outbox()
        yield from self._webhooks()
        yield from self._consumers()
        yield from self._tasks()

    # Families

    def _gauge(self, name: str, documentation: str, labels: Iterable[str] = ()) -> GaugeMetricFamily:
        return GaugeMetricFamily(PREFIX + name, documentation, labels=["service", *labels])

    def _pool(self) -> Iterator[Metric]:
        engine = getattr(self.state, "engine", None)
        pool = getattr(engine, "pool", None)
        if pool is None or not hasattr(pool, "checkedout"):
            return
        svc = [self.service]
        size = self._gauge("db_pool_size", "Connections the database pool keeps (its configured size).")
        size.add_metric(svc, pool.size())
        yield size
        limit = self._gauge("db_pool_max_overflow", "Connections the pool may open beyond its size.")
        limit.add_metric(svc, max(0, getattr(pool, "_max_overflow", 0)))
        yield limit
        out = self._gauge("db_pool_checked_out", "Database connections in use right now (checked out of the pool).")
        out.add_metric(svc, pool.checkedout())
        yield out
        over = self._gauge("db_pool_overflow", "Connections open beyond the pool's size right now.")
        over.add_metric(svc, max(0, pool.overflow()))
        yield over
        waiting = pool_waiting(pool)
        if waiting is not None:
            w = self._gauge(
                "db_pool_waiting",
                "Checkouts waiting right now for a connection to be returned (the pool and its overflow are in use).",
            )
            w.add_metric(svc, waiting)
            yield w

    def _outbox(self) -> Iterator[Metric]:
        if self.snapshot.outbox is None:
            return
        head, unpublished, age = self.snapshot.outbox
        svc = [self.service]
        h = self._gauge(
            "event_feed_head_sequence",
            "Sequence of the last event in this service's feed (compare a consumer's cursor with it).",
        )
        h.add_metric(svc, head)
        yield h
        u = self._gauge(
            "outbox_unpublished_events",
            "Outbox events some active webhook subscription has not passed yet (delivered, dead-lettered"
            " or skipped as unwanted); feed readers are measured on their side.",
        )
        u.add_metric(svc, unpublished)
        yield u
        a = self._gauge(
            "outbox_oldest_unpublished_age_seconds", "Age of the oldest unpublished outbox event (0 when none is)."
        )
        a.add_metric(svc, age)
        yield a

    def _webhooks(self) -> Iterator[Metric]:
        subs = self.snapshot.subscriptions
        if self.snapshot.outbox is None:
            return
        labels = ["subscription"]
        active = self._gauge("webhook_subscription_active", "1 while the subscription is delivered to.", labels)
        pending = self._gauge(
            "webhook_pending_events",
            "Events past an active subscription's cursor (any type; those it does not want are skipped when reached).",
            labels,
        )
        failing = self._gauge(
            "webhook_failing_attempts",
            "Failed attempts in a row at the event an active subscription is retrying (0: not failing).",
            labels,
        )
        dead = self._gauge("webhook_dead_letters", "A subscription's dead letters no replay has delivered yet.", labels)
        for sub_id, is_active, attempts, pending_n, dead_n in subs:
            values = [self.service, sub_id]
            active.add_metric(values, 1 if is_active else 0)
            if is_active:
                pending.add_metric(values, pending_n)
                failing.add_metric(values, attempts)
            dead.add_metric(values, dead_n)
        yield from (active, pending, failing, dead)

    def _consumers(self) -> Iterator[Metric]:
        labels = ["source"]
        cursor = self._gauge(
            "feed_consumer_cursor_sequence",
            "Sequence of the last event applied from a source's feed (the source's"
            " culture_ops_event_feed_head_sequence minus this is how many events behind it is).",
            labels,
        )
        for source, seq in self.snapshot.cursors:
            cursor.add_metric([self.service, source], seq)
        yield cursor
        behind = self._gauge(
            "feed_consumer_seconds_behind",
            "Seconds since the consumer last read its source's feed to the end (since it started, if it"
            " has not yet): an upper bound on how far behind it is, which grows by its poll interval"
            " between rounds even when nothing is waiting.",
            labels,
        )
        now = time.time()
        for task in self._all_tasks():
            if isinstance(task, FeedConsumer) and task.running:
                since = task.last_success_at or task.started_at
                if since is not None:
                    behind.add_metric([self.service, task.name], max(0.0, now - since))
        yield behind

    def _tasks(self) -> Iterator[Metric]:
        labels = ["task"]
        last = self._gauge(
            "background_task_last_success_timestamp_seconds",
            "When a background task's round last succeeded (Unix time; absent until one has).",
            labels,
        )
        interval = self._gauge(
            "background_task_interval_seconds", "A background task's interval between rounds.", labels
        )
        failures = self._gauge(
            "background_task_consecutive_failures", "Rounds of a background task that failed in a row.", labels
        )
        for task in self._all_tasks():
            if not task.running:
                continue
            values = [self.service, task.name]
            if task.last_success_at is not None:
                last.add_metric(values, task.last_success_at)
            interval.add_metric(values, task.interval())
            failures.add_metric(values, task.failures)
        yield from (last, interval, failures)

    def _all_tasks(self) -> list[PeriodicTask]:
        """The periodic tasks (the background list also holds other things with a start and a stop)."""
        candidates = [getattr(self.state, "dispatcher", None), *getattr(self.state, "background", [])]
        return [task for task in candidates if isinstance(task, PeriodicTask)]


async def read_snapshot(session: AsyncSession, infra: InfraTables) -> Snapshot:
    """Three short queries: the outbox, every subscription's state, the consumers' cursors."""
    ev, sub, dead = infra.event, infra.webhook_subscription, infra.webhook_dead_letter
    floor = select(func.min(sub.c.delivered_seq)).where(sub.c.active.is_(True)).scalar_subquery()
    head = select(func.coalesce(func.max(ev.c.seq), 0)).scalar_subquery()
    outbox = (
        await session.execute(select(head, func.count(ev.c.seq), func.min(ev.c.occurred_at)).where(ev.c.seq > floor))
    ).one()
    pending = select(func.count(ev.c.seq)).where(ev.c.seq > sub.c.delivered_seq).scalar_subquery()
    dead_n = (
        select(func.count(dead.c.id))
        .where(dead.c.subscription_id == sub.c.id, dead.c.delivered_at.is_(None))
        .scalar_subquery()
    )
    subs = (
        await session.execute(select(sub.c.id, sub.c.active, sub.c.attempts, pending, dead_n).order_by(sub.c.id))
    ).all()
    cursors = (await session.execute(select(infra.event_cursor.c.source, infra.event_cursor.c.seq))).all()
    oldest = outbox[2]
    age = max(0.0, (utcnow() - oldest).total_seconds()) if oldest is not None else 0.0
    return Snapshot(
        outbox=(int(outbox[0] or 0), int(outbox[1]), age),
        subscriptions=[(str(s.id), bool(s.active), int(s.attempts), int(s[3]), int(s[4])) for s in subs],
        cursors=[(c.source, int(c.seq)) for c in cursors],
    )


def pool_waiting(pool: Any) -> int | None:
    """Checkouts blocked on the pool's queue: the waiters of the asyncio queue inside SQLAlchemy's
    async queue pool (no counter on the checkout path). None for a pool without one."""
    queue = getattr(pool, "_pool", None)
    inner = getattr(queue, "_queue", None)
    getters = getattr(inner, "_getters", None)
    if getters is None:
        return None
    return sum(1 for waiter in getters if not waiter.done())
