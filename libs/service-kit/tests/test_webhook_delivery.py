"""Webhook delivery as subscribers live it: each subscription on its own (a slow one delays only
itself, no transaction open while a subscriber holds a request, two replicas never deliver one event
twice at once), and dead letters after the retry schedule, which an official sees and replays."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import text

from service_kit.db import make_sessionmaker
from service_kit.events.dispatcher import WebhookDispatcher
from service_kit.testing import running_app
from tests.conftest import Settings, Subscriber, infra, make_app, metadata

SUBDISTRICT = {"subdistrict": "jingshan"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    # A short schedule: two more attempts, at once, then a dead letter.
    return Settings(
        database_url=database_url, environment="test", run_background_tasks=False, webhook_retry_schedule_s=[0, 0]
    )


async def _subscribe(client, headers, url) -> dict:
    resp = await client.post("/api/v1/webhooks", json={"url": url, "event_types": ["note.*"]}, headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json()


async def _note(client, auth, text_: str) -> None:
    assert (await client.post("/api/v1/notes", json={"text": text_}, headers=auth())).status_code == 201


def _texts(subscriber: Subscriber) -> list[str]:
    return [e["data"]["text"] for e in subscriber.events()]


async def _eventually(check: Callable[[], bool], within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.02)
    return check()


@pytest_asyncio.fixture
async def live(settings, tmp_path, engine) -> AsyncIterator[tuple[Any, Any]]:
    """The app on sessions that commit for real, as in production (the tests' usual sessions share one
    rolled-back connection); its dispatcher runs rounds every 0.2 s once started. The tables are
    emptied afterwards."""
    settings.webhook_dispatch_interval_s = 0.2
    settings.webhook_timeout_s = 10
    app = make_app(settings, tmp_path)
    try:
        async with running_app(app, engine, make_sessionmaker(engine)) as client:
            yield app, client
    finally:
        async with engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                await conn.execute(table.delete())


async def _idle_in_transaction(engine) -> int:
    async with engine.connect() as conn:
        return int(
            (
                await conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND state LIKE 'idle in transaction%'"
                    )
                )
            ).scalar_one()
        )


class TestEachSubscriptionOnItsOwn:
    async def test_a_slow_subscriber_delays_only_itself(self, live, auth, engine):
        app, client = live
        slow, fast = Subscriber(delay_s=5), Subscriber()
        try:
            # The slow one first: one queue over the subscriptions served it first.
            await _subscribe(client, auth(), slow.url)
            await _subscribe(client, auth(), fast.url)
            await _note(client, auth, "one")
            app.state.dispatcher.start()

            assert await _eventually(lambda: len(fast.received) == 1, within=1.5), "the fast subscriber waited"
            assert await asyncio.to_thread(slow.holding.wait, 2)
            # While the slow subscriber holds its request, a write goes through at once (SQLite has one
            # connection: a transaction held across the POST would keep it) and none is left open.
            started = time.monotonic()
            await _note(client, auth, "two")
            assert time.monotonic() - started < 1
            if engine.dialect.name == "postgresql":
                assert await _idle_in_transaction(engine) == 0
            assert await _eventually(lambda: len(fast.received) == 2, within=1.5)
            assert _texts(fast) == ["one", "two"]
            assert slow.received == [], "the slow subscriber is still holding the first request"
        finally:
            await app.state.dispatcher.stop()
            slow.close()
            fast.close()

    async def test_two_replicas_never_deliver_an_event_twice_at_once(self, live, auth, engine):
        app, client = live
        subscriber = Subscriber(delay_s=0.5)
        try:
            await _subscribe(client, auth(), subscriber.url)
            await _note(client, auth, "once")
            replicas = [
                WebhookDispatcher(
                    sessionmaker=make_sessionmaker(engine),
                    infra=infra,
                    source="kit-test",
                    http=app.state.webhook_http,
                    allow_private=True,
                    timeout_s=5,
                )
                for _ in range(2)
            ]
            delivered = await asyncio.gather(*(r.dispatch_once() for r in replicas))
            assert sorted(delivered) == [0, 1]
            assert _texts(subscriber) == ["once"]
        finally:
            subscriber.close()


class TestDeadLetters:
    async def test_after_the_schedule_the_stream_goes_on_and_an_official_replays_it(
        self, app, client, auth, subscriber
    ):
        sub = await _subscribe(client, auth(), subscriber.url)
        path = f"/api/v1/webhooks/{sub['id']}"
        await _note(client, auth, "first")
        await _note(client, auth, "second")
        dispatcher = app.state.dispatcher
        subscriber.fail_next = 3
        assert await dispatcher.dispatch_once() == 0
        assert (await client.get(path, headers=auth())).json()["attempts"] == 1
        assert await dispatcher.dispatch_once() == 0
        # The third attempt fails: the schedule is spent, and the next event is delivered after it.
        assert await dispatcher.dispatch_once() == 1
        assert _texts(subscriber) == ["second"]
        state = (await client.get(path, headers=auth())).json()
        assert state["active"] is True and state["attempts"] == 0 and state["next_attempt_at"] is None

        letters = (await client.get(f"{path}/dead-letters", headers=auth())).json()
        assert len(letters) == 1
        letter = letters[0]
        assert letter["attempts"] == 3 and letter["last_status"] == 503 and letter["last_error"] == "answered 503"
        assert letter["delivered_at"] is None and letter["replay_requested_at"] is None
        deliveries = (await client.get(f"{path}/deliveries", headers=auth())).json()
        assert [(d["attempt"], d["succeeded"]) for d in deliveries] == [(1, True), (3, False), (2, False), (1, False)]
        assert all(d["duration_ms"] is not None and d["duration_ms"] >= 0 for d in deliveries)

        replay = f"{path}/dead-letters/{letter['id']}/replay"
        # A replay that fails again is recorded on the letter, which stays dead.
        subscriber.fail_next = 1
        asked = await client.post(replay, headers=auth())
        assert asked.status_code == 202 and asked.json()["replay_requested_at"] is not None
        assert await dispatcher.dispatch_once() == 0
        again = (await client.get(f"{path}/dead-letters", headers=auth())).json()[0]
        assert again["attempts"] == 4 and again["delivered_at"] is None and again["replay_requested_at"] is None

        assert (await client.post(replay, headers=auth())).status_code == 202
        assert await dispatcher.dispatch_once() == 1
        assert _texts(subscriber) == ["second", "first"]
        assert subscriber.events()[1]["id"] == letter["event_id"], "a replay carries the event's id"
        done = (await client.get(f"{path}/dead-letters", headers=auth())).json()[0]
        assert done["attempts"] == 5 and done["delivered_at"] is not None and done["replayed_by"] == "u1"
        latest = (await client.get(f"{path}/deliveries", params={"limit": 1}, headers=auth())).json()[0]
        assert latest["event_id"] == letter["event_id"] and latest["attempt"] == 5 and latest["succeeded"]

    async def test_residents_operators_auditors_and_subdistrict_officials_cannot_replay(
        self, app, client, auth, subscriber
    ):
        sub = await _subscribe(client, auth(), subscriber.url)
        path = f"/api/v1/webhooks/{sub['id']}"
        await _note(client, auth, "lost")
        subscriber.fail_next = 3
        for _ in range(3):
            await app.state.dispatcher.dispatch_once()
        letters = (await client.get(f"{path}/dead-letters", headers=auth())).json()
        assert len(letters) == 1
        replay = f"{path}/dead-letters/{letters[0]['id']}/replay"
        for who in (
            auth("resident", sub="r-1"),
            auth("operator", sub="o-1", operator_id=3),
            auth("official", sub="u-9", **SUBDISTRICT),
        ):
            assert (await client.get(f"{path}/dead-letters", headers=who)).status_code == 403
            assert (await client.post(replay, headers=who)).status_code == 403
        auditor = auth("auditor", sub="a-1")
        assert (await client.get(f"{path}/dead-letters", headers=auditor)).status_code == 200
        assert (await client.post(replay, headers=auditor)).status_code == 403
        assert (
            await client.post(f"{path}/dead-letters/{letters[0]['id'] + 1}/replay", headers=auth())
        ).status_code == 404
        await app.state.dispatcher.dispatch_once()
        assert subscriber.received == [], "nothing was replayed"
