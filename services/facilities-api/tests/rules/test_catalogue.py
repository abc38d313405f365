"""The basic-service catalogue is the bureau's: the operator, who would gain by turning a free basic
service into a paid one, may only propose; a subdistrict official cannot decide either; a district
official (not the one who proposed) decides, and the facility's history and basic_periods keep it."""

from __future__ import annotations

from datetime import datetime

from tests.factories import NOW
from tests.rules.test_gates import key

BASIC = {"name_zh": "图书借阅", "category": "lending", "basic": True, "target_groups": ["all"]}


async def _setup(world, client):
    f = await world.facility()
    await world.operate(f["id"], operator_id=7)
    resp = await client.post(f"/api/v1/facilities/{f['id']}/services", json=BASIC, headers=world.official)
    assert resp.status_code == 201, resp.text
    return f, resp.json()


def _service_url(f, s):
    return f"/api/v1/facilities/{f['id']}/services/{s['id']}"


async def _propose(client, f, headers, status=201, **body):
    resp = await client.post(
        f"/api/v1/facilities/{f['id']}/service-proposals", json={"reason": "改为收费课程", **body}, headers=headers
    )
    assert resp.status_code == status, resp.text
    return resp.json()


class TestOnlyTheDistrictClassifies:
    async def test_the_operator_cannot_switch_its_basic_service_to_non_basic(self, world, client):
        f, s = await _setup(world, client)
        resp = await client.patch(
            _service_url(f, s), json={"basic": False}, headers={**world.operator(7), "If-Match": '"v1"'}
        )
        assert resp.status_code == 403
        after = (await client.get(_service_url(f, s))).json()
        assert after["basic"] is True and after["version"] == 1
        assert [p["until"] for p in after["basic_periods"]] == [None]
        assert await world.events("service.updated", "service.basic_changed") == []

    async def test_a_subdistrict_official_cannot_either(self, world, client, auth):
        f, s = await _setup(world, client)
        local_official = auth("official", sub="official-li", subdistrict="jingshan")
        resp = await client.patch(
            _service_url(f, s), json={"basic": False}, headers={**local_official, "If-Match": '"v1"'}
        )
        assert resp.status_code == 403
        assert (await client.get(_service_url(f, s))).json()["basic"] is True

    async def test_the_operator_proposes_what_a_service_is_and_sets_what_it_runs(self, world, client):
        f, s = await _setup(world, client)
        operator = {**world.operator(7), "If-Match": '"v1"'}
        for body in ({"description_zh": "改为收费体验课"}, {"name_zh": "体验课"}, {"active": False}):
            assert (await client.patch(_service_url(f, s), json=body, headers=operator)).status_code == 403
        resp = await client.patch(_service_url(f, s), json={"delivery": "home_delivery"}, headers=operator)
        assert resp.status_code == 200, resp.text
        last = (await client.get(f"/api/v1/facilities/{f['id']}/history")).json()[-1]
        assert (last["action"], last["actor"], last["changes"]["delivery"]) == (
            "service_changed",
            "operator-staff-1",
            ["on_site", "home_delivery"],
        )

    async def test_nor_add_a_service_straight_to_the_catalogue(self, world, client, auth):
        f = await world.facility()
        await world.operate(f["id"], operator_id=7)
        for headers in (world.operator(7), auth("official", sub="official-li", subdistrict="jingshan")):
            resp = await client.post(
                f"/api/v1/facilities/{f['id']}/services", json={**BASIC, "basic": False}, headers=headers
            )
            assert resp.status_code == 403
        assert (await client.get(f"/api/v1/facilities/{f['id']}/services")).json() == []

    async def test_a_district_official_reclassifying_leaves_a_period_history_and_event(self, world, client, clock):
        f, s = await _setup(world, client)
        resp = await client.patch(
            _service_url(f, s), json={"basic": False}, headers={**world.official, "If-Match": '"v1"'}
        )
        assert resp.status_code == 200, resp.text
        [period] = resp.json()["basic_periods"]
        assert datetime.fromisoformat(period["until"]) == NOW  # basic until the decision, and not after
        history = (await client.get(f"/api/v1/facilities/{f['id']}/history")).json()
        assert (history[-1]["action"], history[-1]["actor"], history[-1]["changes"]["basic"]) == (
            "service_reclassified",
            "official-wang",
            [True, False],
        )
        [event] = await world.events("service.basic_changed")
        assert (event["data"]["basic"], event["data"]["decided_by"]) == (False, "official-wang")


