"""Cultivation (培): training programmes with attendance and completion, incubation, and volunteers
with verified hours and recognition."""

from __future__ import annotations

from tests.factories import active_contract, qualified_operator

TRAININGS = "/api/v1/trainings"


def programme(**overrides) -> dict:
    body = {
        "title": "文化类社会组织运营能力提升培训班",
        "organiser": "东城区文化和旅游局",
        "audience": "operators",
        "capacity": 2,
        "min_sessions_for_completion": 2,
        "sessions": [
            {
                "topic": "公共文化服务政策解读",
                "starts_at": "2026-06-05T09:00:00",
                "ends_at": "2026-06-05T11:30:00",
                "place": "东城区文化馆",
            },
            {
                "topic": "活动策划与品牌建设",
                "starts_at": "2026-06-12T09:00:00",
                "ends_at": "2026-06-12T11:30:00",
                "place": "东城区文化馆",
            },
            {
                "topic": "志愿者管理",
                "starts_at": "2026-06-19T09:00:00",
                "ends_at": "2026-06-19T11:30:00",
                "place": "角楼图书馆",
            },
        ],
    }
    body.update(overrides)
    return body


class TestTrainingProgramme:
    async def test_enrol_attend_and_complete(self, client, auth):
        op = await qualified_operator(client, auth("official"))
        p = (await client.post(TRAININGS, json=programme(), headers=auth("official"))).json()
        assert (p["starts_on"], p["ends_on"], p["sessions"][0]["starts_at"]) == (
            "2026-06-05",
            "2026-06-19",
            "2026-06-05T01:00:00Z",
        )
        staff = auth("operator", operator_id=op["id"])
        a = (
            await client.post(
                f"{TRAININGS}/{p['id']}/enrolments",
                json={"participant_name": "王丽", "organisation_name": "书香公司"},
                headers=staff,
            )
        ).json()
        assert a["operator_id"] == op["id"]
        b = (
            await client.post(
                f"{TRAININGS}/{p['id']}/enrolments",
                json={"participant_name": "赵强", "organisation_name": "胡同剧社"},
                headers=auth("official"),
            )
        ).json()
        full = await client.post(
            f"{TRAININGS}/{p['id']}/enrolments",
            json={"participant_name": "孙七", "organisation_name": "x"},
            headers=auth("official"),
        )
        assert full.status_code == 409 and full.json()["type"] == "/problems/training-full"
        s1, s2, _ = (s["id"] for s in p["sessions"])
        await client.put(
            f"{TRAININGS}/{p['id']}/sessions/{s1}/attendance",
            json={"enrolment_ids": [a["id"], b["id"]]},
            headers=auth("official"),
        )
        await client.put(
            f"{TRAININGS}/{p['id']}/sessions/{s2}/attendance",
            json={"enrolment_ids": [a["id"]]},
            headers=auth("official"),
        )
        done = (await client.post(f"{TRAININGS}/{p['id']}/completion", headers=auth("official"))).json()
        assert {(e["participant_name"], e["status"], e["sessions_attended"]) for e in done} == {
            ("王丽", "completed", 2),
            ("赵强", "not_completed", 1),
        }
        assert (await client.get(f"{TRAININGS}/{p['id']}")).json()["status"] == "closed"
        credit = (await client.get(f"/api/v1/operators/{op['id']}/credit", headers=staff)).json()
        assert credit["score"] == 101 and credit["entries"][0]["kind"] == "training"
        late = await client.post(
            f"{TRAININGS}/{p['id']}/enrolments",
            json={"participant_name": "周八", "organisation_name": "y"},
            headers=auth("official"),
        )
        assert late.status_code == 409

    async def test_completion_needs_enough_sessions(self, client, auth):
        resp = await client.post(TRAININGS, json=programme(min_sessions_for_completion=4), headers=auth("official"))
        assert resp.status_code == 422 and resp.json()["errors"][0]["code"] == "completion-impossible"


class TestIncubation:
    async def test_from_incubating_to_graduated(self, client, auth):
        body = {
            "organisation_name": "胡同记忆口述史小组",
            "kind": "team",
            "facility_id": 115,
            "mentor": "常德昆",
            "started_on": "2025-09-01",
            "planned_end_on": "2026-08-31",
        }
        i = (await client.post("/api/v1/incubations", json=body, headers=auth("official"))).json()
        assert i["status"] == "incubating"
        done = await client.post(
            f"/api/v1/incubations/{i['id']}/status",
            json={"status": "graduated", "reason": "已登记为社会团体"},
            headers=auth("official"),
        )
        assert done.json()["status"] == "graduated"
        again = await client.post(
            f"/api/v1/incubations/{i['id']}/status",
            json={"status": "withdrawn", "reason": "x"},
            headers=auth("official"),
        )
        assert again.status_code == 409


