"""Webhook subscriptions are the district's: tried as the subdistrict official, the integration key
that would like to see or steer another client's subscriptions, the operator's key and the auditor."""

from __future__ import annotations

import pytest

from service_kit.events.dispatcher import WebhookDispatcher
from tests.conftest import infra

SUBDISTRICT = {"subdistrict": "jingshan"}


def key(auth, key_id: int, *scopes: str) -> dict[str, str]:
    return auth("integration", sub=f"apikey:{key_id}", scopes=list(scopes))


async def _subscribe(client, headers, url) -> dict:
    resp = await client.post("/api/v1/webhooks", json={"url": url, "event_types": ["note.*"]}, headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json()


async def _note(client, auth, text):
    assert (await client.post("/api/v1/notes", json={"text": text}, headers=auth())).status_code == 201


class TestSubdistrictOfficial:
    async def test_is_refused_before_the_body_is_read(self, client, auth):
        resp = await client.post("/api/v1/webhooks", json={}, headers=auth(**SUBDISTRICT))
        assert resp.status_code == 403, "a 422 would list the fields of a route that is not theirs"
        assert "errors" not in resp.json() or not resp.json()["errors"]

    async def test_cannot_change_pause_replay_or_delete_the_districts_subscriptions(self, client, auth, subscriber):
        sub = await _subscribe(client, auth(), subscriber.url)
        mine = auth("official", sub="u-9", **SUBDISTRICT)
        path = f"/api/v1/webhooks/{sub['id']}"
        assert (await client.patch(path, json={"active": False}, headers=mine)).status_code == 403
        assert (await client.patch(path, json={"url": "http://127.0.0.1:9/x"}, headers=mine)).status_code == 403
        assert (await client.post(f"{path}/replay", json={"after": 0}, headers=mine)).status_code == 403
        assert (await client.delete(path, headers=mine)).status_code == 403
        assert (await client.get("/api/v1/webhooks", headers=mine)).status_code == 403
        kept = (await client.get(path, headers=auth())).json()
        assert kept["active"] is True and kept["url"] == subscriber.url


class TestIntegrationKeys:
    async def test_a_key_sees_and_manages_only_its_own(self, client, auth, subscriber):
        own = await _subscribe(client, key(auth, 5, "webhooks:manage"), subscriber.url)
        district = await _subscribe(client, auth(), subscriber.url)
        other = key(auth, 6, "webhooks:manage")
        assert (await client.get("/api/v1/webhooks", headers=other)).json() == []
        for method, suffix, body in [
            ("GET", "", None),
            ("GET", "/deliveries", None),
            ("GET", "/dead-letters", None),
            ("POST", "/dead-letters/1/replay", None),
            ("PATCH", "", {"active": False}),
            ("POST", "/replay", {"after": 0}),
            ("DELETE", "", None),
        ]:
            resp = await client.request(method, f"/api/v1/webhooks/{own['id']}{suffix}", json=body, headers=other)
            assert resp.status_code == 404, (method, suffix, resp.status_code)
        listed = (await client.get("/api/v1/webhooks", headers=key(auth, 5, "webhooks:manage"))).json()
        assert [w["id"] for w in listed] == [own["id"]]
        # the district official sees both
        assert {w["id"] for w in (await client.get("/api/v1/webhooks", headers=auth())).json()} == {
            own["id"],
            district["id"],
        }
        assert (await client.get(f"/api/v1/webhooks/{own['id']}", headers=auth())).json()["active"] is True

    async def test_a_key_reads_past_events_only_with_the_feeds_scope(self, client, auth, subscriber):
        await _note(client, auth, "before the subscription")
        manager = key(auth, 5, "webhooks:manage")
        own = await _subscribe(client, manager, subscriber.url)

        refused = await client.post(f"/api/v1/webhooks/{own['id']}/replay", json={"after": 0}, headers=manager)

        assert refused.status_code == 403 and "events:read" in refused.json()["detail"]
        reader = key(auth, 5, "webhooks:manage", "events:read")
        assert (
            await client.post(f"/api/v1/webhooks/{own['id']}/replay", json={"after": 0}, headers=reader)
        ).status_code == 200

    async def test_a_key_without_the_scope_is_refused(self, client, auth, subscriber):
        for scopes in ((), ("events:read",)):
            resp = await client.post(
                "/api/v1/webhooks", json={"url": subscriber.url, "event_types": ["*"]}, headers=key(auth, 7, *scopes)
            )
            assert resp.status_code == 403

    async def test_an_operators_key_or_staff_cannot_subscribe(self, client, auth, subscriber):
        body = {"url": subscriber.url, "event_types": ["*"]}
        operator_key = auth("operator", sub="apikey:8", operator_id=3, scopes=["webhooks:manage"])
        assert (await client.post("/api/v1/webhooks", json=body, headers=operator_key)).status_code == 403
        assert (
            await client.post("/api/v1/webhooks", json=body, headers=auth("operator", operator_id=3))
        ).status_code == 403


class TestAuditor:
    async def test_reads_and_changes_nothing(self, client, auth, subscriber):
        sub = await _subscribe(client, auth(), subscriber.url)
        auditor = auth("auditor", sub="a-1")
        path = f"/api/v1/webhooks/{sub['id']}"
        assert (await client.get("/api/v1/webhooks", headers=auditor)).status_code == 200
        assert (await client.get(path, headers=auditor)).status_code == 200
        assert (await client.get(f"{path}/deliveries", headers=auditor)).status_code == 200
        assert (await client.post("/api/v1/webhooks", json={}, headers=auditor)).status_code == 403
        assert (await client.patch(path, json={"active": False}, headers=auditor)).status_code == 403
        assert (await client.post(f"{path}/replay", json={"after": 0}, headers=auditor)).status_code == 403
        assert (await client.delete(path, headers=auditor)).status_code == 403


class TestChangeAndReplay:
    async def test_pause_resume_and_replay(self, client, auth, app, sessionmaker, subscriber):
        sub = await _subscribe(client, auth(), subscriber.url)
        path = f"/api/v1/webhooks/{sub['id']}"
        dispatcher = WebhookDispatcher(
            sessionmaker=sessionmaker,
            infra=infra,
            source="kit-test",
            http=app.state.http,
            allow_private=True,
            timeout_s=2,
        )
        paused = await client.patch(path, json={"active": False, "description": "城市大脑"}, headers=auth())
        assert paused.status_code == 200 and paused.json()["active"] is False
        assert paused.json()["description"] == "城市大脑"
        await _note(client, auth, "while paused")
        assert await dispatcher.dispatch_once() == 0 and subscriber.received == []
        assert (await client.patch(path, json={"active": True}, headers=auth())).json()["active"] is True
        assert await dispatcher.dispatch_once() == 1
        replayed = await client.post(f"{path}/replay", json={"after": 0}, headers=auth())
        assert replayed.status_code == 200 and replayed.json()["delivered_sequence"] == 0
        assert await dispatcher.dispatch_once() == 1
        assert [e["data"]["text"] for e in subscriber.events()] == ["while paused", "while paused"]
        assert subscriber.events()[0]["id"] == subscriber.events()[1]["id"], "a replay carries the same event id"

    async def test_replay_past_the_end_of_the_feed_is_refused(self, client, auth, subscriber):
        sub = await _subscribe(client, auth(), subscriber.url)
        resp = await client.post(f"/api/v1/webhooks/{sub['id']}/replay", json={"after": 10**12}, headers=auth())
        assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "after"


@pytest.mark.parametrize(
    ("path", "method", "roles"),
    [
        ("/api/v1/webhooks", "post", ["official"]),
        ("/api/v1/webhooks", "get", ["official", "auditor"]),
        ("/api/v1/webhooks/{webhook_id}", "patch", ["official"]),
        ("/api/v1/webhooks/{webhook_id}/replay", "post", ["official"]),
        ("/api/v1/webhooks/{webhook_id}", "delete", ["official"]),
    ],
)
async def test_the_openapi_documents_the_gate(client, path, method, roles):
    doc = (await client.get("/openapi.json")).json()
    gate = doc["paths"][path][method]["x-authorization"]
    assert gate == {"roles": roles, "scope": "webhooks:manage", "signed_in": True, "district_only": True}
