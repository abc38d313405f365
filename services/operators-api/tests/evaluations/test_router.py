"""Performance evaluations (绩效考核): inputs from the contract's own records and from the other
services, stored as evidence; missing ones named, never invented; score, grade and consequences;
appeals; the batch for a whole quarter."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import active_contract, at, file_report, inspect

URL = "/api/v1/evaluations"


async def prepared(
    client, auth, months=("2026-01", "2026-02", "2026-03"), inspected_on="2026-03-10", fraction=0.9, **contract
) -> dict:
    """A 2026 contract with Q1's reports and one inspection."""
    c = await active_contract(client, auth, **contract)
    for m in months:
        assert (await file_report(client, auth, c, m, open_hours="180")).status_code == 201
    if inspected_on:
        assert (await inspect(client, auth, c, inspected_on, fraction)).status_code == 201
    return c


async def evaluate(client, auth, contract: dict, period: str = "2026-Q1", expert: str | None = "85") -> dict:
    resp = await client.post(URL, json={"contract_id": contract["id"], "period": period}, headers=auth("official"))
    assert resp.status_code == 201, resp.text
    e = resp.json()
    if expert is not None:
        resp = await client.put(
            f"{URL}/{e['id']}/expert-score",
            json={"score": expert, "assessor": "北京某第三方评估机构"},
            headers={**auth("official"), "If-Match": f'"v{e["version"]}"'},
        )
        assert resp.status_code == 200, resp.text
        e = resp.json()
    return e


async def publish(client, auth, e: dict, **body) -> dict:
    resp = await client.post(f"{URL}/{e['id']}/publish", json=body, headers=auth("official"))
    assert resp.status_code == 200, resp.text
    return resp.json()


def low(facilities, feedback, fid=114) -> None:
    """Figures that make a failing quarter."""
    facilities.stats[fid] = {"activities_held": 6, "participants": 150, "special_group_services_done": 6}
    feedback.satisfaction[fid] = feedback.index(smoothed_mean="2.20", complaints=4, on_time=1)


