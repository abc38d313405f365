"""The outbox, the feed, and webhooks delivered signed, retried and never lost."""

from sqlalchemy import select
from standardwebhooks import Webhook

from service_kit.events.dispatcher import RETRY_SCHEDULE_S, WebhookDispatcher, retry_wait_s
from tests.conftest import infra


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

    async def test_the_retry_schedule_is_svixs_then_a_dead_letter(self):
        assert [retry_wait_s(n, RETRY_SCHEDULE_S) for n in range(1, 9)] == [
            5,
            300,
            1800,
            7200,
            18000,
            36000,
            36000,
            None,
        ]

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
