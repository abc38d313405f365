"""Special-group requests hold personal data a reader who does not handle the request must not see:
phone and ID numbers and health conditions in the description are masked for them; the group and
health notes are shown only to the handler and the resident, and erased once the request no longer
needs them. Officials (community staff) file for an elder without a phone, within their own area."""

from __future__ import annotations

from datetime import timedelta

from facilities_api.special_requests.sweeper import PersonalDataSweeper
from tests.factories import NOW, local

DESCRIPTION = "老人患有阿尔茨海默病，独居。儿子电话13912345678，身份证110101195001011234，希望每周送书上门"
BODY = {
    "special_group": "elderly",
    "kind": "home_delivery",
    "description": DESCRIPTION,
    "health_notes": "糖尿病，需避免久等",
    "address": "东城区景山东街12号院3号楼2单元401",
    "phone": "13812345678",
}


async def _request(world, client, headers=None, **body):
    f = await world.facility()
    await world.operate(f["id"], operator_id=7)
    resp = await client.post(
        "/api/v1/special-requests", json={**BODY, "facility_id": f["id"], **body}, headers=headers or world.resident(1)
    )
    assert resp.status_code == 201, resp.text
    return f, resp.json()


async def _act(client, r, action, headers, body=None):
    resp = await client.post(f"/api/v1/special-requests/{r['id']}/{action}", json=body, headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def _read(client, r, headers):
    return (await client.get(f"/api/v1/special-requests/{r['id']}", headers=headers)).json()


class TestMaskedForThoseWhoDoNotHandleIt:
    async def test_an_auditor_reads_the_description_masked(self, world, client):
        _, r = await _request(world, client)
        audited = await _read(client, r, world.auth("auditor"))
        assert "13912345678" not in audited["description"] and "139****5678" in audited["description"]
        assert "110101195001011234" not in audited["description"]
        assert "阿尔茨海默" not in audited["description"] and "[健康信息已隐藏]" in audited["description"]
        assert "希望每周送书上门" in audited["description"]
        assert (audited["special_group"], audited["health_notes"]) == (None, None)

    async def test_the_event_feed_does_not_tell_an_auditor_the_group_the_read_hides(self, world, client):
        _, r = await _request(world, client)
        [submitted] = await world.events("special_request.submitted")
        assert submitted["data"]["request_id"] == r["id"]
        assert "special_group" not in submitted["data"] and "elderly" not in str(submitted["data"])

    async def test_another_service_reads_it_masked_too(self, world, client):
        _, r = await _request(world, client)
        read = await _read(client, r, world.auth("service", sub="service:feedback-api"))
        assert "13912345678" not in read["description"] and read["health_notes"] is None

    async def test_a_subdistrict_official_does_not_read_requests_at_the_districts_own_facility(self, world, client):
        library = await world.facility(level="district", name_zh="区图书馆")
        await world.operate(library["id"], operator_id=7)
        filed = await client.post(
            "/api/v1/special-requests", json={**BODY, "facility_id": library["id"]}, headers=world.resident(1)
        )
        assert filed.status_code == 201, filed.text
        jingshan = world.auth("official", sub="jingshan-official", subdistrict="jingshan")

        resp = await client.get(f"/api/v1/special-requests/{filed.json()['id']}", headers=jingshan)

        # The district library stands in jingshan, but its requests are the district's to handle.
        assert resp.status_code == 404 or "13912345678" not in resp.text
        assert "阿尔茨海默" not in resp.text
        district = await _read(client, filed.json(), world.official)
        assert district["description"] == DESCRIPTION

    async def test_the_resident_and_the_handler_read_it_whole(self, world, client):
        _, r = await _request(world, client)
        assert (await _read(client, r, world.resident(1)))["description"] == DESCRIPTION
        await _act(client, r, "verify", world.official)
        await _act(client, r, "assign", world.official, {})
        handler = await _read(client, r, world.operator(7))
        assert (handler["description"], handler["health_notes"], handler["special_group"]) == (
            DESCRIPTION,
            BODY["health_notes"],
            "elderly",
        )
        assert (
            await client.get(f"/api/v1/special-requests/{r['id']}", headers=world.operator(8, sub="other"))
        ).status_code == 404


class TestFiledOnBehalf:
    ELDER = {"on_behalf_of": {"name": "王秀英"}, "phone": None}

    async def test_community_staff_file_for_an_elder_without_a_phone(self, world, client, auth):
        staff = auth("official", sub="community-zhao", subdistrict="jingshan")
        _, r = await _request(world, client, headers=staff, **self.ELDER)
        assert (r["resident_sub"], r["filed_by"], r["resident_name"], r["phone"]) == (
            None,
            "community-zhao",
            "王秀英",
            "",
        )
        assert r["description"] == DESCRIPTION  # the filer handles it for the elder
        listed = (await client.get("/api/v1/special-requests", headers=staff)).json()["items"]
        assert [x["id"] for x in listed] == [r["id"]]

    async def test_the_filer_confirms_for_the_elder(self, world, client, auth, clock):
        staff = auth("official", sub="community-zhao", subdistrict="jingshan")
        _, r = await _request(world, client, headers=staff, **self.ELDER)
        await _act(client, r, "verify", world.official)
        await _act(client, r, "assign", world.official, {})
        await _act(client, r, "schedule", world.operator(7), {"scheduled_for": local(25, 10).isoformat()})
        clock.fixed = local(25, 11)
        await _act(client, r, "complete", world.operator(7))
        resp = await client.post(f"/api/v1/special-requests/{r['id']}/confirm", headers=world.operator(7))
        assert resp.status_code == 403  # the operator does not confirm its own work
        assert (await _act(client, r, "confirm", staff))["status"] == "confirmed"

    async def test_an_official_of_another_subdistrict_cannot_file_there(self, world, client, auth):
        f = await world.facility()
        elsewhere = auth("official", sub="official-qianmen", subdistrict="qianmen")
        resp = await client.post(
            "/api/v1/special-requests", json={**BODY, **self.ELDER, "facility_id": f["id"]}, headers=elsewhere
        )
        assert resp.status_code == 403
        assert (await client.get("/api/v1/special-requests", headers=world.official)).json()["items"] == []

    async def test_residents_and_operators_cannot_file_for_someone_else(self, world, client):
        f = await world.facility()
        await world.operate(f["id"], operator_id=7)
        for headers in (world.resident(1), world.operator(7)):
            resp = await client.post(
                "/api/v1/special-requests", json={**BODY, **self.ELDER, "facility_id": f["id"]}, headers=headers
            )
            assert resp.status_code == 403
        assert (await client.get("/api/v1/special-requests", headers=world.official)).json()["items"] == []


class TestSensitiveDataIsErased:
    async def _done(self, world, client, clock):
        f, r = await _request(world, client)
        await _act(client, r, "verify", world.official)
        await _act(client, r, "assign", world.official, {})
        await _act(client, r, "schedule", world.operator(7), {"scheduled_for": local(25, 10).isoformat()})
        clock.fixed = local(25, 11)
        await _act(client, r, "complete", world.operator(7), {"note": "已送10册，联系13912345678"})
        return f, r

    async def test_thirty_days_after_it_is_done_the_group_and_health_notes_are_gone(self, world, client, app, clock):
        f, r = await self._done(world, client, clock)
        sweeper = PersonalDataSweeper(app)
        clock.fixed = local(25, 11) + timedelta(days=29)
        assert await sweeper.sweep_once() == []
        assert (await _read(client, r, world.resident(1)))["special_group"] == "elderly"
        clock.fixed = local(25, 11) + timedelta(days=31)
        assert await sweeper.sweep_once() == [r["id"]]
        mine = await _read(client, r, world.resident(1))
        assert (mine["special_group"], mine["health_notes"], mine["phone"], mine["address"]) == (None, "", "", "")
        assert "阿尔茨海默" not in mine["description"] and "13912345678" not in mine["description"]
        assert "13912345678" not in mine["note"]
        assert mine["personal_data_erased_at"] is not None and mine["status"] == "done"
        figures = await client.get(
            "/api/v1/stats/operations",
            params={"facility_id": f["id"], "from": "2026-11-01", "to": "2026-11-30"},
            headers=world.official,
        )
        assert figures.json()["special_group_services_done"] == 1  # the count the evaluation rests on stays

    async def test_a_cancelled_request_is_erased_too_an_open_one_is_not(self, world, client, app, clock):
        _, withdrawn = await _request(world, client)
        await _act(client, withdrawn, "cancel", world.resident(1))
        _, still_open = await _request(world, client, headers=world.resident(2))
        clock.fixed = NOW + timedelta(days=31)
        assert await PersonalDataSweeper(app).sweep_once() == [withdrawn["id"]]
        assert (await _read(client, still_open, world.resident(2)))["special_group"] == "elderly"