class TestProposals:
    async def test_the_operator_proposes_a_district_official_decides(self, world, client):
        f, s = await _setup(world, client)
        p = await _propose(client, f, world.operator(7), service_id=s["id"], basic=False)
        assert (p["status"], p["kind"], p["changes"]) == ("pending", "change", {"basic": False})
        assert (await client.get(_service_url(f, s))).json()["basic"] is True  # nothing changes yet
        resp = await client.post(
            f"/api/v1/facilities/{f['id']}/service-proposals/{p['id']}/approve",
            json={"note": "同意"},
            headers=world.official,
        )
        assert resp.status_code == 200, resp.text
        assert (resp.json()["status"], resp.json()["decided_by"]) == ("approved", "official-wang")
        after = (
            await client.get(_service_url(f, s), headers=world.auth("service", sub="service:operators-api"))
        ).json()
        assert after["basic"] is False
        [period] = after["basic_periods"]
        assert period["from"] is not None and period["until"] is not None
        history = (await client.get(f"/api/v1/facilities/{f['id']}/history")).json()
        last = history[-1]
        assert (last["action"], last["actor"]) == ("service_reclassified", "official-wang")
        assert last["changes"]["proposal"][1] == {"id": p["id"], "proposed_by": "operator-staff-1"}
        types = [
            e["type"]
            for e in await world.events("service.proposed", "service.basic_changed", "service.proposal_decided")
        ]
        assert types == ["service.proposed", "service.basic_changed", "service.proposal_decided"]

    async def test_neither_the_operator_nor_a_subdistrict_official_approves(self, world, client, auth):
        f, s = await _setup(world, client)
        p = await _propose(client, f, world.operator(7), service_id=s["id"], basic=False)
        url = f"/api/v1/facilities/{f['id']}/service-proposals/{p['id']}/approve"
        assert (await client.post(url, headers=world.operator(7))).status_code == 403
        assert (
            await client.post(url, headers=auth("official", sub="official-li", subdistrict="jingshan"))
        ).status_code == 403
        assert (await client.get(_service_url(f, s))).json()["basic"] is True
        listed = (
            await client.get(f"/api/v1/facilities/{f['id']}/service-proposals", headers=world.operator(7))
        ).json()["items"]
        assert [x["status"] for x in listed] == ["pending"]

    async def test_the_official_who_proposed_does_not_decide(self, world, client):
        f, s = await _setup(world, client)
        p = await _propose(client, f, world.official, service_id=s["id"], basic=False)
        resp = await client.post(
            f"/api/v1/facilities/{f['id']}/service-proposals/{p['id']}/approve", headers=world.official
        )
        assert resp.status_code == 403
        assert (await client.get(_service_url(f, s))).json()["basic"] is True

    async def test_a_rejection_changes_nothing_but_is_in_the_history(self, world, client):
        f, s = await _setup(world, client)
        p = await _propose(client, f, world.operator(7), service_id=s["id"], basic=False)
        url = f"/api/v1/facilities/{f['id']}/service-proposals/{p['id']}/reject"
        assert (await client.post(url, json={}, headers=world.official)).status_code == 422  # a reason is needed
        resp = await client.post(url, json={"note": "借阅是基本公共文化服务"}, headers=world.official)
        assert resp.json()["status"] == "rejected"
        assert (await client.post(url, json={"note": "again"}, headers=world.official)).status_code == 409
        assert (await client.get(_service_url(f, s))).json()["basic"] is True
        assert (await client.get(f"/api/v1/facilities/{f['id']}/history")).json()[-1][
            "action"
        ] == "service_proposal_rejected"

    async def test_a_new_service_is_added_when_approved(self, world, client):
        f = await world.facility()
        await world.operate(f["id"], operator_id=7)
        p = await _propose(client, f, world.operator(7), **BASIC, description_zh="每周二至周日开放借阅")
        assert p["kind"] == "add"
        resp = await client.post(
            f"/api/v1/facilities/{f['id']}/service-proposals/{p['id']}/approve", headers=world.official
        )
        added = (await client.get(f"/api/v1/facilities/{f['id']}/services")).json()
        assert [(x["id"], x["basic"], x["description_zh"]) for x in added] == [
            (resp.json()["service_id"], True, "每周二至周日开放借阅")
        ]
        assert [x["until"] for x in added[0]["basic_periods"]] == [None]

    async def test_an_operator_key_proposes_only_with_services_propose(self, world, client, auth):
        f, s = await _setup(world, client)
        await _propose(
            client, f, key(auth, "operator", "activities:write"), status=403, service_id=s["id"], basic=False
        )
        await _propose(client, f, key(auth, "operator", "services:propose"), service_id=s["id"], basic=False)


