"""A revoked API key's subscriptions stop: tried as the integrator whose key was revoked and who would
keep receiving the district's events otherwise. The revocation arrives on the gateway's feed, which
every service that publishes events follows."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Settings

GATEWAY = "http://gw"
FEED: list[tuple[str, dict]] = []


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, environment="test", run_background_tasks=False, gateway_url=GATEWAY)


@pytest.fixture
def transports() -> dict[str, httpx.AsyncBaseTransport]:
    """The gateway's feed: every page answers with the events in FEED."""
    FEED.clear()

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/identity/events"
        after = int(request.url.params.get("after", 0))
        items = [
            {"type": t, "sequence": n, "data": d, "id": f"e{n}", "source": "gateway"}
            for n, (t, d) in enumerate(FEED, 1)
            if n > after
        ]
        return httpx.Response(200, json={"items": items, "next_after": items[-1]["sequence"] if items else after})

    return {GATEWAY: httpx.MockTransport(answer)}


def key(auth, key_id: int) -> dict[str, str]:
    return auth("integration", sub=f"apikey:{key_id}", scopes=["webhooks:manage"])


async def _subscribe(client, headers, url) -> dict:
    resp = await client.post("/api/v1/webhooks", json={"url": url, "event_types": ["note.*"]}, headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json()


class TestRevokedKey:
    async def test_its_subscriptions_stop_and_say_why(self, app, client, auth, subscriber):
        revoked = await _subscribe(client, key(auth, 7), subscriber.url)
        kept = await _subscribe(client, key(auth, 8), subscriber.url)
        FEED.append(("apikey.revoked", {"key_id": 7, "subject": "apikey:7", "role": "integration"}))

        assert await app.state.gateway_consumer.poll_once() == 1
        assert (await client.post("/api/v1/notes", json={"text": "after"}, headers=auth())).status_code == 201
        assert await app.state.dispatcher.dispatch_once() == 1
        assert len(subscriber.received) == 1, "only the subscription of the key still valid receives it"

        stopped = (await client.get(f"/api/v1/webhooks/{revoked['id']}", headers=auth())).json()
        assert stopped["active"] is False and stopped["disabled_reason"] == "key-revoked"
        still = (await client.get(f"/api/v1/webhooks/{kept['id']}", headers=auth())).json()
        assert still["active"] is True and still["disabled_reason"] is None

    async def test_nobody_resumes_them(self, app, client, auth, subscriber):
        revoked = await _subscribe(client, key(auth, 7), subscriber.url)
        FEED.append(("apikey.revoked", {"key_id": 7, "subject": "apikey:7", "role": "integration"}))
        await app.state.gateway_consumer.poll_once()
        path = f"/api/v1/webhooks/{revoked['id']}"
        resp = await client.patch(path, json={"active": True}, headers=auth())
        assert resp.status_code == 409 and "revoked" in resp.json()["detail"]
        assert (await client.post(f"{path}/replay", json={"after": 0}, headers=auth())).status_code == 409
        await app.state.dispatcher.dispatch_once()
        assert subscriber.received == []
        assert (await client.get(path, headers=auth())).json()["active"] is False
