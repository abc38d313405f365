"""Selections (遴选) as officials, bidders, evaluators and the public use them, through HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import (
    CRITERIA,
    at,
    awarded_selection,
    bid,
    close_bidding,
    create_selection,
    declare,
    open_for_bids,
    operator_body,
    panel,
    qualified_operator,
    score,
    selection_body,
    selection_status,
)

URL = "/api/v1/selections"


async def feed_types(client, auth) -> list[str]:
    return [
        e["type"]
        for e in (await client.get("/api/v1/events", params={"limit": 1000}, headers=auth("official"))).json()["items"]
    ]


class TestOpenSelection:
    async def test_an_official_opens_a_draft_that_only_officials_see(self, client, auth):
        sel = await create_selection(client, auth("official"))
        assert sel["status"] == "draft"
        assert sel["reference"].startswith("DCWL-2026-")
        assert sel["min_valid_bids"] == 2
        assert (await client.get(f"{URL}/{sel['id']}")).status_code == 404
        assert (await client.get(f"{URL}/{sel['id']}", headers=auth("auditor"))).status_code == 200
        assert (await client.get(URL)).json()["items"] == []

    async def test_a_facility_the_registry_does_not_know_is_refused_by_its_number(self, client, auth, facilities):
        resp = await client.post(URL, json=selection_body(facility_ids=[39, 9001, 9002]), headers=auth("official"))
        assert resp.status_code == 422, resp.text
        assert resp.json()["errors"] == [
            {
                "field": "facility_ids",
                "message": "facilities-api knows no facility 9001, 9002.",
                "code": "unknown-facility",
            }
        ]
        assert {"facility:39", "facility:9001", "facility:9002"} <= set(facilities.calls)
        assert (await client.get(URL, headers=auth("official"))).json()["items"] == []

    async def test_with_the_registry_unreachable_nothing_is_opened(self, client, auth, facilities_link):
        facilities_link.down = True
        resp = await client.post(URL, json=selection_body(), headers=auth("official"))
        assert resp.status_code == 503, resp.text
        assert resp.headers["content-type"] == "application/problem+json"
        assert "facilities-api" in resp.json()["detail"]
        facilities_link.down = False
        assert (await client.get(URL, headers=auth("official"))).json()["items"] == []

    async def test_editing_a_draft_to_name_an_unknown_facility_keeps_it_as_it_was(self, client, auth):
        sel = await create_selection(client, auth("official"))
        resp = await client.patch(
            f"{URL}/{sel['id']}", json={"facility_ids": [39, 9001]}, headers={**auth("official"), "If-Match": '"v1"'}
        )
        assert resp.status_code == 422 and resp.json()["errors"][0]["code"] == "unknown-facility"
        again = (await client.get(f"{URL}/{sel['id']}", headers=auth("official"))).json()
        assert (again["facility_ids"], again["version"]) == (sel["facility_ids"], sel["version"])

    @pytest.mark.parametrize(
        ("overrides", "field", "code"),
        [
            (
                {"criteria": [{**c, "weight": c["weight"] + (5 if c["key"] == "team" else 0)} for c in CRITERIA]},
                "criteria",
                "weights-sum",
            ),
            (
                {"criteria": [*CRITERIA[:3], {"key": "price2", "name_zh": "价格二", "kind": "price", "weight": 10}]},
                "criteria",
                "price-criterion-duplicate",
            ),
            (
                {"criteria": [*CRITERIA[:3], {"key": "price", "name_zh": "重复", "kind": "quality", "weight": 10}]},
                "criteria",
                "criterion-key-duplicate",
            ),
            ({"bids_close_at": "2026-06-01T09:00:00+08:00"}, "bids_close_at", "timeline-order"),
            ({"service_ends_on": "2026-06-30"}, "service_ends_on", "period-order"),
            ({"facility_ids": [39, 39]}, "facility_ids", "facility-duplicate"),
        ],
    )
    async def test_broken_rules_are_refused_naming_the_field_and_nothing_is_written(
        self, client, auth, overrides, field, code
    ):
        resp = await client.post(URL, json=selection_body(**overrides), headers=auth("official"))
        assert resp.status_code == 422, resp.text
        assert resp.json()["errors"][0] == {"field": field, "message": resp.json()["detail"], "code": code}
        assert (await client.get(URL, headers=auth("official"))).json()["items"] == []
        assert (await client.get("/api/v1/audit-log", headers=auth("auditor"))).json()["items"] == []

    async def test_a_subdistrict_official_buys_for_their_subdistrict_only(self, client, auth):
        mine = await create_selection(client, auth("official", subdistrict="jingshan"))
        assert mine["purchaser_subdistrict"] == "jingshan"
        other = await client.post(
            URL, json=selection_body(purchaser_subdistrict="longtan"), headers=auth("official", subdistrict="jingshan")
        )
        assert other.status_code == 403
        district = await create_selection(client, auth("official"))
        resp = await client.patch(
            f"{URL}/{district['id']}",
            json={"title": "改"},
            headers={**auth("official", subdistrict="jingshan"), "If-Match": '"v1"'},
        )
        assert resp.status_code == 403

    @pytest.mark.parametrize("role", ["resident", "operator", "auditor"])
    async def test_only_officials_open_selections(self, client, auth, role):
        assert (await client.post(URL, json=selection_body(), headers=auth(role, operator_id=1))).status_code == 403


class TestEditDraft:
    async def test_if_match_guards_the_draft(self, client, auth):
        sel = await create_selection(client, auth("official"))
        url = f"{URL}/{sel['id']}"
        assert (await client.patch(url, json={"budget_fen": 280_000_000}, headers=auth("official"))).status_code == 428
        ok = await client.patch(url, json={"budget_fen": 280_000_000}, headers={**auth("official"), "If-Match": '"v1"'})
        assert ok.status_code == 200 and ok.json()["budget_fen"] == 280_000_000 and ok.headers["etag"] == '"v2"'
        stale = await client.patch(url, json={"budget_fen": 1}, headers={**auth("official"), "If-Match": '"v1"'})
        assert stale.status_code == 412

    async def test_a_published_selection_no_longer_changes(self, client, auth):
        sel = await create_selection(client, auth("official"))
        await selection_status(client, auth("official"), sel["id"], "published")
        resp = await client.patch(
            f"{URL}/{sel['id']}", json={"title": "新"}, headers={**auth("official"), "If-Match": '"v2"'}
        )
        assert resp.status_code == 409
        assert resp.json()["type"] == "/problems/selection-not-editable"


class TestTimeline:
    async def test_from_draft_to_evaluating_on_time(self, client, auth, clock):
        official = auth("official")
        sel = await create_selection(client, official)
        published = await selection_status(client, official, sel["id"], "published")
        assert published.json()["status"] == "published" and published.json()["published_at"] is not None
        early = await selection_status(client, official, sel["id"], "bidding")
        assert early.status_code == 409 and early.json()["type"] == "/problems/bidding-not-yet-open"
        at(clock, "2026-06-02T09:00:00+08:00")
        assert (await selection_status(client, official, sel["id"], "bidding")).json()["status"] == "bidding"
        not_yet = await selection_status(client, official, sel["id"], "evaluating")
        assert not_yet.status_code == 409 and not_yet.json()["type"] == "/problems/bidding-still-open"
        assert [s["status"] for s in (await client.get(URL)).json()["items"]] == ["bidding"]

    async def test_a_move_off_the_table_is_409_naming_from_and_to(self, client, auth):
        sel = await create_selection(client, auth("official"))
        resp = await selection_status(client, auth("official"), sel["id"], "evaluating")
        assert resp.status_code == 409
        body = resp.json()
        assert (body["from"], body["to"], body["allowed"]) == ("draft", "evaluating", ["cancelled", "published"])

    async def test_publishing_with_bidding_already_over_is_refused(self, client, auth, clock):
        sel = await create_selection(client, auth("official"))
        at(clock, "2026-06-20T10:00:00+08:00")
        resp = await selection_status(client, auth("official"), sel["id"], "published")
        assert resp.status_code == 422 and resp.json()["errors"][0]["code"] == "timeline-past"

    async def test_too_few_valid_bids_fail_the_selection_with_the_reason(self, client, auth, clock):
        official = auth("official")
        op = await qualified_operator(client, official)
        sel = await open_for_bids(client, auth, clock, method="public_tender")
        assert (await bid(client, auth, sel["id"], op["id"], 100_000_000)).status_code == 201
        closed = await close_bidding(client, auth, clock, sel["id"])
        assert closed["status"] == "failed"
        assert closed["status_reason"] == "Only 1 valid bid(s) arrived; public_tender needs at least 3."
        assert "selection.failed" in await feed_types(client, auth)


class TestBidding:
    async def test_bids_are_sealed_until_bidding_closes(self, client, auth, clock):
        official = auth("official")
        a, b = await qualified_operator(client, official), await qualified_operator(client, official)
        sel = await open_for_bids(client, auth, clock)
        created = await bid(client, auth, sel["id"], a["id"], 250_000_000)
        assert created.status_code == 201 and created.json()["status"] == "submitted"
        await bid(client, auth, sel["id"], b["id"], 200_000_000)
        own = (await client.get(f"{URL}/{sel['id']}/bids", headers=auth("operator", operator_id=a["id"]))).json()
        assert [x["operator_id"] for x in own] == [a["id"]]
        assert (await client.get(f"{URL}/{sel['id']}/bids", headers=official)).json() == []
        assert (await client.get(f"{URL}/{sel['id']}")).json()["bids_received"] is None
        await close_bidding(client, auth, clock, sel["id"])
        assert len((await client.get(f"{URL}/{sel['id']}/bids", headers=official)).json()) == 2
        assert (await client.get(f"{URL}/{sel['id']}")).json()["bids_received"] == 2
        assert (
            len((await client.get(f"{URL}/{sel['id']}/bids", headers=auth("operator", operator_id=a["id"]))).json())
            == 1
        )

    async def test_a_bid_after_close_is_refused(self, client, auth, clock):
        op = await qualified_operator(client, auth("official"))
        sel = await open_for_bids(client, auth, clock)
        at(clock, "2026-06-10T17:00:00+08:00")
        resp = await bid(client, auth, sel["id"], op["id"], 100_000_000)
        assert resp.status_code == 409
        assert resp.json()["type"] == "/problems/bidding-closed"
        assert "2026-06-10T09:00:00+00:00" in resp.json()["detail"]

    async def test_a_bid_before_bidding_opens_is_refused(self, client, auth):
        op = await qualified_operator(client, auth("official"))
        sel = await create_selection(client, auth("official"))
        await selection_status(client, auth("official"), sel["id"], "published")
        resp = await bid(client, auth, sel["id"], op["id"], 100_000_000)
        assert resp.status_code == 409 and resp.json()["type"] == "/problems/bidding-not-open"

    async def test_only_qualified_operators_bid_within_budget(self, client, auth, clock):
        official = auth("official")
        registered = (await client.post("/api/v1/operators", json=operator_body(), headers=official)).json()
        qualified = await qualified_operator(client, official)
        sel = await open_for_bids(client, auth, clock)
        refused = await bid(client, auth, sel["id"], registered["id"], 100_000_000)
        assert refused.status_code == 409 and refused.json()["type"] == "/problems/operator-not-qualified"
        over = await bid(client, auth, sel["id"], qualified["id"], 300_000_001)
        assert over.status_code == 422 and over.json()["errors"][0]["field"] == "price_fen"
        assert (
            await client.post(
                f"{URL}/{sel['id']}/bids", json={"price_fen": 1, "proposal_summary": "x"}, headers=official
            )
        ).status_code == 403

    async def test_one_bid_per_operator_changed_with_if_match_or_withdrawn(self, client, auth, clock):
        op = await qualified_operator(client, auth("official"))
        staff = auth("operator", operator_id=op["id"])
        sel = await open_for_bids(client, auth, clock)
        first = (await bid(client, auth, sel["id"], op["id"], 250_000_000)).json()
        again = await bid(client, auth, sel["id"], op["id"], 240_000_000)
        assert again.status_code == 409 and again.json()["existing"] == {"id": first["id"]}
        url = f"{URL}/{sel['id']}/bids/{first['id']}"
        changed = await client.patch(url, json={"price_fen": 240_000_000}, headers={**staff, "If-Match": '"v1"'})
        assert changed.status_code == 200 and changed.json()["price_fen"] == 240_000_000
        other = auth("operator", operator_id=op["id"] + 1000)
        assert (
            await client.patch(url, json={"price_fen": 1}, headers={**other, "If-Match": '"v2"'})
        ).status_code == 404
        withdrawn = await client.post(f"{url}/withdrawal", json={"reason": "放弃"}, headers=staff)
        assert withdrawn.json()["status"] == "withdrawn"


class TestPanelAndScoring:
    async def _evaluating(self, client, auth, clock):
        official = auth("official")
        a, b = await qualified_operator(client, official), await qualified_operator(client, official)
        sel = await open_for_bids(client, auth, clock)
        bid_a = (await bid(client, auth, sel["id"], a["id"], 250_000_000)).json()
        bid_b = (await bid(client, auth, sel["id"], b["id"], 200_000_000)).json()
        await close_bidding(client, auth, clock, sel["id"])
        return sel, (a, b), (bid_a, bid_b)

    async def test_an_evaluator_declares_before_scoring(self, client, auth, clock):
        sel, _, (bid_a, _) = await self._evaluating(client, auth, clock)
        await panel(client, auth, sel["id"], ("expert-zhang", "张专家"))
        early = await score(client, auth, sel["id"], bid_a["id"], "expert-zhang", 30, 15, 8)
        assert early.status_code == 409 and early.json()["type"] == "/problems/declaration-required"
        assert (await declare(client, auth, sel["id"], "expert-zhang")).status_code == 200
        assert (await score(client, auth, sel["id"], bid_a["id"], "expert-zhang", 30, 15, 8)).status_code == 200
        twice = await declare(client, auth, sel["id"], "expert-zhang")
        assert twice.status_code == 409

    async def test_someone_off_the_panel_cannot_score(self, client, auth, clock):
        sel, _, (bid_a, _) = await self._evaluating(client, auth, clock)
        resp = await score(client, auth, sel["id"], bid_a["id"], "stranger", 30, 15, 8)
        assert resp.status_code == 403

    async def test_an_evaluator_never_scores_their_own_conflict(self, client, auth, clock):
        sel, (a, _), (bid_a, _) = await self._evaluating(client, auth, clock)
        await panel(client, auth, sel["id"], ("expert-zhang", "张专家"))
        await declare(client, auth, sel["id"], "expert-zhang", conflicts=[a["id"]])
        resp = await score(client, auth, sel["id"], bid_a["id"], "expert-zhang", 30, 15, 8)
        assert resp.status_code == 422
        assert resp.json()["errors"][0] == {
            "field": "bid_id",
            "message": resp.json()["detail"],
            "code": "conflict-of-interest",
        }
        ranking = (await client.get(f"{URL}/{sel['id']}/ranking", headers=auth("official"))).json()
        row = next(r for r in ranking["items"] if r["bid_id"] == bid_a["id"])
        assert row["criteria"]["service_plan"] is None  # nothing was written

    @pytest.mark.parametrize(
        ("plan", "field", "code"),
        [("40.5", "scores.service_plan", "score-out-of-range"), ("-1", "scores.service_plan.[key]", None)],
    )
    async def test_a_score_outside_the_criterion_range_is_refused(self, client, auth, clock, plan, field, code):
        sel, _, (bid_a, _) = await self._evaluating(client, auth, clock)
        await panel(client, auth, sel["id"], ("expert-zhang", "张专家"))
        await declare(client, auth, sel["id"], "expert-zhang")
        resp = await score(client, auth, sel["id"], bid_a["id"], "expert-zhang", plan, 15, 8)
        assert resp.status_code == 422
        if code:
            assert resp.json()["errors"][0]["field"] == field and resp.json()["errors"][0]["code"] == code

    async def test_every_quality_criterion_is_scored(self, client, auth, clock):
        sel, _, (bid_a, _) = await self._evaluating(client, auth, clock)
        await panel(client, auth, sel["id"], ("expert-zhang", "张专家"))
        await declare(client, auth, sel["id"], "expert-zhang")
        resp = await client.put(
            f"{URL}/{sel['id']}/bids/{bid_a['id']}/scores",
            json={"scores": {"service_plan": "30"}},
            headers=auth("resident", sub="expert-zhang"),
        )
        assert resp.status_code == 422 and resp.json()["errors"][0]["code"] == "scores-incomplete"

    async def test_totals_rank_with_the_lowest_price_base_formula(self, client, auth, clock):
        sel, _, (bid_a, bid_b) = await self._evaluating(client, auth, clock)
        await panel(client, auth, sel["id"], ("expert-zhang", "张专家"), ("expert-li", "李专家"))
        for sub, plan in (("expert-zhang", 38), ("expert-li", 36)):
            await declare(client, auth, sel["id"], sub)
            await score(client, auth, sel["id"], bid_a["id"], sub, plan, 18, 9)
            await score(client, auth, sel["id"], bid_b["id"], sub, 25, 12, 6)
        ranking = (await client.get(f"{URL}/{sel['id']}/ranking", headers=auth("official"))).json()
        assert ranking["scoring_complete"] is True
        first, second = ranking["items"]
        # a: price 200/250 × 30 = 24.00; quality 37 + 18 + 9 = 64 → 88.00. b: 30 + 43 = 73.00
        assert (first["bid_id"], Decimal(first["price_score"]), Decimal(first["total"])) == (
            bid_a["id"],
            Decimal("24.00"),
            Decimal("88.00"),
        )
        assert (second["bid_id"], Decimal(second["total"]), second["rank"]) == (bid_b["id"], Decimal("73.00"), 2)

    async def test_trimming_drops_the_highest_and_lowest(self, client, auth, clock):
        official = auth("official")
        a, b = await qualified_operator(client, official), await qualified_operator(client, official)
        sel = await open_for_bids(client, auth, clock, trim_extremes=True)
        bid_a = (await bid(client, auth, sel["id"], a["id"], 200_000_000)).json()
        await bid(client, auth, sel["id"], b["id"], 200_000_000)
        await close_bidding(client, auth, clock, sel["id"])
        members = [("e1", "甲"), ("e2", "乙"), ("e3", "丙"), ("e4", "丁"), ("e5", "戊")]
        await panel(client, auth, sel["id"], *members)
        for (sub, _), plan in zip(members, (40, 30, 30, 30, 10), strict=True):
            await declare(client, auth, sel["id"], sub)
            await score(client, auth, sel["id"], bid_a["id"], sub, plan, 10, 5)
        ranking = (await client.get(f"{URL}/{sel['id']}/ranking", headers=official)).json()
        row = next(r for r in ranking["items"] if r["bid_id"] == bid_a["id"])
        assert Decimal(row["criteria"]["service_plan"]) == Decimal("30.00")

    async def test_a_bidders_own_staff_on_the_panel_scores_no_bid(self, client, auth, clock):
        # Put on the panel (by mistake or not) and silent about the conflict, the bidder's staff would
        # score its own bid high and its rival's low.
        official = auth("official")
        a, b = await qualified_operator(client, official), await qualified_operator(client, official)
        sel = await open_for_bids(client, auth, clock)
        bid_a = (await bid(client, auth, sel["id"], a["id"], 200_000_000)).json()
        bid_b = (await bid(client, auth, sel["id"], b["id"], 200_000_000)).json()
        await close_bidding(client, auth, clock, sel["id"])
        await panel(client, auth, sel["id"], ("staff-of-a", "某员工"))
        insider = auth("operator", sub="staff-of-a", operator_id=a["id"])
        declared = await client.post(
            f"{URL}/{sel['id']}/panel/declaration",
            json={"conflicted_operator_ids": [], "statement": "无"},
            headers=insider,
        )
        assert declared.status_code == 200
        for target in (bid_a, bid_b):
            resp = await client.put(
                f"{URL}/{sel['id']}/bids/{target['id']}/scores",
                json={"scores": {"service_plan": "40", "experience": "20", "team": "10"}},
                headers=insider,
            )
            assert resp.status_code == 403 and resp.json()["type"] == "/problems/conflict-of-interest"

    async def test_fewer_than_five_evaluators_are_not_trimmed(self, client, auth, clock):
        # Three evaluators with trimming on: dropping the highest and lowest would leave one
        # evaluator's sheet deciding the criterion alone. The plain mean counts all three.
        official = auth("official")
        a, b = await qualified_operator(client, official), await qualified_operator(client, official)
        sel = await open_for_bids(client, auth, clock, trim_extremes=True)
        bid_a = (await bid(client, auth, sel["id"], a["id"], 200_000_000)).json()
        await bid(client, auth, sel["id"], b["id"], 200_000_000)
        await close_bidding(client, auth, clock, sel["id"])
        members = [("e1", "甲"), ("e2", "乙"), ("e3", "丙")]
        await panel(client, auth, sel["id"], *members)
        for (sub, _), plan in zip(members, (40, 35, 9), strict=True):
            await declare(client, auth, sel["id"], sub)
            await score(client, auth, sel["id"], bid_a["id"], sub, plan, 10, 5)
        ranking = (await client.get(f"{URL}/{sel['id']}/ranking", headers=official)).json()
        row = next(r for r in ranking["items"] if r["bid_id"] == bid_a["id"])
        assert Decimal(row["criteria"]["service_plan"]) == Decimal("28.00")

    async def test_the_ranking_stays_sealed_while_bidding(self, client, auth, clock):
        sel = await open_for_bids(client, auth, clock)
        resp = await client.get(f"{URL}/{sel['id']}/ranking", headers=auth("official"))
        assert resp.status_code == 409 and resp.json()["type"] == "/problems/bids-sealed"


class TestAward:
    async def test_the_top_bid_is_awarded_once_and_the_result_is_public(self, client, auth, clock):
        done = await awarded_selection(client, auth, clock)
        sel = done["selection"]
        assert sel["status"] == "awarded"
        assert sel["award"]["bid_id"] == done["bids"][0]["id"]
        assert sel["award"]["operator_name"] == "书海阅读推广有限公司"
        public = (await client.get(f"{URL}/{sel['id']}")).json()
        assert [r["rank"] for r in public["result"]] == [1, 2]
        again = await client.post(f"{URL}/{sel['id']}/award", json={"reason": "再次"}, headers=auth("official"))
        assert again.status_code == 409 and again.json()["type"] == "/problems/already-awarded"
        events = (
            await client.get("/api/v1/events", params={"types": "selection.awarded"}, headers=auth("official"))
        ).json()["items"]
        assert len(events) == 1 and events[0]["data"]["bid_id"] == done["bids"][0]["id"]

    async def test_no_award_before_every_evaluator_has_scored(self, client, auth, clock):
        official = auth("official")
        a, b = await qualified_operator(client, official), await qualified_operator(client, official)
        sel = await open_for_bids(client, auth, clock)
        bid_a = (await bid(client, auth, sel["id"], a["id"], 200_000_000)).json()
        await bid(client, auth, sel["id"], b["id"], 200_000_000)
        await close_bidding(client, auth, clock, sel["id"])
        await panel(client, auth, sel["id"], ("e1", "甲"))
        await declare(client, auth, sel["id"], "e1")
        await score(client, auth, sel["id"], bid_a["id"], "e1", 30, 10, 5)
        resp = await client.post(f"{URL}/{sel['id']}/award", json={"reason": "x"}, headers=official)
        assert resp.status_code == 409 and resp.json()["type"] == "/problems/scoring-incomplete"
        assert resp.json()["missing"][0]["display_name"] == "甲"
        assert (await client.get(f"{URL}/{sel['id']}", headers=official)).json()["status"] == "evaluating"

    async def test_a_disqualification_below_the_minimum_blocks_the_award(self, client, auth, clock):
        official = auth("official")
        a, b = await qualified_operator(client, official), await qualified_operator(client, official)
        sel = await open_for_bids(client, auth, clock)
        bid_a = (await bid(client, auth, sel["id"], a["id"], 200_000_000)).json()
        await bid(client, auth, sel["id"], b["id"], 200_000_000)
        await close_bidding(client, auth, clock, sel["id"])
        out = await client.post(
            f"{URL}/{sel['id']}/bids/{bid_a['id']}/disqualification", json={"reason": "资质不符"}, headers=official
        )
        assert out.json()["status"] == "disqualified"
        resp = await client.post(f"{URL}/{sel['id']}/award", json={"reason": "x"}, headers=official)
        assert resp.status_code == 409 and resp.json()["type"] == "/problems/too-few-valid-bids"
        failed = await selection_status(client, official, sel["id"], "failed")
        assert failed.json()["status"] == "failed"
