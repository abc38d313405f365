"""What an operator reads on /metrics moves as the platform does: the outbox backlog and its age,
webhook subscriptions failing and dead-lettering, the database pool in use and waited for, feed
consumers falling behind, background tasks succeeding. And only the operator's networks may read
it (or /readyz): a public client gets 404."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update
from sqlalchemy.ext.asyncio import create_async_engine

from service_kit.clock import utcnow
from service_kit.events.consumer import FeedConsumer
from service_kit.periodic import PeriodicTask
from service_kit.testing import running_app
from tests.conftest import Settings, infra, make_app

PUBLIC = ("203.0.113.7", 40000)


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Two attempts at an event, then a dead letter.
    return Settings(
        database_url=database_url, environment="test", run_background_tasks=False, webhook_retry_schedule_s=[0]
    )


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """/metrics as Prometheus reads it: (sample name, labels but `service`) → value."""
    resp = await client.get("/metrics")
    assert resp.status_code == 200, resp.text
    samples = {}
    for family in text_string_to_metric_families(resp.text):
        for s in family.samples:
            labels = frozenset((k, v) for k, v in s.labels.items() if k != "service")
            samples[(s.name, labels)] = s.value
    return samples


def value(samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


async def _subscribe(client, auth, url: str) -> str:
    resp = await client.post("/api/v1/webhooks", json={"url": url, "event_types": ["note.*"]}, headers=auth())
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


async def _note(client, auth, text: str) -> None:
    assert (await client.post("/api/v1/notes", json={"text": text}, headers=auth())).status_code == 201


class TestOutboxAndWebhooks:
    async def test_an_unpublished_event_raises_the_backlog_and_its_age_until_delivered(
        self, app, client, auth, subscriber, sessionmaker
    ):
        before = await scrape(client)
        assert value(before, "culture_ops_outbox_unpublished_events") == 0
        assert value(before, "culture_ops_outbox_oldest_unpublished_age_seconds") == 0

        sub_id = await _subscribe(client, auth, subscriber.url)
        await _note(client, auth, "waiting")
        # The event was written ten minutes ago and nobody has had it yet.
        async with sessionmaker() as session:
            await session.execute(update(infra.event).values(occurred_at=utcnow() - timedelta(minutes=10)))
            await session.commit()
        waiting = await scrape(client)
        assert value(waiting, "culture_ops_outbox_unpublished_events") == 1
        assert value(waiting, "culture_ops_outbox_oldest_unpublished_age_seconds") >= 600
        assert value(waiting, "culture_ops_webhook_pending_events", subscription=sub_id) == 1
        head = value(waiting, "culture_ops_event_feed_head_sequence")
        assert head is not None and head >= 1

        assert await app.state.dispatcher.dispatch_once() == 1
        delivered = await scrape(client)
        assert value(delivered, "culture_ops_outbox_unpublished_events") == 0
        assert value(delivered, "culture_ops_outbox_oldest_unpublished_age_seconds") == 0
        assert value(delivered, "culture_ops_webhook_pending_events", subscription=sub_id) == 0

    async def test_a_failing_subscription_then_its_dead_letter_show_per_subscription(
        self, app, client, auth, subscriber
    ):
        healthy = await _subscribe(client, auth, subscriber.url)
        broken = await _subscribe(client, auth, "http://127.0.0.1:9/hook")  # nothing listens there
        await _note(client, auth, "one")
        dispatcher = app.state.dispatcher

        await dispatcher.dispatch_once()
        failing = await scrape(client)
        assert value(failing, "culture_ops_webhook_failing_attempts", subscription=broken) == 1
        assert value(failing, "culture_ops_webhook_failing_attempts", subscription=healthy) == 0
        assert value(failing, "culture_ops_webhook_dead_letters", subscription=broken) == 0
        assert value(failing, "culture_ops_outbox_unpublished_events") == 1

        await dispatcher.dispatch_once()  # the schedule is spent: a dead letter
        dead = await scrape(client)
        assert value(dead, "culture_ops_webhook_dead_letters", subscription=broken) == 1
        assert value(dead, "culture_ops_webhook_dead_letters", subscription=healthy) == 0
        assert value(dead, "culture_ops_webhook_failing_attempts", subscription=broken) == 0
        assert value(dead, "culture_ops_outbox_unpublished_events") == 0


class TestPool:
    async def test_connections_in_use_and_checkouts_waiting_for_one(self, app, database_url, sessionmaker):
        # A pool of one connection, so that one checkout is enough to make the next wait.
        small = create_async_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=30)
        try:
            async with running_app(app, small, sessionmaker) as client:
                idle = await scrape(client)
                assert value(idle, "culture_ops_db_pool_size") == 1
                assert value(idle, "culture_ops_db_pool_checked_out") == 0
                assert value(idle, "culture_ops_db_pool_waiting") == 0

                held = await small.connect()
                waiter = asyncio.create_task(small.connect().start())
                await asyncio.sleep(0.05)
                busy = await scrape(client)
                assert value(busy, "culture_ops_db_pool_checked_out") == 1
                assert value(busy, "culture_ops_db_pool_waiting") == 1

                await held.close()
                await (await waiter).close()
                after = await scrape(client)
                assert value(after, "culture_ops_db_pool_waiting") == 0
                assert value(after, "culture_ops_db_pool_checked_out") == 0
        finally:
            await small.dispose()


class TestBackgroundWork:
    async def test_a_task_round_records_its_last_success_and_a_failing_one_counts(self, app, client):
        outcomes = [RuntimeError("the first round fails"), None]
        done = asyncio.Event()

        async def round() -> None:
            outcome = outcomes.pop(0)
            done.set()
            if outcome is not None:
                raise outcome

        task = PeriodicTask("nightly-sweep", interval_s=3600, jitter=0, backoff_cap_s=0.01, round=round)
        app.state.background.append(task)
        task.start()
        try:
            await asyncio.wait_for(done.wait(), 5)
            await asyncio.sleep(0.01)
            failed = await scrape(client)
            assert (
                value(failed, "culture_ops_background_task_last_success_timestamp_seconds", task="nightly-sweep")
                is None
            )
            assert value(failed, "culture_ops_background_task_consecutive_failures", task="nightly-sweep") == 1
            assert value(failed, "culture_ops_background_task_interval_seconds", task="nightly-sweep") == 3600

            done.clear()
            started = time.time()
            task.wake()
            await asyncio.wait_for(done.wait(), 5)
            await asyncio.sleep(0.01)
            succeeded = await scrape(client)
            last = value(succeeded, "culture_ops_background_task_last_success_timestamp_seconds", task="nightly-sweep")
            assert last is not None and started <= last <= time.time()
            assert value(succeeded, "culture_ops_background_task_consecutive_failures", task="nightly-sweep") == 0
        finally:
            await task.stop()

    async def test_other_background_work_beside_the_tasks_leaves_the_scrape_whole(self, app, client):
        class Client:  # a service's background list also holds clients with a start and a stop
            async def stop(self) -> None:
                pass

        app.state.background.append(Client())
        samples = await scrape(client)
        assert value(samples, "culture_ops_outbox_unpublished_events") == 0

    async def test_a_feed_consumer_reports_its_cursor_and_how_long_since_it_caught_up(self, app, client):
        feed_up = True

        def feed(request: httpx.Request) -> httpx.Response:
            if not feed_up:
                return httpx.Response(503)
            after = int(request.url.params["after"])
            if after >= 7:
                return httpx.Response(200, json={"items": [], "next_after": after})
            items = [{"type": "other.thing", "sequence": seq} for seq in range(after + 1, 8)]
            return httpx.Response(200, json={"items": items, "next_after": 7})

        http = httpx.AsyncClient(transport=httpx.MockTransport(feed))
        consumer = FeedConsumer(
            name="upstream-api",
            base_url="http://upstream.test",
            http=http,
            sessionmaker=app.state.sessionmaker,
            infra=infra,
            handlers={},
            token=lambda: "t",
            interval_s=3600,
        )
        consumer.jitter = 0
        app.state.background.append(consumer)
        consumer.start()
        try:
            for _ in range(100):
                if consumer.last_success_at is not None:
                    break
                await asyncio.sleep(0.02)
            caught_up = await scrape(client)
            assert value(caught_up, "culture_ops_feed_consumer_cursor_sequence", source="upstream-api") == 7
            assert value(caught_up, "culture_ops_feed_consumer_seconds_behind", source="upstream-api") < 5

            # The source goes down: the consumer's rounds fail and the time since it caught up grows.
            feed_up = False
            consumer.last_success_at = time.time() - 120  # as if the last good round were two minutes ago
            consumer.wake()
            for _ in range(100):
                if consumer.failures:
                    break
                await asyncio.sleep(0.02)
            behind = await scrape(client)
            assert value(behind, "culture_ops_feed_consumer_seconds_behind", source="upstream-api") >= 120
            assert value(behind, "culture_ops_background_task_consecutive_failures", task="upstream-api") == 1
        finally:
            await consumer.stop()
            await http.aclose()


class TestWhoMayLook:
    async def test_a_public_client_gets_404_for_metrics_and_readiness(self, app, client):
        public = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False, client=PUBLIC),
            base_url="http://testserver",
        )
        async with public:
            for path in ("/metrics", "/readyz"):
                resp = await public.get(path)
                assert resp.status_code == 404, path
                assert "culture_ops" not in resp.text and "checks" not in resp.text
            assert (await public.get("/healthz")).status_code == 200
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.get("/metrics")).status_code == 200

    @pytest.mark.parametrize(
        "headers",
        [
            {"x-forwarded-for": "203.0.113.7"},
            {"x-forwarded-for": "10.0.0.5, 203.0.113.7"},
            {"x-forwarded-for": "203.0.113.7, 10.0.0.5"},
            {"forwarded": "for=203.0.113.7;proto=https"},
            {"forwarded": 'for="[2001:db8::1]:443"'},
            {"x-real-ip": "203.0.113.7"},
            {"x-forwarded-for": "unknown"},
        ],
    )
    async def test_a_public_client_relayed_by_a_private_proxy_gets_404(self, client, headers):
        assert (await client.get("/metrics", headers=headers)).status_code == 404
        assert (await client.get("/readyz", headers=headers)).status_code == 404

    async def test_the_networks_allowed_are_a_setting(self, database_url, tmp_path, engine, sessionmaker):
        settings = Settings(
            database_url=database_url, environment="test", run_background_tasks=False, metrics_allow="203.0.113.0/24"
        )
        app = make_app(settings, tmp_path)
        async with running_app(app, engine, sessionmaker) as loopback:
            assert (await loopback.get("/metrics")).status_code == 404
            public = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app, client=PUBLIC), base_url="http://testserver"
            )
            async with public:
                assert (await public.get("/metrics")).status_code == 200

    def test_production_requires_the_networks_and_refuses_a_malformed_one(self):
        production = {
            "environment": "production",
            "database_url": "postgresql+asyncpg://u@db/x",
            "jwt_secret": "s" * 40,
        }
        with pytest.raises(ValueError, match="METRICS_ALLOW"):
            Settings(**production)
        with pytest.raises(ValueError, match="METRICS_ALLOW"):
            Settings(**production, metrics_allow="10.0.0.0/8, not-a-network")
        assert Settings(**production, metrics_allow="10.0.0.0/8").metrics_allow == "10.0.0.0/8"
