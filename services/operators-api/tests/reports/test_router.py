"""Monthly service reports (服务月报) beside what the platform recorded itself."""

from __future__ import annotations

from tests.factories import active_contract, file_report, report_lines

URL = "/api/v1/service-reports"


class TestFileReport:
    async def test_a_report_is_shown_beside_the_platforms_own_figures(self, client, auth, facilities, feedback):
        c = await active_contract(client, auth)
        facilities.stats[114] = {
            "activities_held": 10,
            "participants": 250,
            "scheduled_open_hours": 176,
            "special_group_services_done": 20,
        }
        feedback.satisfaction[114] = feedback.index(complaints=3, on_time=3)
        resp = await file_report(client, auth, c, "2026-05")
        assert resp.status_code == 201, resp.text
        report = resp.json()
        assert report["flagged"] is True
        [line] = report["cross_check"]["lines"]
        figures = {f["figure"]: f for f in line["figures"]}
        assert (
            figures["activities"]["reported"],
            figures["activities"]["recorded"],
            figures["activities"]["flagged"],
        ) == ("10", "10", False)
        assert (
            figures["participants"]["difference"] == "50" and figures["participants"]["difference_percent"] == "20.00"
        )
        assert figures["participants"]["flagged"] is True
        assert figures["open_hours"]["flagged"] is False  # 180 vs 176: within 10 %
        assert line["complaints_recorded"] == 3
        assert report["cross_check"]["missing"] == []
        assert "stats:114:2026-05-01:2026-05-31" in facilities.calls

    async def test_a_month_not_over_is_refused(self, client, auth):
        c = await active_contract(client, auth)
        for month in ("2026-06", "2026-09"):
            resp = await file_report(client, auth, c, month)
            assert resp.status_code == 422 and resp.json()["errors"][0] == {
                "field": "month",
                "message": resp.json()["detail"],
                "code": "report-month-not-over",
            }
        assert (await client.get(URL, headers=auth("official"))).json()["items"] == []

    async def test_a_month_outside_the_contract_is_refused(self, client, auth):
        c = await active_contract(client, auth)
        resp = await file_report(client, auth, c, "2025-12")
        assert resp.status_code == 422 and resp.json()["errors"][0]["code"] == "month-outside-contract"

    async def test_one_line_per_facility_of_the_contract(self, client, auth):
        c = await active_contract(client, auth, facility_ids=[114, 115])
        body = {"contract_id": c["id"], "month": "2026-05", "lines": report_lines({"facility_ids": [114]})}
        resp = await client.post(URL, json=body, headers=auth("operator", operator_id=c["operator_id"]))
        assert resp.status_code == 422 and resp.json()["errors"][0]["code"] == "report-facilities"

    async def test_one_report_per_month_filed_by_the_operator_only(self, client, auth):
        c = await active_contract(client, auth)
        first = await file_report(client, auth, c, "2026-04")
        again = await file_report(client, auth, c, "2026-04")
        assert again.status_code == 409 and again.json()["existing"] == {"id": first.json()["id"]}
        body = {"contract_id": c["id"], "month": "2026-03", "lines": report_lines(c)}
        other = await client.post(URL, json=body, headers=auth("operator", operator_id=c["operator_id"] + 1))
        assert other.status_code == 422 and other.json()["errors"][0]["code"] == "not-your-contract"
        assert (await client.post(URL, json=body, headers=auth("official"))).status_code == 403

    async def test_when_the_platform_cannot_answer_the_report_says_what_is_unchecked(
        self, client, auth, facilities_link, feedback_link
    ):
        c = await active_contract(client, auth)
        facilities_link.down = True
        feedback_link.status = 503
        resp = await file_report(client, auth, c, "2026-05")
        assert resp.status_code == 201
        report = resp.json()
        assert report["flagged"] is False
        assert [(m["source"], m["error"]) for m in report["cross_check"]["missing"]] == [
            ("facilities-api", "unreachable (ConnectError)"),
            ("feedback-api", "answered 503"),
        ]
        assert all(f["recorded"] is None for f in report["cross_check"]["lines"][0]["figures"])
        facilities_link.down, feedback_link.status = False, None
        again = await client.post(f"{URL}/{report['id']}/cross-check", headers=auth("official"))
        assert again.json()["cross_check"]["missing"] == []


class TestAmendReport:
    async def test_amendments_need_if_match_and_are_checked_again(self, client, auth, facilities):
        c = await active_contract(client, auth)
        report = (await file_report(client, auth, c, "2026-05", participants=900)).json()
        staff = auth("operator", operator_id=c["operator_id"])
        url = f"{URL}/{report['id']}"
        # The stand-in's defaults: 30 activities, 900 participants, 600 scheduled hours, 60 special-group services.
        body = {"lines": report_lines(c, participants=900, activities=30, open_hours="600", special_group_services=60)}
        assert (await client.patch(url, json=body, headers=staff)).status_code == 428
        ok = await client.patch(url, json=body, headers={**staff, "If-Match": '"v1"'})
        assert report["flagged"] is True
        assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.json()["flagged"] is False
        assert (await client.patch(url, json=body, headers={**auth("official"), "If-Match": '"v2"'})).status_code == 403

    async def test_a_month_a_published_evaluation_used_can_no_longer_change(self, client, auth):
        c = await active_contract(client, auth)
        reports = [(await file_report(client, auth, c, m)).json() for m in ("2026-01", "2026-02", "2026-03")]
        evaluated = await client.post(
            "/api/v1/evaluations", json={"contract_id": c["id"], "period": "2026-Q1"}, headers=auth("official")
        )
        e = evaluated.json()
        staff = {**auth("operator", operator_id=c["operator_id"]), "If-Match": '"v1"'}
        body = {"summary": "补充说明"}
        # A draft evaluation does not freeze the report yet.
        assert (await client.patch(f"{URL}/{reports[0]['id']}", json=body, headers=staff)).status_code == 200
        published = await client.post(
            f"/api/v1/evaluations/{e['id']}/publish",
            json={"accept_missing": True, "reason": "无第三方评分，按其余指标折算"},
            headers=auth("official"),
        )
        assert published.status_code == 200, published.text
        refused = await client.patch(f"{URL}/{reports[1]['id']}", json=body, headers=staff)
        assert refused.status_code == 409 and refused.json()["type"] == "/problems/report-evaluated"
        assert f"Evaluation {e['id']} (2026-Q1)" in refused.json()["detail"]
        unchanged = await client.get(f"{URL}/{reports[1]['id']}", headers=staff)
        assert (unchanged.json()["summary"], unchanged.json()["version"]) == (reports[1]["summary"], 1)

    async def test_reports_are_private_to_the_operator_and_officials(self, client, auth):
        c = await active_contract(client, auth)
        report = (await file_report(client, auth, c, "2026-05")).json()
        assert (
            await client.get(f"{URL}/{report['id']}", headers=auth("operator", operator_id=c["operator_id"] + 1))
        ).status_code == 404
        assert (await client.get(f"{URL}/{report['id']}", headers=auth("auditor"))).status_code == 200
        flagged = (await client.get(URL, params={"flagged": "true"}, headers=auth("official"))).json()["items"]
        assert [r["id"] for r in flagged] == [report["id"]]
        assert (await client.get(URL, params={"flagged": "false"}, headers=auth("official"))).json()["items"] == []
