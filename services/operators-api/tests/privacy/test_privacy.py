"""operators-api's section of a resident's export: it says plainly that nothing is held keyed by the
account, to the resident only."""

from __future__ import annotations


class TestExport:
    async def test_the_resident_is_told_nothing_is_held(self, client, auth):
        resp = await client.get("/api/v1/personal-data", headers=auth("resident", sub="r-1"))
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["held"] is False and body["volunteer_records"] == [] and "volunteer" in body["note"].lower()

    async def test_staff_and_keys_cannot_call_it(self, client, auth):
        for headers in (
            auth("official"),
            auth("operator", operator_id=1),
            auth("auditor"),
            auth("operator", sub="apikey:3", operator_id=1, scopes=["operator:read"]),
            auth("integration", sub="apikey:4", scopes=["events:read"]),
        ):
            assert (await client.get("/api/v1/personal-data", headers=headers)).status_code == 403
        assert (await client.get("/api/v1/personal-data")).status_code == 401
