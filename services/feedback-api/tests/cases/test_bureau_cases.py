"""Complaints about an operator's own charges or staff go to the bureau, tried as the operator they accuse:
it does not see them, answer them, close them or get them assigned; an overcharge shows the approved price
beside the charge reported; the subdistrict's officials who let one lapse lose it to the district."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import file_case, step

OPERATOR_7 = {"role": "operator", "operator_id": 7, "sub": "staff-7"}


def overcharge(charged_fen: int = 5000, **overrides):
    body = {
        "category": "fee_overcharge",
        "target_type": "facility",
        "target_id": 2,
        "title": "讲座收费超标",
        "description": "普惠讲座收了50元，电话 13812345678",
        "attributes": {"charged_fen": charged_fen},
    }
    body.update(overrides)
    return body


class TestRouting:
    @pytest.mark.parametrize("category", ["fee_overcharge", "staff_conduct"])
    async def test_a_complaint_about_the_operator_goes_to_the_subdistricts_officials(
        self, client, auth, category
    ):
        body = (
            overcharge()
            if category == "fee_overcharge"
            else {"category": "staff_conduct"}
        )
        case = await file_case(client, auth(sub="r-1"), **body)
        assert case["assignee"] == {"type": "official", "operator_id": None}
        assert case["operator_id"] == 7  # the operator it is about, for its figures
        assert "culture bureau" in case["timeline"][-1]["note"]

    async def test_other_complaints_still_go_to_the_operator_running_the_facility(
        self, client, auth
    ):
        case = await file_case(client, auth(sub="r-1"), category="service_quality")
        assert case["assignee"] == {"type": "operator", "operator_id": 7}


class TestTheAccusedOperator:
    async def test_does_not_get_it_in_its_queue_nor_read_it(self, client, auth):
        accused = await file_case(client, auth(sub="r-1"), **overcharge())
        ordinary = await file_case(client, auth(sub="r-1"), category="service_quality")
        listed = (await client.get("/api/v1/cases", headers=auth(**OPERATOR_7))).json()[
            "items"
        ]
        assert [c["id"] for c in listed] == [ordinary["id"]]
        assert (
            await client.get(
                f"/api/v1/cases/{accused['id']}", headers=auth(**OPERATOR_7)
            )
        ).status_code == 404

    async def test_cannot_answer_or_close_it(self, client, auth):
        case = await file_case(client, auth(sub="r-1"), **overcharge())
        headers = {**auth(**OPERATOR_7), "If-Match": f'"{case["version"]}"'}
        answered = await client.post(
            f"/api/v1/cases/{case['id']}/respond",
            json={"text": "已退款，误会一场"},
            headers=headers,
        )
        assert answered.status_code == 404
        closed = await client.post(
            f"/api/v1/cases/{case['id']}/close",
            json={"note": "已解决"},
            headers=headers,
        )
        assert closed.status_code == 403
        fresh = (
            await client.get(f"/api/v1/cases/{case['id']}", headers=auth("official"))
        ).json()
        assert (fresh["status"], fresh["response"], len(fresh["timeline"])) == (
            "assigned",
            None,
            len(case["timeline"]),
        )

    async def test_an_official_cannot_hand_it_to_the_operator(self, client, auth):
        case = await file_case(client, auth(sub="r-1"), **overcharge())
        await step(
            client,
            case,
            "assign",
            auth("official", subdistrict="jingshan"),
            assignee="operator",
            operator_id=7,
            status=422,
        )
        fresh = (
            await client.get(f"/api/v1/cases/{case['id']}", headers=auth("official"))
        ).json()
        assert fresh["assignee"] == {"type": "official", "operator_id": None}

    async def test_the_subdistricts_official_answers_it(self, client, auth):
        case = await file_case(client, auth(sub="r-1"), **overcharge())
        answered = await step(
            client,
            case,
            "respond",
            auth("official", subdistrict="jingshan"),
            text="已责令退还多收费用",
        )
        assert answered["status"] == "responded"
        other = auth("official", subdistrict="donghuamen")
        assert (
            await client.get(f"/api/v1/cases/{case['id']}", headers=other)
        ).status_code == 404


class TestTheCharge:
    async def test_the_charge_is_required(self, client, auth):
        resp = await client.post(
            "/api/v1/cases", json=overcharge(attributes={}), headers=auth(sub="r-1")
        )
        assert (
            resp.status_code == 422
            and resp.json()["errors"][0]["field"] == "attributes.charged_fen"
        )

    async def test_a_basic_service_was_free(self, client, auth):
        case = await file_case(
            client,
            auth(sub="r-1"),
            **overcharge(3000, target_type="service", target_id=21, facility_id=2),
        )
        assert case["charge"] == {
            "charged_fen": 3000,
            "approved_fee_fen": 0,
            "basis": "service 21 (图书借阅): a basic service, free",
            "over_by_fen": 3000,
        }

    async def test_beside_the_approved_fee_of_a_non_basic_service(
        self, client, auth, standin
    ):
        standin.service(
            22, 2, basic=False, fee_fen=2000, approved_fee_fen=2000, name_zh="书法培训"
        )
        case = await file_case(
            client,
            auth(sub="r-1"),
            **overcharge(5000, attributes={"charged_fen": 5000, "service_id": 22}),
        )
        assert (
            case["charge"]["approved_fee_fen"] == 2000
            and case["charge"]["over_by_fen"] == 3000
        )
        assert "application 522" in case["charge"]["basis"]
        assert "/api/v1/facilities/2/services/22" in standin.calls
        # The same figures for the officials handling it.
        read = (
            await client.get(
                f"/api/v1/cases/{case['id']}",
                headers=auth("official", subdistrict="jingshan"),
            )
        ).json()
        assert read["charge"] == case["charge"]

    async def test_an_activity_is_priced_by_its_service(self, client, auth, standin):
        from datetime import UTC, datetime

        standin.service(
            23, 2, basic=False, fee_fen=1000, approved_fee_fen=1000, name_zh="非遗体验"
        )
        standin.activity(
            13,
            2,
            starts_at=datetime(2026, 11, 21, 6, 0, tzinfo=UTC),
            fee_fen=1000,
            service_id=23,
        )
        case = await file_case(
            client,
            auth(sub="r-1"),
            **overcharge(1500, target_type="activity", target_id=13),
        )
        assert (case["charge"]["approved_fee_fen"], case["charge"]["over_by_fen"]) == (
            1000,
            500,
        )

    async def test_a_service_that_does_not_exist_is_refused(self, client, auth):
        resp = await client.post(
            "/api/v1/cases",
            json=overcharge(attributes={"charged_fen": 100, "service_id": 99}),
            headers=auth(sub="r-1"),
        )
        assert (
            resp.status_code == 422
            and resp.json()["errors"][0]["field"] == "attributes.service_id"
        )

    async def test_other_categories_carry_no_charge(self, client, auth):
        case = await file_case(client, auth(sub="r-1"))
        assert case["charge"] is None


class TestEscalation:
    async def test_a_lapsed_complaint_goes_from_the_subdistrict_to_the_district(
        self, client, auth, app
    ):
        case = await file_case(client, auth(sub="r-1"), **overcharge())
        app.state.clock.fixed += timedelta(days=5)
        swept = await client.post("/api/v1/cases/sweep", headers=auth("official"))
        assert swept.json()["escalated"] == [case["id"]]
        case = (
            await client.get(f"/api/v1/cases/{case['id']}", headers=auth("official"))
        ).json()
        assert case["assignee"] == {"type": "district", "operator_id": None}
        assert "escalated to the district" in case["timeline"][-1]["note"]
        subdistrict = auth("official", subdistrict="jingshan")
        await step(client, case, "respond", subdistrict, text="街道已处理", status=403)
        await step(client, case, "assign", subdistrict, assignee="official", status=403)
        answered = await step(
            client, case, "respond", auth("official"), text="区文旅局已督办退费"
        )
        assert (
            answered["status"] == "responded" and answered["responded_on_time"] is False
        )
