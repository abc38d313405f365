"""Every route's gate, tried by the party it keeps out: a resident at an official's route, an operator's
API key outside its scopes, an integration key without stats:read. The gate decides before the body
is read, so the refusal never lists the fields the route would need."""

from __future__ import annotations

import pytest

from tests.factories import activity_body, facility_body, local


def key(auth, role: str, *scopes: str, operator_id: int | None = 7):
    """An API key's credential, as the gateway mints it."""
    claims = {"scopes": list(scopes)}
    if role == "operator":
        claims["operator_id"] = operator_id
    return auth(role, sub=f"apikey:{role}-{'-'.join(scopes) or 'none'}", **claims)


class TestGatesComeBeforeTheBody:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("POST", "/api/v1/facilities"),
            ("PATCH", "/api/v1/facilities/1"),
            ("POST", "/api/v1/facilities/1/services"),
            ("POST", "/api/v1/facilities/1/opening-exceptions"),
            ("POST", "/api/v1/activities"),
            ("PATCH", "/api/v1/activities/1"),
            ("POST", "/api/v1/activities/1/cancel"),
            ("POST", "/api/v1/activities/1/check-ins"),
            ("POST", "/api/v1/special-requests/1/assign"),
            ("POST", "/api/v1/special-requests/1/reject"),
            ("POST", "/api/v1/special-requests/1/schedule"),
            ("POST", "/api/v1/facilities/1/service-proposals/1/approve"),
            ("POST", "/api/v1/facilities/1/service-proposals/1/reject"),
        ],
    )
    async def test_a_resident_posting_nothing_to_a_staff_route_gets_403_not_the_field_list(
        self, world, client, method, path
    ):
        resp = await client.request(method, path, json={}, headers=world.resident(1))
        assert resp.status_code == 403, resp.text
        assert "errors" not in resp.json()

    async def test_an_operator_cannot_even_try_to_add_a_facility(self, world, client):
        resp = await client.post("/api/v1/facilities", json=facility_body(), headers=world.operator(7))
        assert resp.status_code == 403
        assert (await client.get("/api/v1/facilities")).json()["items"] == []

    async def test_staff_route_posted_nothing_by_staff_lists_the_fields(self, world, client):
        resp = await client.post("/api/v1/facilities", json={}, headers=world.official)
        assert resp.status_code == 422


class TestOperatorKeysStayInTheirScopes:
    async def test_a_check_in_key_cannot_publish_edit_or_cancel_activities(self, world, client, auth):
        f = await world.facility()
        await world.operate(f["id"], operator_id=7)
        door = key(auth, "operator", "checkins:write")
        resp = await client.post("/api/v1/activities", json=activity_body(f["id"]), headers=door)
        assert resp.status_code == 403
        a = await world.activity(f["id"], headers=world.operator(7))
        resp = await client.post(f"/api/v1/activities/{a['id']}/cancel", json={"reason": "x"}, headers=door)
        assert resp.status_code == 403
        assert (await client.get(f"/api/v1/activities/{a['id']}")).json()["status"] == "published"

    async def test_an_activities_key_cannot_check_in_or_read_who_booked(self, world, client, auth, clock):
        f = await world.facility()
        await world.operate(f["id"], operator_id=7)
        a = await world.activity(f["id"], headers=world.operator(7))
        b = await world.book(a["id"], world.resident(1))
        writer = key(auth, "operator", "activities:write")
        assert (await client.get(f"/api/v1/activities/{a['id']}/bookings", headers=writer)).status_code == 403
        clock.fixed = local(21, 14)
        resp = await client.post(
            f"/api/v1/activities/{a['id']}/check-ins", json={"code": b["check_in_code"]}, headers=writer
        )
        assert resp.status_code == 403
        door = key(auth, "operator", "checkins:write")
        assert (await client.get(f"/api/v1/activities/{a['id']}/bookings", headers=door)).status_code == 200
        resp = await client.post(
            f"/api/v1/activities/{a['id']}/check-ins", json={"code": b["check_in_code"]}, headers=door
        )
        assert resp.status_code == 201, resp.text

    async def test_an_activities_key_publishes_for_its_own_operator_only(self, world, client, auth):
        f = await world.facility()
        await world.operate(f["id"], operator_id=7)
        other = key(auth, "operator", "activities:write", operator_id=8)
        assert (await client.post("/api/v1/activities", json=activity_body(f["id"]), headers=other)).status_code == 403
        mine = key(auth, "operator", "activities:write")
        assert (await client.post("/api/v1/activities", json=activity_body(f["id"]), headers=mine)).status_code == 201

    async def test_drafts_show_to_an_operator_key_only_with_operator_read(self, world, client, auth):
        f = await world.facility()
        await world.operate(f["id"], operator_id=7)
        draft = await world.activity(f["id"], headers=world.operator(7), publish=False)
        blind = key(auth, "operator", "checkins:write")
        assert (await client.get(f"/api/v1/activities/{draft['id']}", headers=blind)).status_code == 404
        reader = key(auth, "operator", "operator:read")
        assert (await client.get(f"/api/v1/activities/{draft['id']}", headers=reader)).status_code == 200

    async def test_a_key_without_a_scope_cannot_change_opening_hours_or_services(self, world, client, auth):
        f = await world.facility()
        await world.operate(f["id"], operator_id=7)
        everything = key(auth, "operator", "activities:write", "checkins:write", "operator:read")
        body = {"starts_on": "2026-11-25", "ends_on": "2026-11-25", "closed": True, "reason_zh": "设备检修"}
        assert (
            await client.post(f"/api/v1/facilities/{f['id']}/opening-exceptions", json=body, headers=everything)
        ).status_code == 403
        assert (await client.get(f"/api/v1/facilities/{f['id']}/opening-exceptions")).json() == []


class TestStatsGate:
    async def test_integration_keys_need_stats_read(self, world, client, auth):
        f = await world.facility()
        params = {"facility_id": f["id"], "from": "2026-11-01", "to": "2026-11-30"}
        assert (
            await client.get("/api/v1/stats/operations", params=params, headers=key(auth, "integration", "events:read"))
        ).status_code == 403
        assert (
            await client.get("/api/v1/stats/operations", params=params, headers=key(auth, "integration", "stats:read"))
        ).status_code == 200
        assert (
            await client.get("/api/v1/stats/operations", params=params, headers=world.resident(1))
        ).status_code == 403


class TestEveryWriteDeclaresItsGate:
    async def test_the_openapi_documents_a_signed_in_gate_on_every_write(self, client):
        spec = (await client.get("/openapi.json")).json()
        ungated = [
            f"{method.upper()} {path}"
            for path, item in spec["paths"].items()
            for method, op in item.items()
            if method in ("post", "put", "patch", "delete")
            and not path.startswith("/api/v1/webhooks")
            and not op.get("x-authorization", {}).get("signed_in")
        ]
        assert ungated == []