class TestEvaluateContract:
    async def test_every_part_is_computed_from_its_source_and_kept_as_evidence(
        self, client, auth, facilities, feedback
    ):
        c = await prepared(client, auth)
        facilities.open_hours[114] = "540"
        e = await evaluate(client, auth, c)
        assert e["status"] == "draft" and e["missing_inputs"] == []
        parts = e["components"]
        assert parts["kpi"]["score"] == "100.00" and parts["kpi"]["complete"] is True
        assert parts["kpi"]["items"]["open_hours_per_week"]["actual"] == "42.00"  # 540 h over 90 days
        assert parts["kpi"]["items"]["open_hours_per_week"]["source"] == "facilities-api"
        assert parts["kpi"]["items"]["activities_per_month"]["source"] == "facilities-api"
        assert parts["inspection"]["score"] == "90.00"
        assert parts["satisfaction"]["score"] == "90.00"  # 25 × (4.60 − 1)
        assert parts["expert"]["score"] == "85.00"
        # 0.4 × 100 + 0.2 × 90 + 0.3 × 90 + 0.1 × 85
        assert e["provisional_score"] == "93.50"
        evidence = (await client.get(f"{URL}/{e['id']}/evidence", headers=auth("auditor"))).json()
        by_input = {x["input"]: x for x in evidence}
        stats = by_input["facility_stats:114"]
        assert stats["source"] == "facilities-api" and stats["ok"] is True
        assert (
            stats["request"]
            == "GET http://facilities.test/api/v1/stats/operations?facility_id=114&from=2026-01-01&to=2026-03-31"
        )
        assert (stats["from_on"], stats["to_on"], stats["fetched_at"]) == (
            "2026-01-01",
            "2026-03-31",
            "2026-06-01T02:00:00Z",
        )
        assert stats["data"]["activities_held"] == 30
        assert by_input["satisfaction:114"]["source"] == "feedback-api"
        assert by_input["service_reports"]["ok"] is True and by_input["expert_score"]["data"]["score"] == "85"
        hours = by_input["open_hours:114"]
        assert hours["source"] == "facilities-api" and hours["data"]["hours"] == "540"
        assert (
            hours["request"]
            == "GET http://facilities.test/api/v1/facilities/114/open-hours?from=2026-01-01&to=2026-03-31"
        )

    async def test_the_open_hours_are_the_platforms_not_the_operators_report(self, client, auth, facilities):
        # The operator reports 180 h a month (42 a week, the target's 40 met); the platform recorded
        # 270 h over the quarter (21 a week). The KPI uses what the platform recorded.
        c = await prepared(client, auth)
        facilities.open_hours[114] = "270"
        e = await evaluate(client, auth, c)
        item = e["components"]["kpi"]["items"]["open_hours_per_week"]
        assert (item["actual"], item["attainment"], item["source"]) == ("21.00", "52.50", "facilities-api")

    async def test_without_the_platforms_open_hours_the_kpi_is_missing_not_taken_from_the_report(
        self, client, auth, facilities_link
    ):
        c = await prepared(client, auth)
        facilities_link.down = True
        e = await evaluate(client, auth, c)
        item = e["components"]["kpi"]["items"]["open_hours_per_week"]
        assert item["actual"] is None and "open hours" in item["missing"]

    async def test_a_period_not_over_or_outside_the_contract_is_refused(self, client, auth):
        c = await active_contract(client, auth)
        for period, code in (("2026-Q2", "period-not-over"), ("2025-Q4", "period-outside-contract")):
            resp = await client.post(URL, json={"contract_id": c["id"], "period": period}, headers=auth("official"))
            assert resp.status_code == 422 and resp.json()["errors"][0] == {
                "field": "period",
                "message": resp.json()["detail"],
                "code": code,
            }
        bad = await client.post(URL, json={"contract_id": c["id"], "period": "2026-Q5"}, headers=auth("official"))
        assert bad.status_code == 422

    async def test_one_evaluation_per_contract_and_period(self, client, auth):
        c = await prepared(client, auth)
        e = await evaluate(client, auth, c, expert=None)
        again = await client.post(URL, json={"contract_id": c["id"], "period": "2026-Q1"}, headers=auth("official"))
        assert again.status_code == 409 and again.json()["existing"] == {"id": e["id"]}

    async def test_only_officials_evaluate_and_operators_see_published_ones(self, client, auth):
        c = await prepared(client, auth)
        assert (
            await client.post(
                URL,
                json={"contract_id": c["id"], "period": "2026-Q1"},
                headers=auth("operator", operator_id=c["operator_id"]),
            )
        ).status_code == 403
        e = await evaluate(client, auth, c)
        staff = auth("operator", operator_id=c["operator_id"])
        assert (await client.get(f"{URL}/{e['id']}", headers=staff)).status_code == 404
        await publish(client, auth, e)
        assert (await client.get(f"{URL}/{e['id']}", headers=staff)).json()["grade"] == "excellent"
        assert (
            await client.get(f"{URL}/{e['id']}", headers=auth("operator", operator_id=c["operator_id"] + 1))
        ).status_code == 404


