"""The outbox, the feed, and webhooks delivered signed, retried and never lost."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy import select
from standardwebhooks import Webhook

from service_kit.events.dispatcher import WebhookDispatcher, backoff_seconds
from service_kit.events.outbox import _OUTBOX_LOCK, PendingEvent
from tests.conftest import infra, outbox


def dispatcher_for(app, sessionmaker) -> WebhookDispatcher:
    return WebhookDispatcher(
        sessionmaker=sessionmaker,
        infra=infra,
        source="kit-test",
        http=app.state.http,
        allow_private=True,
        timeout_s=2,
    )


async def _note(client, auth, text):
    resp = await client.post("/api/v1/notes", json={"text": text}, headers=auth())
    assert resp.status_code == 201
    return resp.json()


class TestFeed:
    async def test_events_in_order_from_any_point(self, client, auth):
        for t in ("a", "b", "c"):
            await _note(client, auth, t)
        page = (await client.get("/api/v1/events", headers=auth())).json()
        assert [e["data"]["text"] for e in page["items"]] == ["a", "b", "c"]
        first = page["items"][0]
        assert first["type"] == "note.created" and first["source"] == "kit-test" and first["specversion"] == "1.0"
        rest = (await client.get("/api/v1/events", params={"after": first["sequence"]}, headers=auth())).json()
        assert [e["data"]["text"] for e in rest["items"]] == ["b", "c"]
        assert rest["next_after"] == page["items"][-1]["sequence"]

    async def test_a_refused_change_writes_no_event(self, client, auth):
        await _note(client, auth, "once")
        assert (await client.post("/api/v1/notes", json={"text": "once"}, headers=auth())).status_code == 409
        assert len((await client.get("/api/v1/events", headers=auth())).json()["items"]) == 1

    async def test_residents_cannot_read_the_feed(self, client, auth):
        assert (await client.get("/api/v1/events", headers=auth("resident"))).status_code == 403
        assert (await client.get("/api/v1/events")).status_code == 401

    async def test_integration_client_with_scope_reads_it(self, client, auth):
        assert (
            await client.get("/api/v1/events", headers=auth("integration", scopes=["events:read"]))
        ).status_code == 200
        assert (await client.get("/api/v1/events", headers=auth("integration", scopes=[]))).status_code == 403


class TestWebhooks:
    async def _subscribe(self, client, auth, url, types=("note.*",)):
        resp = await client.post("/api/v1/webhooks", json={"url": url, "event_types": list(types)}, headers=auth())
        assert resp.status_code == 201, resp.text
        return resp.json()

    async def test_delivered_signed_with_standard_webhooks(self, client, auth, app, sessionmaker, subscriber):
        sub = await self._subscribe(client, auth, subscriber.url)
        await _note(client, auth, "signed")
        assert await dispatcher_for(app, sessionmaker).dispatch_once() == 1
        headers, body = subscriber.received[0]
        payload = Webhook(sub["secret"]).verify(body, headers)
        assert payload["type"] == "note.created" and payload["data"]["text"] == "signed"
        assert headers["webhook-id"] == payload["id"]

    async def test_only_subscribed_types_are_sent(self, client, auth, app, sessionmaker, subscriber):
        await self._subscribe(client, auth, subscriber.url, types=("note.deleted",))
        await _note(client, auth, "not for you")
        assert await dispatcher_for(app, sessionmaker).dispatch_once() == 0
        assert subscriber.received == []
        listed = (await client.get("/api/v1/webhooks", headers=auth())).json()[0]
        assert listed["delivered_sequence"] > 0, "the cursor moves past events nobody wants"

    async def test_failure_is_retried_with_backoff_and_nothing_is_lost(
        self, client, auth, app, sessionmaker, subscriber
    ):
        sub = await self._subscribe(client, auth, subscriber.url)
        await _note(client, auth, "first")
        await _note(client, auth, "second")
        subscriber.fail_next = 1
        assert await dispatcher_for(app, sessionmaker).dispatch_once() == 0
        state = (await client.get(f"/api/v1/webhooks/{sub['id']}", headers=auth())).json()
        assert state["attempts"] == 1 and state["last_status"] == 503 and state["next_attempt_at"] is not None
        # Not due yet: a new dispatcher (as after a restart) waits for the backoff.
        assert await dispatcher_for(app, sessionmaker).dispatch_once() == 0
        async with sessionmaker() as session:
            t = infra.webhook_subscription
            await session.execute(t.update().values(next_attempt_at=None))
            await session.commit()
        assert await dispatcher_for(app, sessionmaker).dispatch_once() == 2
        assert [e["data"]["text"] for e in subscriber.events()] == ["first", "second"]
        deliveries = (await client.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=auth())).json()
        assert [d["succeeded"] for d in deliveries] == [True, True, False]

    async def test_backoff_doubles_and_is_capped(self):
        assert [backoff_seconds(n, 60) for n in (1, 2, 3, 10)] == [2, 4, 8, 60]

    async def test_private_url_refused_when_settings_say_so(self, client, auth, app):
        app.state.settings.allow_private_webhook_urls = False
        resp = await client.post(
            "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x", "event_types": ["*"]}, headers=auth()
        )
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["code"] == "webhook-url-private"

    async def test_unknown_event_type_is_refused(self, client, auth, subscriber):
        resp = await client.post(
            "/api/v1/webhooks", json={"url": subscriber.url, "event_types": ["nope.created"]}, headers=auth()
        )
        assert resp.status_code == 422

    async def test_only_officials_subscribe(self, client, auth, subscriber):
        resp = await client.post(
            "/api/v1/webhooks", json={"url": subscriber.url, "event_types": ["*"]}, headers=auth("resident")
        )
        assert resp.status_code == 403

    async def test_delete_stops_deliveries(self, client, auth, app, sessionmaker, subscriber):
        sub = await self._subscribe(client, auth, subscriber.url)
        assert (await client.delete(f"/api/v1/webhooks/{sub['id']}", headers=auth())).status_code == 204
        await _note(client, auth, "gone")
        await dispatcher_for(app, sessionmaker).dispatch_once()
        assert subscriber.received == []
        async with sessionmaker() as session:
            assert (await session.execute(select(infra.webhook_subscription))).first() is None


@pytest_asyncio.fixture
async def raw_connection(engine, database_url) -> AsyncIterator[Callable[[], Awaitable[Any]]]:
    """Opens asyncpg connections to the test database (PostgreSQL only), closed at the end."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the driver path and its advisory lock are PostgreSQL's")
    async with contextlib.AsyncExitStack() as stack:

        async def open_one() -> Any:
            connection = await stack.enter_async_context(engine.connect())
            return (await connection.get_raw_connection()).driver_connection

        yield open_one


