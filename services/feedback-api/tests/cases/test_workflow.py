"""Cases through their workflow: filing and routing, answering, reopening, closing, with the timeline."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.factories import case_body, file_case, step

OPERATOR_7 = {"role": "operator", "operator_id": 7}


class TestFile:
    async def test_a_complaint_about_an_operated_facility_is_routed_to_its_operator(
        self, client, auth
    ):
        case = await file_case(client, auth(sub="r-1"))
        assert (case["kind"], case["category"], case["status"]) == (
            "complaint",
            "opening_hours",
            "assigned",
        )
        assert case["assignee"] == {"type": "operator", "operator_id": 7}
        assert case["operator_id"] == 7 and case["subdistrict"] == "jingshan"
        # Filed Monday 12:00 in Beijing with 2 working days: due at the end of Wednesday.
        assert case["due_at"] == "2026-11-25T16:00:00Z"
        assert [(s["action"], s["to_status"]) for s in case["timeline"]] == [
            ("submit", "submitted"),
            ("accept", "accepted"),
            ("assign", "assigned"),
        ]
        assert case["contact"] == {
            "name": "王小明",
            "phone": "13812345678",
            "email": None,
            "masked": False,
        }

    async def test_a_government_run_facility_or_no_facility_goes_to_an_official(
        self, client, auth
    ):
        case = await file_case(client, auth(), target_id=1)
        assert case["assignee"] == {"type": "official", "operator_id": None}
        general = await file_case(
            client, auth(), category="suggestion", target_type=None, target_id=None
        )
        assert (
            general["kind"] == "suggestion"
            and general["assignee"]["type"] == "official"
            and general["facility_id"] is None
        )

    async def test_fee_overcharge_needs_its_extra_field(self, client, auth):
        resp = await client.post(
            "/api/v1/cases", json=case_body(category="fee_overcharge"), headers=auth()
        )
        assert (
            resp.status_code == 422
            and resp.json()["errors"][0]["field"] == "attributes.charged_fen"
        )
        wrong = await client.post(
            "/api/v1/cases",
            json=case_body(
                category="fee_overcharge", attributes={"charged_fen": "五十"}
            ),
            headers=auth(),
        )
        assert wrong.status_code == 422
        case = await file_case(
            client,
            auth(),
            category="fee_overcharge",
            attributes={"charged_fen": "5000", "receipt": "yes"},
        )
        assert (
            case["attributes"] == {"charged_fen": 5000, "receipt": "yes"}
            and case["category_name"] == "收费高于核定标准"
        )

    async def test_bad_input_is_refused_and_nothing_is_written(self, client, auth):
        for body, field in (
            (case_body(description=""), "description"),
            (case_body(description="长" * 4001), "description"),
            (case_body(description="a\x00b"), "description"),
            (case_body(category="noise"), "category"),
            (case_body(target_id=999), "target_id"),
            (case_body(photo_urls=["ftp://example.com/a.jpg"]), "photo_urls.0"),
        ):
            resp = await client.post("/api/v1/cases", json=body, headers=auth())
            assert resp.status_code == 422, (field, resp.text)
            assert resp.json()["errors"][0]["field"] == field
        assert (await client.get("/api/v1/cases", headers=auth())).json()["items"] == []

    async def test_a_body_of_several_megabytes_is_413(self, client, auth):
        resp = await client.post(
            "/api/v1/cases",
            json=case_body(description="投诉" * 1_500_000),
            headers=auth(),
        )
        assert resp.status_code == 413
        assert (await client.get("/api/v1/cases", headers=auth())).json()["items"] == []

    async def test_cjk_and_emoji_are_kept(self, client, auth):
        text = "活动很好👍👨‍👩‍👧，但排队太久⏳。建议增加场次！"
        case = await file_case(
            client, auth(), category="suggestion", description=text, contact=None
        )
        assert (await client.get(f"/api/v1/cases/{case['id']}", headers=auth())).json()[
            "description"
        ] == text

    async def test_facilities_api_down_is_503_and_nothing_is_written(
        self, client_facilities_down, auth
    ):
        resp = await client_facilities_down.post(
            "/api/v1/cases", json=case_body(), headers=auth()
        )
        assert resp.status_code == 503
        assert (
            await client_facilities_down.get("/api/v1/cases", headers=auth())
        ).json()["items"] == []


class TestWhoSeesWhat:
    async def test_residents_see_their_own_operators_their_assigned_officials_their_area(
        self, client, auth
    ):
        mine = await file_case(client, auth(sub="r-1"))
        other = await file_case(
            client, auth(sub="r-2"), target_id=3
        )  # operator 8, another subdistrict
        assert [
            c["id"]
            for c in (
                await client.get("/api/v1/cases", headers=auth(sub="r-1"))
            ).json()["items"]
        ] == [mine["id"]]
        assert (
            await client.get(f"/api/v1/cases/{other['id']}", headers=auth(sub="r-1"))
        ).status_code == 404
        seven = (await client.get("/api/v1/cases", headers=auth(**OPERATOR_7))).json()[
            "items"
        ]
        assert [c["id"] for c in seven] == [mine["id"]]
        assert seven[0]["contact"]["phone"] == "13812345678", (
            "the handler sees the contact"
        )
        district = (await client.get("/api/v1/cases", headers=auth("official"))).json()[
            "items"
        ]
        assert {c["id"] for c in district} == {mine["id"], other["id"]}
        jingshan = (
            await client.get(
                "/api/v1/cases", headers=auth("official", subdistrict="jingshan")
            )
        ).json()["items"]
        assert [c["id"] for c in jingshan] == [mine["id"]]
        audited = (
            await client.get(f"/api/v1/cases/{mine['id']}", headers=auth("auditor"))
        ).json()
        assert audited["contact"] == {
            "name": "王**",
            "phone": "138****5678",
            "email": None,
            "masked": True,
        }
        assert "13812345678" not in audited["description"]
        eight = await client.get(
            f"/api/v1/cases/{mine['id']}", headers=auth("operator", operator_id=8)
        )
        assert eight.status_code == 404


class TestRespondReopenClose:
    async def test_the_whole_loop_with_a_reopen(self, client, auth):
        resident, operator = auth(sub="r-1"), auth(**OPERATOR_7)
        case = await file_case(client, resident)
        case = await step(
            client,
            case,
            "respond",
            operator,
            text="已核实：当天临时停电，已在门口张贴通知。",
        )
        assert case["status"] == "responded" and case["responded_on_time"] is True
        case = await step(
            client,
            case,
            "reopen",
            resident,
            reason="没有看到通知，希望提前在网上公告。",
        )
        assert (case["status"], case["reopen_count"]) == ("reopened", 1)
        assert case["due_at"] == "2026-11-25T16:00:00Z"
        case = await step(
            client, case, "respond", operator, text="以后闭馆将提前一天在平台公告。"
        )
        case = await step(client, case, "confirm", resident, answer_rating=4)
        assert (case["status"], case["answer_rating"]) == ("confirmed", 4)
        case = await step(client, case, "close", auth("official"), note="办结")
        assert case["status"] == "closed" and case["closed_at"] is not None
        assert [s["action"] for s in case["timeline"]] == [
            "submit",
            "accept",
            "assign",
            "respond",
            "reopen",
            "respond",
            "confirm",
            "close",
        ]
        assert all("actor_sub" not in s for s in case["timeline"])

    async def test_closing_an_unanswered_case_is_409_naming_both_statuses(
        self, client, auth
    ):
        case = await file_case(client, auth())
        resp = await client.post(
            f"/api/v1/cases/{case['id']}/close",
            headers={**auth("official"), "If-Match": f'"v{case["version"]}"'},
        )
        assert resp.status_code == 409, resp.text
        body = resp.json()
        assert (body["from_status"], body["to_status"]) == ("assigned", "closed")
        assert "unanswered" in body["detail"]
        after = (await client.get(f"/api/v1/cases/{case['id']}", headers=auth())).json()
        assert after["status"] == "assigned" and len(after["timeline"]) == 3

    async def test_only_the_handler_answers_and_only_the_resident_confirms(
        self, client, auth
    ):
        case = await file_case(client, auth(sub="r-1"))
        await step(
            client,
            case,
            "respond",
            auth("operator", operator_id=8),
            text="x",
            status=404,
        )
        await step(client, case, "respond", auth(sub="r-1"), text="x", status=403)
        case = await step(
            client, case, "respond", auth("official"), text="区文旅局已督办"
        )
        await step(client, case, "confirm", auth(sub="r-2"), status=404)
        await step(client, case, "confirm", auth("official"), status=403)

    async def test_writes_need_a_fresh_if_match(self, client, auth):
        case = await file_case(client, auth())
        url = f"/api/v1/cases/{case['id']}/respond"
        missing = await client.post(
            url, json={"text": "好"}, headers=auth(**OPERATOR_7)
        )
        assert missing.status_code == 428
        stale = await client.post(
            url, json={"text": "好"}, headers={**auth(**OPERATOR_7), "If-Match": '"v1"'}
        )
        assert stale.status_code == 412
        fresh = await client.get(f"/api/v1/cases/{case['id']}", headers=auth())
        ok = await client.post(
            url,
            json={"text": "好"},
            headers={**auth(**OPERATOR_7), "If-Match": fresh.headers["etag"]},
        )
        assert ok.status_code == 200 and ok.headers["etag"] != fresh.headers["etag"]

    async def test_reopening_is_limited_and_the_answer_is_rated_once(
        self, client, auth
    ):
        resident, operator = auth(sub="r-1"), auth(**OPERATOR_7)
        case = await file_case(client, resident)
        for _ in range(2):
            case = await step(client, case, "respond", operator, text="已处理")
            case = await step(client, case, "reopen", resident, reason="没有解决")
        case = await step(client, case, "respond", operator, text="已处理")
        await step(client, case, "reopen", resident, reason="还是没有解决", status=409)
        case = await step(client, case, "answer-rating", resident, answer_rating=2)
        assert case["answer_rating"] == 2
        await step(client, case, "answer-rating", resident, answer_rating=5, status=409)
        await step(client, case, "answer-rating", resident, answer_rating=9, status=422)


class TestManualAcceptance:
    async def test_with_auto_accept_off_an_official_accepts_and_the_case_is_routed_then(
        self, client, auth, app, standin
    ):
        app.state.settings.cases_auto_accept = False
        case = await file_case(client, auth())
        assert case["status"] == "submitted" and case["assignee"] is None
        standin.operator_changed(2, 8)
        from feedback_api.operations.service import (
            on_operator_changed,  # the map learns the change
        )

        async with app.state.sessionmaker() as session:
            await on_operator_changed(session, standin.events[-1])
            await session.commit()
        await step(client, case, "accept", auth(**OPERATOR_7), status=403)
        case = await step(client, case, "accept", auth("official"))
        assert case["status"] == "assigned" and case["assignee"] == {
            "type": "operator",
            "operator_id": 8,
        }
        case = await step(client, case, "assign", auth("official"), assignee="official")
        assert case["assignee"] == {"type": "official", "operator_id": None}


class TestCategories:
    async def test_categories_with_deadlines(self, client):
        categories = {
            c["code"]: c for c in (await client.get("/api/v1/cases/categories")).json()
        }
        assert (
            categories["fee_overcharge"]["kind"] == "complaint"
            and categories["fee_overcharge"]["deadline_working_days"] == 2
        )
        assert categories["suggestion"]["deadline_working_days"] == 5
        assert {"praise", "consultation"} <= set(categories)


def test_now_is_a_monday():
    assert datetime(2026, 11, 23, 4, 0, tzinfo=UTC).weekday() == 0
