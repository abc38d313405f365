"""Inspections (督查) against the checklist, and rectifications (整改) through to acceptance."""

from __future__ import annotations

from tests.factories import active_contract, at, checklist_items, inspect

URL = "/api/v1/inspections"
RECT = "/api/v1/rectifications"


async def rectifications(client, auth, **params) -> list[dict]:
    return (await client.get(RECT, params=params, headers=auth("official"))).json()["items"]


class TestRecordInspection:
    async def test_the_score_is_the_share_of_the_checklists_points(self, client, auth):
        c = await active_contract(client, auth)
        resp = await inspect(client, auth, c, "2026-05-20", 0.9)
        assert resp.status_code == 201, resp.text
        body = resp.json()
        assert body["score"] == "90.00" and body["announced"] is False and body["inspector_name"] == "吴督查"
        assert len(body["items"]) == 8 and body["rectification_ids"] == []
        assert [i["key"] for i in (await client.get(f"{URL}/checklist")).json()][:2] == [
            "opening_hours",
            "free_services",
        ]

    async def test_a_finding_orders_a_rectification_with_a_deadline(self, client, auth):
        c = await active_contract(client, auth)
        orders = [
            {"finding": "免费开放时间未公示", "required_action": "在入口处公示开放时间", "deadline_on": "2026-06-15"}
        ]
        resp = await inspect(client, auth, c, "2026-05-30", 0.8, rectifications=orders)
        [rid] = resp.json()["rectification_ids"]
        r = (await client.get(f"{RECT}/{rid}", headers=auth("operator", operator_id=c["operator_id"]))).json()
        assert (r["status"], r["deadline_on"], r["source"], r["overdue"]) == ("open", "2026-06-15", "inspection", False)

    async def test_bad_input_is_refused_and_nothing_is_half_written(self, client, auth):
        c = await active_contract(client, auth)
        orders = [{"finding": "x", "required_action": "y", "deadline_on": "2026-06-15"}]
        items = checklist_items(0.9)
        items[2]["score"] = "15.5"
        cases = [
            (
                await inspect(client, auth, c, "2026-05-30", items=items, rectifications=orders),
                "items.2.score",
                "score-out-of-range",
            ),
            (
                await inspect(client, auth, c, "2026-05-30", items=checklist_items()[:7], rectifications=orders),
                "items",
                "checklist-incomplete",
            ),
            (await inspect(client, auth, c, "2026-06-02", rectifications=orders), "inspected_on", "date-in-future"),
            (
                await inspect(
                    client, auth, c, "2026-05-30", rectifications=[{**orders[0], "deadline_on": "2026-05-01"}]
                ),
                "rectifications.0.deadline_on",
                "deadline-past",
            ),
            (await inspect(client, auth, c, "2026-05-30", facility_id=115), "facility_id", "facility-not-in-contract"),
        ]
        for resp, field, code in cases:
            assert resp.status_code == 422, resp.text
            assert (resp.json()["errors"][0]["field"], resp.json()["errors"][0]["code"]) == (field, code)
        assert (await client.get(URL, headers=auth("official"))).json()["items"] == []
        assert await rectifications(client, auth) == []

    async def test_only_officials_inspect_and_operators_see_their_own(self, client, auth):
        c = await active_contract(client, auth)
        body = {
            "contract_id": c["id"],
            "facility_id": 114,
            "inspected_on": "2026-05-30",
            "announced": True,
            "items": checklist_items(),
        }
        assert (
            await client.post(URL, json=body, headers=auth("operator", operator_id=c["operator_id"]))
        ).status_code == 403
        i = (await inspect(client, auth, c, "2026-05-30")).json()
        assert (
            await client.get(f"{URL}/{i['id']}", headers=auth("operator", operator_id=c["operator_id"]))
        ).status_code == 200
        assert (
            await client.get(f"{URL}/{i['id']}", headers=auth("operator", operator_id=c["operator_id"] + 1))
        ).status_code == 404


class TestRectification:
    async def _ordered(self, client, auth, deadline="2026-06-15"):
        c = await active_contract(client, auth)
        orders = [{"finding": "消防通道堆放杂物", "required_action": "清理通道并建立巡查制度", "deadline_on": deadline}]
        [rid] = (await inspect(client, auth, c, "2026-05-30", 0.7, rectifications=orders)).json()["rectification_ids"]
        return c, rid

    async def test_the_operator_responds_and_the_official_accepts(self, client, auth):
        c, rid = await self._ordered(client, auth)
        staff = auth("operator", operator_id=c["operator_id"])
        responded = await client.post(
            f"{RECT}/{rid}/response", json={"response": "已清理并建立每日巡查台账"}, headers=staff
        )
        assert responded.json()["status"] == "responded" and responded.json()["responded_late"] is False
        reopened = await client.post(
            f"{RECT}/{rid}/review",
            json={"decision": "reopened", "reason": "缺少照片", "new_deadline_on": "2026-06-20"},
            headers=auth("official"),
        )
        assert (reopened.json()["status"], reopened.json()["deadline_on"]) == ("reopened", "2026-06-20")
        await client.post(
            f"{RECT}/{rid}/response",
            json={"response": "补充照片", "documents": [{"title": "照片", "url": "https://files.example/p.jpg"}]},
            headers=staff,
        )
        accepted = await client.post(
            f"{RECT}/{rid}/review", json={"decision": "accepted", "reason": "整改到位"}, headers=auth("official")
        )
        assert accepted.json()["status"] == "accepted"
        log = (
            await client.get(
                "/api/v1/audit-log", params={"entity_type": "rectification", "entity_id": rid}, headers=auth("auditor")
            )
        ).json()["items"]
        assert [(e["action"], e["to_state"]) for e in log] == [
            ("ordered", "open"),
            ("responded", "responded"),
            ("reopened", "reopened"),
            ("responded", "responded"),
            ("accepted", "accepted"),
        ]

    async def test_a_move_off_the_table_is_409(self, client, auth):
        c, rid = await self._ordered(client, auth)
        resp = await client.post(
            f"{RECT}/{rid}/review", json={"decision": "accepted", "reason": "x"}, headers=auth("official")
        )
        assert resp.status_code == 409 and (resp.json()["from"], resp.json()["to"]) == ("open", "accepted")
        other = await client.post(
            f"{RECT}/{rid}/response", json={"response": "x"}, headers=auth("operator", operator_id=c["operator_id"] + 1)
        )
        assert other.status_code == 404

    async def test_overdue_ones_are_flagged_and_a_late_one_costs_credit(self, client, auth, clock):
        c, rid = await self._ordered(client, auth)
        assert await rectifications(client, auth, overdue="true") == []
        at(clock, "2026-06-16T09:00:00+08:00")
        [late] = await rectifications(client, auth, overdue="true")
        assert late["id"] == rid and late["overdue"] is True
        staff = auth("operator", operator_id=c["operator_id"])
        assert (await client.post(f"{RECT}/{rid}/response", json={"response": "已整改"}, headers=staff)).json()[
            "responded_late"
        ] is True
        await client.post(
            f"{RECT}/{rid}/review", json={"decision": "accepted", "reason": "整改到位但逾期"}, headers=auth("official")
        )
        credit = (await client.get(f"/api/v1/operators/{c['operator_id']}/credit", headers=staff)).json()
        assert credit["score"] == 98 and credit["entries"][0]["kind"] == "rectification"
