"""Services offered: basic ones are always free; a non-basic one charges only up to an approval in
force; a district official keeps the catalogue, the facility's operator proposes (tests/rules/test_catalogue.py)."""

from __future__ import annotations

import pytest

BASIC = {"name_zh": "图书借阅", "category": "lending", "basic": True, "target_groups": ["all"]}
NON_BASIC = {"name_zh": "陶艺体验课", "category": "training", "basic": False, "target_groups": ["children", "families"]}


async def _offer(world, facility_id: int, body: dict, headers=None, status: int = 201) -> dict:
    resp = await world.client.post(
        f"/api/v1/facilities/{facility_id}/services", json=body, headers=headers or world.official
    )
    assert resp.status_code == status, resp.text
    return resp.json()


async def _services(world, facility_id: int) -> list[dict]:
    return (await world.client.get(f"/api/v1/facilities/{facility_id}/services")).json()


class TestOfferServices:
    async def test_official_adds_a_basic_free_service_anyone_reads_it(self, world):
        f = await world.facility()
        created = await _offer(world, f["id"], BASIC)
        assert created["fee_fen"] == 0 and created["basic"] is True and created["fee_approval"] is None
        assert [s["name_zh"] for s in await _services(world, f["id"])] == ["图书借阅"]
        assert [e["data"]["name_zh"] for e in await world.events("service.created")] == ["图书借阅"]

    async def test_a_fee_on_a_basic_service_is_refused_whoever_asks(self, world):
        f = await world.facility()
        resp = await world.client.post(
            f"/api/v1/facilities/{f['id']}/services", json={**BASIC, "fee_fen": 500}, headers=world.official
        )
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "fee_fen"
        assert resp.json()["errors"][0]["code"] == "basic-service-free"
        assert await _services(world, f["id"]) == []

    async def test_a_non_basic_fee_without_approval_is_refused(self, world):
        f = await world.facility()
        resp = await world.client.post(
            f"/api/v1/facilities/{f['id']}/services", json={**NON_BASIC, "fee_fen": 3000}, headers=world.official
        )
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["code"] == "fee-not-approved"
        assert await _services(world, f["id"]) == []

    async def test_the_operator_of_the_facility_proposes_services_another_operator_cannot(self, world):
        f = await world.facility()
        await world.operate(f["id"], operator_id=7)
        await _offer(world, f["id"], NON_BASIC, headers=world.operator(7), status=403)
        url = f"/api/v1/facilities/{f['id']}/service-proposals"
        assert (
            await world.client.post(url, json={**NON_BASIC, "reason": "新开课程"}, headers=world.operator(7))
        ).status_code == 201
        resp = await world.client.post(url, json={**BASIC, "reason": "x"}, headers=world.operator(8, sub="other"))
        assert resp.status_code == 403
        assert resp.json()["detail"].startswith("Your operator does not run facility")
        assert await _services(world, f["id"]) == []  # nothing changes until a district official decides

    async def test_subdistrict_official_of_another_area_is_refused(self, world, auth):
        f = await world.facility()
        resp = await world.client.post(
            f"/api/v1/facilities/{f['id']}/services", json=BASIC, headers=auth("official", subdistrict="qianmen")
        )
        assert resp.status_code == 403


class TestPreferentialFee:
    async def _service(self, world):
        f = await world.facility()
        await world.operate(f["id"], operator_id=7)
        s = await _offer(world, f["id"], NON_BASIC)
        return f, s

    async def _patch(self, world, f, s, body, etag='"v1"'):
        return await world.client.patch(
            f"/api/v1/facilities/{f['id']}/services/{s['id']}",
            json=body,
            headers={**world.operator(7), "If-Match": etag},
        )

    async def test_an_approved_fee_up_to_the_cap_is_published_on_the_service(self, world):
        f, s = await self._service(world)
        await world.approve_fee(f["id"], s["id"], cap=2000)
        resp = await self._patch(world, f, s, {"fee_fen": 2000})
        assert resp.status_code == 200, resp.text
        assert resp.json()["fee_fen"] == 2000
        assert resp.json()["fee_approval"] == {
            "application_id": 11,
            "approved_fee_fen": 2000,
            "expires_on": "2027-06-30",
            "status": "active",
        }
        assert resp.headers["etag"] == '"v2"'

    async def test_above_the_cap_is_refused_and_the_fee_stays(self, world):
        f, s = await self._service(world)
        await world.approve_fee(f["id"], s["id"], cap=2000)
        resp = await self._patch(world, f, s, {"fee_fen": 2500})
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["code"] == "fee-above-approved"
        assert (await _services(world, f["id"]))[0]["fee_fen"] == 0

    async def test_an_expired_approval_allows_no_fee(self, world):
        f, s = await self._service(world)
        await world.approve_fee(f["id"], s["id"], cap=2000, expires_on="2026-11-01")
        resp = await self._patch(world, f, s, {"fee_fen": 1000})
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["code"] == "fee-not-approved"

    async def test_making_a_service_basic_makes_it_free(self, world):
        f, s = await self._service(world)
        await world.approve_fee(f["id"], s["id"], cap=2000)
        assert (await self._patch(world, f, s, {"fee_fen": 1500})).status_code == 200
        resp = await world.client.patch(
            f"/api/v1/facilities/{f['id']}/services/{s['id']}",
            json={"basic": True},
            headers={**world.official, "If-Match": '"v2"'},
        )
        assert resp.status_code == 200
        assert resp.json()["fee_fen"] == 0

    async def test_edits_need_the_current_etag(self, world):
        f, s = await self._service(world)
        assert (
            await world.client.patch(
                f"/api/v1/facilities/{f['id']}/services/{s['id']}",
                json={"delivery": "online"},
                headers=world.operator(7),
            )
        ).status_code == 428
        assert (await self._patch(world, f, s, {"delivery": "online"})).status_code == 200
        stale = await self._patch(world, f, s, {"delivery": "home_delivery"})
        assert stale.status_code == 412
        assert (await _services(world, f["id"]))[0]["delivery"] == "online"

    @pytest.mark.parametrize("field", ["basic", "fee_fen", "name_zh", "target_groups"])
    async def test_null_for_a_required_field_is_refused(self, world, field):
        f, s = await self._service(world)
        resp = await self._patch(world, f, s, {field: None})
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == field
