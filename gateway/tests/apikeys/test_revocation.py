"""Revoking an API key stops what the key set up: tried as the integrator whose key was revoked and
whose webhook subscriptions would otherwise keep receiving the district's events."""

from __future__ import annotations

DISTRICT = {"sub": "9001"}
HOOK = "http://127.0.0.1:9/hook"


class TestRevokingAKey:
    async def test_its_subscriptions_stop_and_the_services_are_told(self, gateway, bearer):
        official = bearer("official", **DISTRICT)
        issued = await gateway.post(
            "/api/v1/api-keys",
            json={"name": "城市大脑", "scopes": ["events:read", "webhooks:manage"]},
            headers=official,
        )
        assert issued.status_code == 201, issued.text
        key = issued.json()
        as_key = {"X-API-Key": key["key"]}
        made = await gateway.post(
            "/api/v1/identity/webhooks", json={"url": HOOK, "event_types": ["account.*"]}, headers=as_key
        )
        assert made.status_code == 201, made.text
        before = (await gateway.get("/api/v1/identity/events", headers=official)).json()["next_after"]

        assert (await gateway.delete(f"/api/v1/api-keys/{key['id']}", headers=official)).status_code == 204

        sub = (await gateway.get(f"/api/v1/identity/webhooks/{made.json()['id']}", headers=official)).json()
        assert sub["active"] is False and sub["disabled_reason"] == "key-revoked"
        # The services stop the subscriptions the key made with them when they read this.
        events = (await gateway.get("/api/v1/identity/events", params={"after": before}, headers=official)).json()[
            "items"
        ]
        assert [(e["type"], e["data"]) for e in events] == [
            ("apikey.revoked", {"key_id": key["id"], "subject": f"apikey:{key['id']}", "role": "integration"})
        ]
        # Revoking again announces nothing more.
        assert (await gateway.delete(f"/api/v1/api-keys/{key['id']}", headers=official)).status_code == 204
        again = (await gateway.get("/api/v1/identity/events", params={"after": before}, headers=official)).json()
        assert len(again["items"]) == 1