async def _holding_the_outbox_lock(holder) -> Any:
    held = holder.transaction()
    await held.start()
    await holder.execute("SELECT pg_advisory_xact_lock($1)", _OUTBOX_LOCK)
    return held


async def _events_after(connection, seq: int) -> list[Any]:
    return await connection.fetch(
        f'SELECT id, subject, data FROM "{infra.event.name}" WHERE seq > $1 ORDER BY seq', seq
    )


class TestOutboxOnTheDriver:
    """record_many_on_driver(): events written on an asyncpg connection take the outbox lock before they
    draw sequence numbers, so the feed never shows a later number committed before an earlier one."""

    async def test_waits_for_the_outbox_lock_then_records_in_list_order(self, raw_connection):
        holder, writer = await raw_connection(), await raw_connection()
        before = await writer.fetchval(f'SELECT coalesce(max(seq), 0) FROM "{infra.event.name}"')
        held = await _holding_the_outbox_lock(holder)
        events = [PendingEvent("note.created", {"n": n, "text": "笔记 ✓"}, subject=f"note/{n}") for n in range(3)]

        async def record() -> list[str]:
            async with writer.transaction():
                return await outbox.record_many_on_driver(writer, events)

        recording = asyncio.create_task(record())
        await asyncio.sleep(0.5)
        assert not recording.done()  # waiting for the lock another transaction holds
        await held.rollback()
        ids = await asyncio.wait_for(recording, timeout=10)
        rows = await _events_after(writer, before)
        assert [r["id"] for r in rows] == ids
        assert [r["subject"] for r in rows] == ["note/0", "note/1", "note/2"]
        assert [r["data"] for r in rows] == [e.data for e in events]  # Chinese and symbols as given
        await writer.execute(f'DELETE FROM "{infra.event.name}" WHERE seq > $1', before)

    async def test_changes_named_first_are_made_before_the_lock_is_waited_for(self, raw_connection):
        holder, writer, probe = await raw_connection(), await raw_connection(), await raw_connection()
        before = await writer.fetchval(f'SELECT coalesce(max(seq), 0) FROM "{infra.event.name}"')
        held = await _holding_the_outbox_lock(holder)
        events = [PendingEvent("note.created", {"n": n}, subject=f"note/{n}") for n in range(2)]
        # the change and its events in one statement (autocommit), the events last
        statement = (
            "WITH changed AS (INSERT INTO note (text) SELECT unnest($1::text[]) RETURNING id) "
            + outbox.driver_insert(2, after="SELECT count(*) FROM changed")
        )
        recording = asyncio.create_task(writer.execute(statement, ["第一条", "第二条"], *outbox.driver_args(events)))
        await asyncio.sleep(0.5)
        assert not recording.done()  # waiting for the lock
        # the notes are already inserted (uncommitted): inserting the same text waits for the writer
        with pytest.raises(asyncpg.LockNotAvailableError):
            async with probe.transaction():
                await probe.execute("SET LOCAL lock_timeout = '100ms'")
                await probe.execute("INSERT INTO note (text) VALUES ('第一条')")
        await held.rollback()
        await asyncio.wait_for(recording, timeout=10)
        assert [r["subject"] for r in await _events_after(writer, before)] == ["note/0", "note/1"]
        assert await writer.fetchval("SELECT count(*) FROM note WHERE text IN ('第一条', '第二条')") == 2
        await writer.execute(f'DELETE FROM "{infra.event.name}" WHERE seq > $1', before)
        await writer.execute("DELETE FROM note WHERE text IN ('第一条', '第二条')")
