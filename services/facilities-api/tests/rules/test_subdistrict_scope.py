"""A subdistrict official acts within that subdistrict, and the district's own facilities (district
level and above) stay the district's: every write, tried by an official of another subdistrict (or of
the same one, on a district-level facility), is refused and writes nothing."""

from __future__ import annotations

import pytest

from tests.factories import activity_body, facility_body, local


@pytest.fixture
def qianmen(auth):
    return auth("official", sub="official-qianmen", subdistrict="qianmen")


@pytest.fixture
def jingshan(auth):
    return auth("official", sub="official-jingshan", subdistrict="jingshan")


async def _unchanged_events(world, before):
    return [e["id"] for e in await world.events()] == before


class TestAnotherSubdistrictsFacility:
    async def test_every_write_is_refused_and_nothing_is_written(self, world, client, qianmen, clock):
        f = await world.facility()  # in jingshan
        await world.operate(f["id"], operator_id=7)
        service = (
            await client.post(
                f"/api/v1/facilities/{f['id']}/services",
                json={"name_zh": "借阅", "category": "lending", "basic": True},
                headers=world.official,
            )
        ).json()
        a = await world.activity(f["id"])
        b = await world.book(a["id"], world.resident(1))
        draft = await world.activity(f["id"], publish=False)
        exc = (
            await client.post(
                f"/api/v1/facilities/{f['id']}/opening-exceptions",
                json={"starts_on": "2026-11-25", "ends_on": "2026-11-25", "closed": True, "reason_zh": "检修"},
                headers=world.official,
            )
        ).json()
        r = (
            await client.post(
                "/api/v1/special-requests",
                json={
                    "facility_id": f["id"],
                    "special_group": "elderly",
                    "kind": "appointment",
                    "description": "预约",
                    "phone": "13812345678",
                },
                headers=world.resident(1),
            )
        ).json()
        before = [e["id"] for e in await world.events()]
        attempts = [
            ("POST", "/api/v1/facilities", facility_body(name_zh="越界"), 403),
            ("PATCH", f"/api/v1/facilities/{f['id']}", {"name_zh": "越界"}, 403),
            (
                "POST",
                f"/api/v1/facilities/{f['id']}/opening-exceptions",
                {"starts_on": "2026-11-26", "ends_on": "2026-11-26", "closed": True},
                403,
            ),
            ("DELETE", f"/api/v1/facilities/{f['id']}/opening-exceptions/{exc['id']}", None, 403),
            (
                "POST",
                f"/api/v1/facilities/{f['id']}/services",
                {"name_zh": "x", "category": "lending", "basic": False},
                403,
            ),
            ("PATCH", f"/api/v1/facilities/{f['id']}/services/{service['id']}", {"name_zh": "越界"}, 403),
            (
                "POST",
                f"/api/v1/facilities/{f['id']}/service-proposals",
                {"service_id": service["id"], "basic": False, "reason": "x"},
                403,
            ),
            ("POST", "/api/v1/activities", activity_body(f["id"]), 403),
            ("PATCH", f"/api/v1/activities/{a['id']}", {"title": "越界"}, 403),
            ("POST", f"/api/v1/activities/{draft['id']}/publish", None, 404),
            ("POST", f"/api/v1/activities/{a['id']}/cancel", {"reason": "越界"}, 403),
            ("POST", f"/api/v1/bookings/{b['id']}/cancel", None, 404),
            ("POST", f"/api/v1/special-requests/{r['id']}/verify", None, 404),
            ("POST", f"/api/v1/special-requests/{r['id']}/assign", {}, 404),
            ("POST", f"/api/v1/special-requests/{r['id']}/reject", {"reason": "越界"}, 404),
        ]
        headers = {**qianmen, "If-Match": '"v1"'}
        for method, path, body, status in attempts:
            resp = await client.request(method, path, json=body, headers=headers)
            assert resp.status_code == status, (method, path, resp.text)
        clock.fixed = local(21, 14)
        resp = await client.post(
            f"/api/v1/activities/{a['id']}/check-ins", json={"code": b["check_in_code"]}, headers=qianmen
        )
        assert resp.status_code == 403
        assert [e["id"] for e in await world.events()] == before
        assert (await client.get(f"/api/v1/facilities/{f['id']}")).json()["name_zh"] == f["name_zh"]
        assert (await client.get(f"/api/v1/bookings/{b['id']}", headers=world.resident(1))).json()[
            "status"
        ] == "confirmed"

    async def test_moving_ones_own_facility_into_another_subdistrict_is_refused(self, world, client, qianmen):
        f = await world.facility(
            subdistrict="qianmen",
            community="qianmen-1",
            location={"lat": 39.895, "lon": 116.398},
            name_zh="前门街道图书馆",
        )
        resp = await client.patch(
            f"/api/v1/facilities/{f['id']}",
            json={"subdistrict": "jingshan", "community": "jingshan-1"},
            headers={**qianmen, "If-Match": '"v1"'},
        )
        assert resp.status_code == 403
        assert (await client.get(f"/api/v1/facilities/{f['id']}")).json()["subdistrict"] == "qianmen"


class TestTheDistrictsOwnFacilities:
    async def test_a_subdistrict_official_cannot_add_or_edit_a_district_level_facility_in_their_area(
        self, world, client, jingshan
    ):
        resp = await client.post(
            "/api/v1/facilities", json=facility_body(level="district", name_zh="区图书馆"), headers=jingshan
        )
        assert resp.status_code == 403
        f = await world.facility(level="district", name_zh="区图书馆")
        resp = await client.patch(
            f"/api/v1/facilities/{f['id']}", json={"status": "closed"}, headers={**jingshan, "If-Match": '"v1"'}
        )
        assert resp.status_code == 403
        resp = await client.post("/api/v1/activities", json=activity_body(f["id"]), headers=jingshan)
        assert resp.status_code == 403
        assert (await client.get(f"/api/v1/facilities/{f['id']}")).json()["status"] == "open"

    async def test_nor_raise_their_own_facility_to_district_level(self, world, client, jingshan):
        f = await world.facility()
        resp = await client.patch(
            f"/api/v1/facilities/{f['id']}", json={"level": "district"}, headers={**jingshan, "If-Match": '"v1"'}
        )
        assert resp.status_code == 403
        assert (await client.get(f"/api/v1/facilities/{f['id']}")).json()["level"] == "subdistrict"

    async def test_within_their_own_subdistrict_they_act(self, world, client, jingshan):
        f = await world.facility()
        resp = await client.patch(
            f"/api/v1/facilities/{f['id']}", json={"seats": 150}, headers={**jingshan, "If-Match": '"v1"'}
        )
        assert resp.status_code == 200, resp.text
        assert (
            await client.post("/api/v1/activities", json=activity_body(f["id"]), headers=jingshan)
        ).status_code == 201