class TestVolunteers:
    async def test_verified_hours_count_towards_recognition(self, client, auth):
        c = await active_contract(client, auth)
        staff = auth("operator", operator_id=c["operator_id"])
        team = (
            await client.post(
                "/api/v1/volunteer-teams",
                json={"name": "景山文化志愿服务队", "leader_name": "李华", "founded_on": "2024-03-05"},
                headers=staff,
            )
        ).json()
        assert team["operator_id"] == c["operator_id"]
        v = (
            await client.post(
                f"/api/v1/volunteer-teams/{team['id']}/members",
                json={"name": "张三丰", "phone": "13900001234", "joined_on": "2024-03-05"},
                headers=staff,
            )
        ).json()
        public = (await client.get(f"/api/v1/volunteers/{v['id']}")).json()
        assert (public["name"], public["phone"]) == ("张**", "139****1234")
        url = f"/api/v1/volunteers/{v['id']}/service-records"
        rec = (
            await client.post(
                url,
                json={"facility_id": 114, "served_on": "2026-05-20", "hours": "24", "activity": "读书会引导"},
                headers=staff,
            )
        ).json()
        stranger = await client.post(
            f"{url}/{rec['id']}/verification",
            json={"decision": "verified"},
            headers=auth("operator", operator_id=c["operator_id"] + 1),
        )
        assert stranger.status_code == 403
        own = await client.post(f"{url}/{rec['id']}/verification", json={"decision": "verified"}, headers=staff)
        assert own.status_code == 403 and own.json()["type"] == "/problems/same-party"
        ok = await client.post(
            f"{url}/{rec['id']}/verification", json={"decision": "verified"}, headers=auth("official")
        )
        assert ok.json()["status"] == "verified"
        app_settings_thresholds = [100, 300, 1000]
        got = (await client.get(f"/api/v1/volunteers/{v['id']}", headers=staff)).json()
        assert got["verified_hours"] == "24.0" and got["recognition"] == {
            "level": 0,
            "thresholds_hours": app_settings_thresholds,
            "next_threshold_hours": 100,
        }
        for day in range(1, 4):
            r = (
                await client.post(
                    url,
                    json={"facility_id": 114, "served_on": f"2026-04-{day:02d}", "hours": "24", "activity": "值守"},
                    headers=staff,
                )
            ).json()
            await client.post(f"{url}/{r['id']}/verification", json={"decision": "verified"}, headers=auth("official"))
        got = (await client.get(f"/api/v1/volunteers/{v['id']}", headers=staff)).json()
        assert got["recognition"]["level"] == 0
        r = (
            await client.post(
                url,
                json={"facility_id": 114, "served_on": "2026-04-05", "hours": "4", "activity": "值守"},
                headers=staff,
            )
        ).json()
        await client.post(f"{url}/{r['id']}/verification", json={"decision": "verified"}, headers=auth("official"))
        assert (await client.get(f"/api/v1/volunteers/{v['id']}")).json()["recognition"]["level"] == 1
        recognised = (
            await client.get("/api/v1/events", params={"types": "volunteer.recognised"}, headers=auth("official"))
        ).json()["items"]
        assert [e["data"]["threshold_hours"] for e in recognised] == [100]
        assert [x["id"] for x in (await client.get("/api/v1/volunteers", params={"min_level": 1})).json()["items"]] == [
            v["id"]
        ]

    async def test_an_operator_does_not_verify_its_own_teams_hours(self, client, auth):
        # The operator runs facility 114 and its team served there: recording and confirming the same
        # hours would make recognition whatever the operator says.
        c = await active_contract(client, auth)
        staff = auth("operator", operator_id=c["operator_id"])
        colleague = auth("operator", sub="colleague", operator_id=c["operator_id"])
        team = (
            await client.post(
                "/api/v1/volunteer-teams",
                json={"name": "自家队", "leader_name": "王", "founded_on": "2024-03-05"},
                headers=staff,
            )
        ).json()
        v = (
            await client.post(
                f"/api/v1/volunteer-teams/{team['id']}/members",
                json={"name": "赵六", "joined_on": "2024-03-05"},
                headers=staff,
            )
        ).json()
        url = f"/api/v1/volunteers/{v['id']}/service-records"
        rec = (
            await client.post(
                url,
                json={"facility_id": 114, "served_on": "2026-05-20", "hours": "8", "activity": "值守"},
                headers=staff,
            )
        ).json()
        for who in (staff, colleague):
            resp = await client.post(f"{url}/{rec['id']}/verification", json={"decision": "verified"}, headers=who)
            assert resp.status_code == 403
        got = (await client.get(f"/api/v1/volunteers/{v['id']}")).json()
        assert got["verified_hours"] == "0.0" and got["recognition"]["level"] == 0

    async def test_future_service_and_rejections_without_reason_are_refused(self, client, auth):
        team = (
            await client.post(
                "/api/v1/volunteer-teams",
                json={"name": "区级队", "leader_name": "王", "founded_on": "2020-01-01"},
                headers=auth("official"),
            )
        ).json()
        v = (
            await client.post(
                f"/api/v1/volunteer-teams/{team['id']}/members",
                json={"name": "李四", "joined_on": "2021-01-01"},
                headers=auth("official"),
            )
        ).json()
        url = f"/api/v1/volunteers/{v['id']}/service-records"
        future = await client.post(
            url,
            json={"facility_id": 39, "served_on": "2026-06-02", "hours": "2", "activity": "x"},
            headers=auth("official"),
        )
        assert future.status_code == 422
        rec = (
            await client.post(
                url,
                json={"facility_id": 39, "served_on": "2026-05-02", "hours": "2", "activity": "x"},
                headers=auth("official"),
            )
        ).json()
        no_reason = await client.post(
            f"{url}/{rec['id']}/verification",
            json={"decision": "rejected"},
            headers=auth("official", sub="official-sun"),
        )
        assert no_reason.status_code == 422