class TestMissingInputs:
    async def test_with_feedback_api_down_the_satisfaction_inputs_are_missing_not_invented(
        self, client, auth, feedback_link
    ):
        c = await prepared(client, auth)
        feedback_link.down = True
        e = await evaluate(client, auth, c)
        missing = {m["input"]: m for m in e["missing_inputs"]}
        assert set(missing) == {"satisfaction:114", "kpi.complaint_on_time_percent", "kpi.min_satisfaction_score"}
        assert missing["satisfaction:114"]["source"] == "feedback-api"
        assert "unreachable (ConnectError)" in missing["satisfaction:114"]["reason"]
        assert e["components"]["satisfaction"]["score"] is None
        assert e["components"]["kpi"]["items"]["complaint_on_time_percent"]["actual"] is None
        assert e["provisional_score"] is None
        [ev] = [
            x
            for x in (await client.get(f"{URL}/{e['id']}/evidence", headers=auth("official"))).json()
            if x["input"] == "satisfaction:114"
        ]
        assert (ev["ok"], ev["error"], ev["data"]) == (False, "unreachable (ConnectError)", None)

    async def test_publishing_with_missing_inputs_needs_an_explicit_acceptance_and_a_reason(
        self, client, auth, feedback_link
    ):
        c = await prepared(client, auth)
        feedback_link.down = True
        e = await evaluate(client, auth, c)
        refused = await client.post(f"{URL}/{e['id']}/publish", json={}, headers=auth("official"))
        assert refused.status_code == 409 and refused.json()["type"] == "/problems/inputs-missing"
        assert len(refused.json()["missing_inputs"]) == 3
        no_reason = await client.post(
            f"{URL}/{e['id']}/publish", json={"accept_missing": True}, headers=auth("official")
        )
        assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
        out = await publish(client, auth, e, accept_missing=True, reason="满意度系统故障，经领导小组同意按其余指标折算")
        # KPI over the 4 items present (100); weights 40/20/10 of 70: (4000 + 1800 + 850) / 70
        assert (out["score"], out["reweighted"]) == ("95.00", True)
        assert out["consequences"]["weights_used"] == {"kpi": 40, "inspection": 20, "expert": 10}

    async def test_an_error_answer_counts_as_missing_and_a_refresh_fetches_again(self, client, auth, facilities_link):
        c = await prepared(client, auth)
        facilities_link.status = 503
        e = await evaluate(client, auth, c)
        kpi_missing = sorted(m["input"] for m in e["missing_inputs"])
        assert kpi_missing == [
            "kpi.activities_per_month",
            "kpi.open_hours_per_week",
            "kpi.participants_per_month",
            "kpi.special_group_services_per_month",
        ]
        assert "answered 503" in e["missing_inputs"][0]["reason"]
        facilities_link.status = None
        refreshed = (await client.post(f"{URL}/{e['id']}/refresh", headers=auth("official"))).json()
        assert refreshed["missing_inputs"] == [] and refreshed["provisional_score"] == "93.50"

    async def test_too_few_ratings_is_a_missing_input_that_says_so(self, client, auth, feedback):
        c = await prepared(client, auth)
        feedback.satisfaction[114] = feedback.index(count=3, insufficient=True)
        e = await evaluate(client, auth, c)
        [m] = [m for m in e["missing_inputs"] if m["input"] == "satisfaction:114"]
        assert "insufficient_data" in m["reason"] and "(3;" in m["reason"]

    async def test_a_missing_report_month_and_inspection_are_named(self, client, auth):
        c = await prepared(client, auth, months=("2026-01", "2026-03"), inspected_on=None)
        e = await evaluate(client, auth, c, expert=None)
        missing = {m["input"]: m["reason"] for m in e["missing_inputs"]}
        # The open hours come from the platform's record, so a month the operator did not report
        # leaves the KPI whole; the missing report is shown in the evidence.
        assert "kpi.open_hours_per_week" not in missing
        reports = next(
            x
            for x in (await client.get(f"{URL}/{e['id']}/evidence", headers=auth("official"))).json()
            if x["input"] == "service_reports"
        )
        assert (reports["ok"], reports["error"]) == (False, "missing: 2026-02")
        assert missing["inspections"] == "no inspection of this contract in the period"
        assert missing["expert"] == "no third-party or expert score entered yet"


