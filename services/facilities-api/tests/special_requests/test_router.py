"""Special-group requests: asked by the resident, verified and assigned by an official, scheduled and
done by the assignee, confirmed by the resident; personal data only for those who need it."""

from __future__ import annotations

import pytest

from tests.factories import local

BODY = {
    "special_group": "elderly",
    "kind": "home_delivery",
    "description": "行动不便，希望每月送两次大字版图书上门",
    "address": "东城区景山东街12号院3号楼2单元401",
    "phone": "13812345678",
    "preferred_time": "工作日上午",
}


class TestRequestFlow:
    async def _submitted(self, world, client):
        f = await world.facility()
        await world.operate(f["id"], operator_id=7)
        resp = await client.post(
            "/api/v1/special-requests", json={**BODY, "facility_id": f["id"]}, headers=world.resident(1)
        )
        assert resp.status_code == 201, resp.text
        return f, resp.json()

    async def _act(self, client, r, action, headers, body=None, status=200):
        resp = await client.post(f"/api/v1/special-requests/{r['id']}/{action}", json=body, headers=headers)
        assert resp.status_code == status, resp.text
        return resp.json()

    async def test_from_request_to_confirmation(self, world, client, clock):
        _, r = await self._submitted(world, client)
        assert (r["status"], r["group_verified"], r["address"]) == ("submitted", False, BODY["address"])
        await self._act(client, r, "verify", world.official)
        assigned = await self._act(client, r, "assign", world.official, {})
        assert (assigned["status"], assigned["assigned_operator_id"]) == ("assigned", 7)
        operator = world.operator(7)
        mine = (await client.get("/api/v1/special-requests", headers=operator)).json()["items"]
        assert [x["phone"] for x in mine] == ["13812345678"]
        await self._act(
            client, r, "schedule", operator, {"scheduled_for": local(25, 10).isoformat(), "note": "周三上午送书"}
        )
        clock.fixed = local(25, 11)
        done = await self._act(client, r, "complete", operator, {"note": "已送10册"})
        assert done["done_at"] is not None
        confirmed = await self._act(client, r, "confirm", world.resident(1))
        assert confirmed["status"] == "confirmed"
        changes = [(e["data"]["old"], e["data"]["new"]) for e in await world.events("special_request.status_changed")]
        assert changes == [
            ("submitted", "assigned"),
            ("assigned", "scheduled"),
            ("scheduled", "done"),
            ("done", "confirmed"),
        ]
        submitted = (await world.events("special_request.submitted"))[0]["data"]
        assert "phone" not in submitted and "address" not in submitted

    async def test_personal_data_is_masked_for_auditors_and_hidden_from_other_operators(self, world, client):
        _, r = await self._submitted(world, client)
        audited = (await client.get(f"/api/v1/special-requests/{r['id']}", headers=world.auth("auditor"))).json()
        assert audited["phone"] == "138****5678"
        assert audited["address"].endswith("****") and "401" not in audited["address"]
        assert audited["special_group"] is None
        assert (
            await client.get(f"/api/v1/special-requests/{r['id']}", headers=world.operator(7))
        ).status_code == 404  # not yet assigned
        assert (await client.get(f"/api/v1/special-requests/{r['id']}", headers=world.resident(2))).status_code == 404
        assert (await client.get(f"/api/v1/special-requests/{r['id']}", headers=world.official)).json()[
            "phone"
        ] == "13812345678"

    async def test_assigning_before_verification_is_refused(self, world, client):
        _, r = await self._submitted(world, client)
        problem = await self._act(client, r, "assign", world.official, {}, status=422)
        assert problem["errors"][0] == {
            "field": "special_group",
            "message": problem["errors"][0]["message"],
            "code": "group-not-verified",
        }
        assert (await client.get(f"/api/v1/special-requests/{r['id']}", headers=world.official)).json()[
            "status"
        ] == "submitted"

    async def test_a_step_out_of_order_is_refused(self, world, client):
        _, r = await self._submitted(world, client)
        problem = await self._act(client, r, "confirm", world.resident(1), status=422)
        assert problem["errors"][0]["code"] == "wrong-status"

    async def test_home_delivery_needs_an_address(self, world, client):
        f = await world.facility()
        resp = await client.post(
            "/api/v1/special-requests", json={**BODY, "address": "", "facility_id": f["id"]}, headers=world.resident(1)
        )
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "address"
        assert (await client.get("/api/v1/special-requests", headers=world.resident(1))).json()["items"] == []

    @pytest.mark.parametrize("role", ["operator", "auditor"])
    async def test_only_residents_ask(self, world, client, role):
        f = await world.facility()
        resp = await client.post(
            "/api/v1/special-requests", json={**BODY, "facility_id": f["id"]}, headers=world.auth(role)
        )
        assert resp.status_code == 403

    async def test_an_official_files_only_on_someones_behalf(self, world, client):
        f = await world.facility()
        resp = await client.post(
            "/api/v1/special-requests", json={**BODY, "facility_id": f["id"]}, headers=world.official
        )
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "on_behalf_of"

    async def test_the_resident_may_withdraw_and_an_official_may_reject(self, world, client):
        f, r = await self._submitted(world, client)
        assert (await self._act(client, r, "reject", world.official, {"reason": "不在服务范围"}))[
            "status"
        ] == "rejected"
        second = (
            await client.post(
                "/api/v1/special-requests", json={**BODY, "facility_id": f["id"]}, headers=world.resident(1)
            )
        ).json()
        assert (await self._act(client, second, "cancel", world.resident(1)))["status"] == "cancelled"
        assert await self._act(client, second, "cancel", world.resident(2), status=404)
