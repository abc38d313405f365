"""operators-api follows the gateway's feed: a revoked API key's webhook subscriptions stop here too.
Tried as the integrator whose key was revoked, who would keep receiving operators' events otherwise."""

from __future__ import annotations

import httpx

HOOK = "http://127.0.0.1:9/hook"


def _revoked(key_id: int) -> httpx.MockTransport:
    """The gateway's feed, announcing the key's revocation."""
    item = {
        "type": "apikey.revoked",
        "sequence": 1,
        "id": "e1",
        "source": "gateway",
        "data": {"key_id": key_id, "subject": f"apikey:{key_id}", "role": "integration"},
    }

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/identity/events"
        after = int(request.url.params.get("after", 0))
        items = [item] if after < 1 else []
        return httpx.Response(200, json={"items": items, "next_after": 1})

    return httpx.MockTransport(answer)


class TestRevokedKey:
    async def test_its_subscriptions_here_stop(self, app, client, auth):
        key = auth("integration", sub="apikey:41", scopes=["webhooks:manage"])
        made = await client.post("/api/v1/webhooks", json={"url": HOOK, "event_types": ["*"]}, headers=key)
        assert made.status_code == 201, made.text
        path = f"/api/v1/webhooks/{made.json()['id']}"

        consumer = app.state.gateway_consumer
        consumer.http = httpx.AsyncClient(transport=_revoked(41))
        consumer.base_url = "http://gw"
        assert await consumer.poll_once() == 1

        official = auth("official")
        sub = (await client.get(path, headers=official)).json()
        assert sub["active"] is False and sub["disabled_reason"] == "key-revoked"
        assert (await client.patch(path, json={"active": True}, headers=official)).status_code == 409