class TestGradeAndConsequences:
    @pytest.mark.parametrize(
        ("expert", "fraction", "grade", "percent"),
        [("85", 0.9, "excellent", 100), ("40", 0.5, "good", 100), ("0", 0.1, "pass", 90)],
    )
    async def test_the_grade_adjusts_the_linked_instalment(self, client, auth, expert, fraction, grade, percent):
        c = await prepared(client, auth, fraction=fraction)
        out = await publish(client, auth, await evaluate(client, auth, c, expert=expert))
        assert out["grade"] == grade
        assert out["consequences"]["instalment"] == {
            "seq": 1,
            "amount_fen": 30_000_000,
            "percent": percent,
            "adjusted_amount_fen": 300_000 * percent,
        }
        assert out["consequences"]["renewal_eligible"] is (grade in ("excellent", "good"))
        contract = (await client.get(f"/api/v1/contracts/{c['id']}")).json()
        assert contract["instalments"][0]["payable_fen"] == 300_000 * percent
        paid = await client.post(
            f"/api/v1/contracts/{c['id']}/instalments/1/payment",
            json={"paid_on": "2026-06-01"},
            headers=auth("official", sub="finance-zhao"),
        )
        assert paid.json()["instalments"][0]["paid_amount_fen"] == 300_000 * percent

    async def test_a_fail_orders_a_rectification_and_costs_credit(self, client, auth, facilities, feedback):
        low(facilities, feedback)
        c = await prepared(client, auth, fraction=0.4)
        out = await publish(client, auth, await evaluate(client, auth, c, expert="40"))
        assert out["grade"] == "fail" and out["grade_zh"] == "不合格"
        assert out["consequences"]["instalment"]["adjusted_amount_fen"] == 21_000_000
        rid = out["consequences"]["rectification_id"]
        r = (await client.get(f"/api/v1/rectifications/{rid}", headers=auth("official"))).json()
        assert (r["source"], r["evaluation_id"], r["deadline_on"]) == ("evaluation", out["id"], "2026-07-01")
        credit = (await client.get(f"/api/v1/operators/{c['operator_id']}/credit", headers=auth("official"))).json()
        assert credit["score"] == 95 and credit["entries"][0]["points"] == -5
        assert out["consequences"]["termination_proposed"] is False

    async def test_two_consecutive_fails_propose_termination(self, client, auth, clock, facilities, feedback):
        low(facilities, feedback)
        c = await prepared(client, auth, fraction=0.4)
        await publish(client, auth, await evaluate(client, auth, c, expert="40"))
        at(clock, "2026-07-02T10:00:00+08:00")
        for m in ("2026-04", "2026-05", "2026-06"):
            await file_report(client, auth, c, m, open_hours="90")
        await inspect(client, auth, c, "2026-05-10", 0.4)
        second = await publish(client, auth, await evaluate(client, auth, c, period="2026-Q2", expert="40"))
        assert second["grade"] == "fail" and second["consequences"]["termination_proposed"] is True
        contract = (await client.get(f"/api/v1/contracts/{c['id']}")).json()
        assert "连续 2 次考核不合格" in contract["termination_proposal"]["reason"]
        types = [
            e["type"]
            for e in (await client.get("/api/v1/events", params={"limit": 1000}, headers=auth("official"))).json()[
                "items"
            ]
        ]
        assert types.count("contract.termination_proposed") == 1

    async def test_published_is_final(self, client, auth):
        c = await prepared(client, auth)
        e = await publish(client, auth, await evaluate(client, auth, c))
        again = await client.post(f"{URL}/{e['id']}/publish", json={}, headers=auth("official"))
        assert again.status_code == 409 and (again.json()["from"], again.json()["to"]) == ("published", "published")
        refresh = await client.post(f"{URL}/{e['id']}/refresh", headers=auth("official"))
        assert refresh.status_code == 409
        eligibility = (await client.get(f"/api/v1/contracts/{c['id']}/renewal-eligibility")).json()
        assert eligibility["eligible"] is True
        renewal = await client.post(
            f"/api/v1/contracts/{c['id']}/renewal",
            json={
                "ends_on": "2027-12-31",
                "amount_fen": 100_000_000,
                "instalments": [{"due_on": "2027-03-01", "amount_fen": 100_000_000}],
                "reason": "考核优秀，续约一年",
            },
            headers=auth("official"),
        )
        assert renewal.status_code == 201 and (renewal.json()["starts_on"], renewal.json()["renewed_from_id"]) == (
            "2027-01-01",
            c["id"],
        )