class TestTheQueue:
    async def test_each_reads_the_proposals_that_are_theirs(self, world, client, auth):
        f, s = await _setup(world, client)
        p = await _propose(client, f, world.operator(7), service_id=s["id"], basic=False)

        async def ids(headers):
            resp = await client.get("/api/v1/service-proposals", params={"status": "pending"}, headers=headers)
            assert resp.status_code == 200, resp.text
            return [x["id"] for x in resp.json()["items"]]

        assert await ids(world.official) == [p["id"]]
        assert await ids(world.operator(7)) == [p["id"]]
        assert await ids(world.operator(8, sub="other")) == []
        assert await ids(auth("official", sub="official-qianmen", subdistrict="qianmen")) == []
        assert await ids(auth("official", sub="official-li", subdistrict="jingshan")) == [p["id"]]
        assert (await client.get("/api/v1/service-proposals", headers=world.resident(1))).status_code == 403


class TestTheDistrictsDecisionIsRefusedAtTheGate:
    """A subdistrict official of the facility's own area may propose, not decide: it is refused before
    its body is read (403, no field list), and nothing changes."""

    async def test_a_subdistrict_official_adding_a_service_gets_403_not_the_field_list(self, world, client, auth):
        f, s = await _setup(world, client)
        jingshan = auth("official", sub="official-jingshan", subdistrict=f["subdistrict"])
        resp = await client.post(f"/api/v1/facilities/{f['id']}/services", json={}, headers=jingshan)
        assert resp.status_code == 403, resp.text
        assert "errors" not in resp.json()
        assert [x["id"] for x in await _services_of(client, f)] == [s["id"]]

    async def test_a_subdistrict_official_deciding_a_proposal_gets_403_not_the_field_list(self, world, client, auth):
        f, s = await _setup(world, client)
        p = await _propose(client, f, world.operator(7), service_id=s["id"], basic=False)
        jingshan = auth("official", sub="official-jingshan", subdistrict=f["subdistrict"])
        for decision in ("approve", "reject"):
            resp = await client.post(
                f"/api/v1/facilities/{f['id']}/service-proposals/{p['id']}/{decision}", json={}, headers=jingshan
            )
            assert resp.status_code == 403, resp.text
            assert "errors" not in resp.json()
        listed = (
            await client.get(f"/api/v1/facilities/{f['id']}/service-proposals", headers=world.operator(7))
        ).json()["items"]
        assert [x["status"] for x in listed] == ["pending"]
        assert (await client.get(_service_url(f, s))).json()["basic"] is True


async def _services_of(client, f) -> list[dict]:
    return (await client.get(f"/api/v1/facilities/{f['id']}/services")).json()