class TestAppeal:
    async def _failed(self, client, auth, facilities, feedback):
        low(facilities, feedback)
        c = await prepared(client, auth, fraction=0.4)
        return c, await publish(client, auth, await evaluate(client, auth, c, expert="40"))

    async def test_an_upheld_appeal_recomputes_the_evaluation_from_corrected_inputs(
        self, client, auth, facilities, feedback
    ):
        c, e = await self._failed(client, auth, facilities, feedback)
        staff = auth("operator", operator_id=c["operator_id"])
        documents = [{"title": "闭馆维修批复", "url": "https://files.example/repair.pdf", "sha256": "a" * 64}]
        appealed = await client.post(
            f"{URL}/{e['id']}/appeal",
            json={"reason": "督查当日为闭馆维修期，评分有误", "documents": documents},
            headers=staff,
        )
        assert appealed.status_code == 201 and appealed.json()["appeal"]["status"] == "submitted"
        assert appealed.json()["appeal"]["documents"] == documents
        listed = (await client.get(URL, params={"contract_id": c["id"]}, headers=staff)).json()["items"]
        assert [(x["id"], x["appeal"]["status"]) for x in listed] == [(e["id"], "submitted")]
        twice = await client.post(f"{URL}/{e['id']}/appeal", json={"reason": "再诉"}, headers=staff)
        assert twice.status_code == 409 and twice.json()["type"] == "/problems/appeal-exists"
        reviewer = auth("official", sub="official-li")
        # A typed-in score is not a decision: the corrected inputs are.
        typed = await client.post(
            f"{URL}/{e['id']}/appeal/decision",
            json={"decision": "upheld", "reason": "属实", "revised_score": "72"},
            headers=reviewer,
        )
        assert typed.status_code == 422
        bare = await client.post(
            f"{URL}/{e['id']}/appeal/decision", json={"decision": "upheld", "reason": "属实"}, headers=reviewer
        )
        assert bare.status_code == 422 and bare.json()["errors"][0]["code"] == "corrections-required"
        [inspection] = e["components"]["inspection"]["inspections"]
        unknown = await client.post(
            f"{URL}/{e['id']}/appeal/decision",
            json={
                "decision": "upheld",
                "reason": "属实",
                "corrections": [{"input": "inspection.999999", "value": "90", "reason": "x"}],
            },
            headers=reviewer,
        )
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "corrections.0"
        corrections = [
            {"input": f"inspection.{inspection['id']}", "value": "90", "reason": "督查当日闭馆维修，按复查结果"},
            {"input": "expert", "value": "80", "reason": "第三方复评"},
            {"input": "kpi.activities_per_month", "value": "8", "reason": "平台漏记了社区分馆的活动，见附件签到表"},
            {"input": "kpi.participants_per_month", "value": "200", "reason": "同上"},
        ]
        decided = await client.post(
            f"{URL}/{e['id']}/appeal/decision",
            json={"decision": "upheld", "reason": "闭馆维修属实", "corrections": corrections},
            headers=reviewer,
        )
        assert decided.status_code == 200, decided.text
        out = decided.json()
        parts = out["components"]
        assert (parts["inspection"]["score"], parts["expert"]["score"]) == ("90.00", "80.00")
        weights = out["scheme"]["weights"]
        expected = sum(Decimal(parts[k]["score"]) * weights[k] for k in weights) / 100
        assert Decimal(out["score"]) == expected.quantize(Decimal("0.01"))
        assert out["original_score"] == e["score"] and out["appeal"]["revised_score"] == out["score"]
        assert [(x["input"], x["to"]) for x in out["appeal"]["corrections"]][:2] == [
            (f"inspection.{inspection['id']}", "90.00"),
            ("expert", "80.00"),
        ]
        assert (
            parts["kpi"]["items"]["activities_per_month"]["attainment"] == "100.00"
            and parts["kpi"]["items"]["activities_per_month"]["corrected"]
        )
        assert Decimal(out["score"]) > Decimal(e["score"]) and out["grade"] != "fail"
        r = (
            await client.get(
                f"/api/v1/rectifications/{e['consequences']['rectification_id']}", headers=auth("official")
            )
        ).json()
        assert r["status"] == "withdrawn"
        # Both versions are kept and readable, by the operator too.
        versions = (await client.get(f"{URL}/{e['id']}/versions", headers=staff)).json()
        assert [(v["number"], v["kind"], v["score"], v["grade"]) for v in versions] == [
            (1, "published", e["score"], "fail"),
            (2, "appeal_upheld", out["score"], out["grade"]),
        ]
        assert versions[0]["components"]["inspection"]["score"] == e["components"]["inspection"]["score"]
        assert versions[1]["corrections"] == out["appeal"]["corrections"]
        evidence = {x["input"] for x in (await client.get(f"{URL}/{e['id']}/evidence", headers=auth("auditor"))).json()}
        assert {f"correction:inspection.{inspection['id']}", "correction:expert"} <= evidence

    async def test_the_official_who_published_does_not_decide_the_appeal(self, client, auth, facilities, feedback):
        c, e = await self._failed(client, auth, facilities, feedback)  # published by test-official
        await client.post(
            f"{URL}/{e['id']}/appeal", json={"reason": "不服"}, headers=auth("operator", operator_id=c["operator_id"])
        )
        body = {
            "decision": "upheld",
            "reason": "自我改判",
            "corrections": [{"input": "expert", "value": "100", "reason": "x"}],
        }
        resp = await client.post(f"{URL}/{e['id']}/appeal/decision", json=body, headers=auth("official"))
        assert resp.status_code == 403 and resp.json()["type"] == "/problems/same-official"
        got = (await client.get(f"{URL}/{e['id']}", headers=auth("official"))).json()
        assert (got["grade"], got["appeal"]["status"]) == ("fail", "submitted")

    async def test_a_payment_adjusted_by_an_evaluation_is_recorded_by_another_official(
        self, client, auth, clock, facilities, feedback
    ):
        c, e = await self._failed(
            client, auth, facilities, feedback
        )  # adjusts the Q1 instalment; published by test-official
        seq = e["consequences"]["instalment"]["seq"]
        body = {"paid_on": "2026-06-01", "payment_reference": "PAY-1"}
        same = await client.post(
            f"/api/v1/contracts/{c['id']}/instalments/{seq}/payment", json=body, headers=auth("official")
        )
        assert same.status_code == 403 and same.json()["type"] == "/problems/same-official"
        other = await client.post(
            f"/api/v1/contracts/{c['id']}/instalments/{seq}/payment",
            json=body,
            headers=auth("official", sub="finance-zhao"),
        )
        assert other.status_code == 200, other.text
        assert (
            other.json()["instalments"][seq - 1]["paid_amount_fen"]
            == e["consequences"]["instalment"]["adjusted_amount_fen"]
        )

    async def test_an_operator_key_appeals_only_with_its_scope(self, client, auth, facilities, feedback):
        c, e = await self._failed(client, auth, facilities, feedback)
        key = {"sub": "apikey:8", "operator_id": c["operator_id"]}
        refused = await client.post(
            f"{URL}/{e['id']}/appeal",
            json={"reason": "不服"},
            headers=auth("operator", scopes=["operator:read"], **key),
        )
        assert refused.status_code == 403
        ok = await client.post(
            f"{URL}/{e['id']}/appeal",
            json={"reason": "不服"},
            headers=auth("operator", scopes=["appeals:submit"], **key),
        )
        assert ok.status_code == 201

    async def test_an_appeal_after_the_window_is_refused(self, client, auth, clock, facilities, feedback):
        c, e = await self._failed(client, auth, facilities, feedback)
        assert e["appeal_deadline_on"] == "2026-06-11"
        at(clock, "2026-06-12T08:00:00+08:00")
        resp = await client.post(
            f"{URL}/{e['id']}/appeal",
            json={"reason": "迟到的申诉"},
            headers=auth("operator", operator_id=c["operator_id"]),
        )
        assert resp.status_code == 409 and resp.json()["type"] == "/problems/appeal-window-closed"
        assert (await client.get(f"{URL}/{e['id']}", headers=auth("official"))).json()["appeal"] is None

    async def test_a_rejected_appeal_changes_nothing_but_is_recorded(self, client, auth, facilities, feedback):
        c, e = await self._failed(client, auth, facilities, feedback)
        await client.post(
            f"{URL}/{e['id']}/appeal", json={"reason": "不服"}, headers=auth("operator", operator_id=c["operator_id"])
        )
        out = (
            await client.post(
                f"{URL}/{e['id']}/appeal/decision",
                json={"decision": "rejected", "reason": "理由不成立"},
                headers=auth("official", sub="official-li"),
            )
        ).json()
        assert (out["grade"], out["appeal"]["status"], out["appeal"]["decision_reason"]) == (
            "fail",
            "rejected",
            "理由不成立",
        )
        log = (await client.get("/api/v1/audit-log", params={"entity_type": "appeal"}, headers=auth("auditor"))).json()[
            "items"
        ]
        assert [(x["action"], x["reason"]) for x in log] == [("submitted", "不服"), ("rejected", "理由不成立")]


class TestBatch:
    async def test_every_running_contract_is_evaluated_with_bounded_concurrency(
        self, app, client, auth, facilities, feedback
    ):
        app.state.settings.evaluation_concurrency = 3
        facilities.gauge.delay_s = feedback.gauge.delay_s = 0.01
        feedback.gauge = facilities.gauge  # one gauge: the bound covers both services together
        contracts = [await active_contract(client, auth, facility_ids=[fid, fid + 1]) for fid in (114, 116, 118, 120)]
        first = await evaluate(client, auth, contracts[0], expert="85")
        await publish(client, auth, first, accept_missing=True, reason="无月报，按其余指标")
        resp = await client.post(f"{URL}/batch/runs", json={"period": "2026-Q1"}, headers=auth("official"))
        assert resp.status_code == 200, resp.text
        out = resp.json()
        assert (out["contracts"], out["created"], out["refreshed"], out["skipped_published"]) == (4, 3, 0, 1)
        assert [i["outcome"] for i in out["items"]] == ["skipped_published", "created", "created", "created"]
        assert facilities.gauge.max_in_flight == 3
        again = (await client.post(f"{URL}/batch/runs", json={"period": "2026-Q1"}, headers=auth("official"))).json()
        assert (again["created"], again["refreshed"]) == (0, 3)

    async def test_a_subdistrict_official_evaluates_their_own_contracts_only(self, client, auth):
        await active_contract(client, auth, facility_ids=[114], purchaser_subdistrict="jingshan")
        await active_contract(client, auth, facility_ids=[117])
        out = (
            await client.post(
                f"{URL}/batch/runs", json={"period": "2026-Q1"}, headers=auth("official", subdistrict="jingshan")
            )
        ).json()
        assert out["contracts"] == 1


class TestSchemes:
    async def test_a_scheme_with_its_own_weights(self, client, auth):
        body = {
            "name": "文体中心方案",
            "weights": {"kpi": 50, "inspection": 20, "satisfaction": 20, "expert": 10},
            "thresholds": {"excellent": 92, "good": 82, "pass": 65},
            "payment_percent": {"excellent": 105, "good": 100, "pass": 90, "fail": 60},
            "credit_points": {"excellent": 5, "good": 2, "pass": 0, "fail": -5},
        }
        bad = await client.post(
            "/api/v1/evaluation-schemes",
            json={**body, "weights": {**body["weights"], "kpi": 55}},
            headers=auth("official"),
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "weights-sum"
        scheme = (await client.post("/api/v1/evaluation-schemes", json=body, headers=auth("official"))).json()
        schemes = (await client.get("/api/v1/evaluation-schemes")).json()
        assert [s["id"] for s in schemes] == [None, scheme["id"]] and schemes[0]["weights"]["kpi"] == 40
        c = await prepared(client, auth, evaluation_scheme_id=scheme["id"])
        out = await publish(client, auth, await evaluate(client, auth, c))
        # 0.5 × 100 + 0.2 × 90 + 0.2 × 90 + 0.1 × 85 = 94.5 → excellent, paid at 105 %
        assert (Decimal(out["score"]), out["grade"], out["consequences"]["instalment"]["percent"]) == (
            Decimal("94.50"),
            "excellent",
            105,
        )
