"""The satisfaction index: figures as defined in the README, kept in aggregates as ratings arrive,
reconciled against the raw ratings on demand, and the exact shape operators-api reads."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import update

from feedback_api.ratings.aggregates import RatingAggregate
from feedback_api.satisfaction.stats import figures, smoothed_mean, wilson
from tests.factories import file_case, rate, step


class TestArithmetic:
    def test_wilson_interval_matches_the_formula(self):
        low, high = wilson(8, 10)
        assert (round(low, 4), round(high, 4)) == (Decimal("0.4902"), Decimal("0.9433"))
        assert wilson(0, 0) is None
        low, high = wilson(10, 10)
        assert high == 1 and round(low, 4) == Decimal("0.7225")

    def test_the_smoothed_mean_pulls_small_samples_to_the_prior(self):
        assert smoothed_mean(15, 3, Decimal(4), 10) == Decimal(55) / Decimal(13)
        few = figures(
            n=3, total=15, satisfied=3, prior=(4, 1), strength=10, min_sample=1
        )
        many = figures(
            n=300, total=1440, satisfied=280, prior=(4, 1), strength=10, min_sample=1
        )
        assert few["mean"] == "5.00" and few["smoothed_mean"] == "4.23"
        assert many["mean"] == "4.80" and many["smoothed_mean"] == "4.77"
        assert Decimal(many["smoothed_mean"]) > Decimal(few["smoothed_mean"]), (
            "3 ratings of 5 do not beat 300 averaging 4.8"
        )

    def test_the_published_interval_agrees_with_the_exact_decimal_one(self):
        for s_, n in ((8, 10), (0, 12), (12, 12), (281, 300), (1, 3), (7331, 9000)):
            f = figures(
                n=n, total=4 * n, satisfied=s_, prior=None, strength=0, min_sample=1
            )
            low, high = wilson(s_, n)
            assert (f["wilson_low"], f["wilson_high"]) == (
                str(low.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")),
                str(high.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")),
            )

    def test_half_up_is_exact(self):
        from feedback_api.satisfaction.stats import half_up

        assert [
            half_up(33, 8),
            half_up(1, 8),
            half_up(2, 3),
            half_up(5, 1),
            half_up(0, 7),
        ] == ["4.13", "0.13", "0.67", "5.00", "0.00"]

    def test_below_the_minimum_sample_there_is_no_number(self):
        f = figures(
            n=9, total=45, satisfied=9, prior=(4, 1), strength=10, min_sample=10
        )
        assert f == {
            "count": 9,
            "mean": None,
            "smoothed_mean": None,
            "share_satisfied": None,
            "wilson_low": None,
            "wilson_high": None,
            "insufficient_data": True,
        }


async def _ratings(
    client, auth, target: int, scores: list[int], prefix: str, **kw
) -> None:
    for i, score in enumerate(scores):
        await rate(client, auth(sub=f"{prefix}-{i}"), target, overall=score, **kw)


class TestDistrictOverview:
    async def test_the_current_quarter_with_the_ranking_of_facilities(
        self, client, auth, app
    ):
        app.state.settings.index_min_sample = 3
        await _ratings(client, auth, 1, [5, 5, 5], "a")  # 3 perfect ratings
        await _ratings(
            client, auth, 2, [5, 5, 4, 5, 5, 5, 4, 5], "b"
        )  # 8 ratings, mean 4.75
        await _ratings(client, auth, 3, [2, 3], "c")  # too few
        resp = await client.get("/api/v1/satisfaction")
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert (body["scope"], body["period"], body["from"], body["to"]) == (
            "district",
            "2026Q4",
            "2026-10-01",
            "2026-12-31",
        )
        assert body["ratings"]["count"] == 13 and body["method"]["prior_mean"] == "4.46"
        ranking = body["ranking"]
        assert [(r["rank"], r["key"]) for r in ranking] == [(1, 2), (2, 1), (None, 3)]
        assert ranking[0]["name"] == "角楼图书馆" and ranking[0]["operator_id"] == 7
        first = ranking[0]["ratings"]
        assert (first["count"], first["mean"], first["smoothed_mean"]) == (
            8,
            "4.75",
            "4.59",
        )
        assert (
            Decimal(first["wilson_low"])
            < Decimal(first["share_satisfied"])
            <= Decimal(first["wilson_high"])
        )
        assert (
            ranking[2]["ratings"]["insufficient_data"] is True
            and ranking[2]["ratings"]["mean"] is None
        )
        assert [p["month"] for p in body["trend"]] == ["2026-10", "2026-11", "2026-12"]
        assert body["trend"][1]["count"] == 13

    async def test_the_ranking_read_again_after_a_rating_shows_it(
        self, client, auth, app
    ):
        """The ranking is reused only while no sum changed: a rating between two reads moves it."""
        app.state.settings.index_min_sample = 2
        await _ratings(client, auth, 1, [4, 4], "m")
        await _ratings(client, auth, 2, [3, 3], "n")
        before = (
            await client.get("/api/v1/satisfaction/rankings", params={"by": "facility"})
        ).json()["rows"]
        again = (
            await client.get("/api/v1/satisfaction/rankings", params={"by": "facility"})
        ).json()["rows"]
        assert [r["key"] for r in before] == [r["key"] for r in again] == [1, 2]
        await _ratings(client, auth, 2, [5, 5, 5, 5], "o")
        after = (
            await client.get("/api/v1/satisfaction/rankings", params={"by": "facility"})
        ).json()["rows"]
        assert [(r["key"], r["ratings"]["count"]) for r in after] == [(2, 6), (1, 2)]

    async def test_replaced_hidden_and_held_ratings_do_not_count(
        self, client, auth, app
    ):
        app.state.settings.index_min_sample = 1
        await rate(client, auth(sub="x"), 1, overall=1)
        await rate(client, auth(sub="x"), 1, overall=5, status=200)
        hidden = await rate(client, auth(sub="y"), 1, overall=1)
        await client.post(
            f"/api/v1/moderation/ratings/{hidden['id']}",
            json={"action": "hide"},
            headers=auth("official"),
        )
        only = await rate(client, auth(sub="z"), 2, overall=2)
        await client.post(
            f"/api/v1/moderation/ratings/{only['id']}",
            json={"action": "hide"},
            headers=auth("official"),
        )
        body = (await client.get("/api/v1/satisfaction")).json()
        assert (body["ratings"]["count"], body["ratings"]["mean"]) == (1, "5.00")
        # facility 2's month row is still there, holding nothing: it is not ranked
        assert [r["key"] for r in body["ranking"]] == [1]


class TestOperatorsContract:
    async def test_the_exact_shape_operators_api_reads(self, client, auth, app):
        app.state.settings.index_min_sample = 2
        await _ratings(client, auth, 2, [5, 4, 3], "p")
        await _ratings(client, auth, 11, [4], "q", target_type="activity")
        case = await file_case(client, auth(sub="r-1"))
        await step(
            client, case, "respond", auth("operator", operator_id=7), text="已处理"
        )
        await step(client, case, "answer-rating", auth(sub="r-1"), answer_rating=4)
        late = await file_case(client, auth(sub="r-2"))
        app.state.clock.fixed = datetime(
            2026, 11, 28, tzinfo=UTC
        )  # the second one is past due, unanswered
        params = {"from": "2026-10-01", "to": "2026-12-31"}
        resp = await client.get(
            "/api/v1/satisfaction/operators/7",
            params=params,
            headers=auth("operator", operator_id=7),
        )
        assert resp.status_code == 200, resp.text
        assert resp.json() == {
            "from": "2026-10-01",
            "to": "2026-12-31",
            "ratings": {
                "count": 4,
                "mean": "4.00",
                "smoothed_mean": "4.00",
                "share_satisfied": "0.75",
                "wilson_low": "0.30",
                "wilson_high": "0.95",
                "insufficient_data": False,
            },
            "cases": {
                "complaints": 2,
                "responded_on_time": 1,
                "on_time_rate": "0.50",
                "answer_satisfaction_mean": "4.00",
            },
        }
        facility = (
            await client.get(
                "/api/v1/satisfaction/facilities/2",
                params=params,
                headers=auth("service"),
            )
        ).json()
        assert (
            facility["ratings"]["count"] == 4 and facility["cases"]["complaints"] == 2
        )
        assert late["id"]

    async def test_complaints_about_the_operator_count_but_its_answering_figures_are_its_own(
        self, client, auth, app
    ):
        answered = await file_case(client, auth(sub="r-1"), category="service_quality")
        await step(
            client, answered, "respond", auth("operator", operator_id=7), text="已处理"
        )
        # The bureau answers an overcharge complaint about operator 7, late, and the resident rates it 1.
        overcharge = await file_case(
            client,
            auth(sub="r-2"),
            category="fee_overcharge",
            attributes={"charged_fen": 3000},
            description="多收了30元",
        )
        app.state.clock.fixed = datetime(2026, 11, 28, tzinfo=UTC)
        await step(client, overcharge, "respond", auth("official"), text="已责令退费")
        await step(
            client, overcharge, "answer-rating", auth(sub="r-2"), answer_rating=1
        )
        params = {"from": "2026-10-01", "to": "2026-12-31"}
        cases = (
            await client.get(
                "/api/v1/satisfaction/operators/7",
                params=params,
                headers=auth("service"),
            )
        ).json()["cases"]
        assert cases == {
            "complaints": 2,
            "responded_on_time": 1,
            "on_time_rate": "1.00",
            "answer_satisfaction_mean": None,
        }
        district = (
            await client.get(
                "/api/v1/satisfaction/report", params=params, headers=auth("official")
            )
        ).json()
        assert district["cases"]["on_time_rate"] == "0.50"

    async def test_readers(self, client, auth):
        assert (
            await client.get(
                "/api/v1/satisfaction/operators/7",
                headers=auth("operator", operator_id=8),
            )
        ).status_code == 403
        assert (
            await client.get("/api/v1/satisfaction/operators/7", headers=auth())
        ).status_code == 403
        assert (await client.get("/api/v1/satisfaction/operators/7")).status_code == 401
        for role in ("official", "auditor", "service"):
            assert (
                await client.get(
                    "/api/v1/satisfaction/facilities/2", headers=auth(role)
                )
            ).status_code == 200

    async def test_partial_months_at_the_edges_count_exactly(self, client, auth, app):
        app.state.settings.index_min_sample = 1
        await rate(client, auth(sub="a"), 2, overall=5)  # 23 November
        app.state.clock.fixed = datetime(
            2026, 11, 30, 16, 30, tzinfo=UTC
        )  # 1 December 00:30 in Beijing
        await rate(client, auth(sub="b"), 2, overall=1)
        headers = auth("official")
        november = (
            await client.get(
                "/api/v1/satisfaction/facilities/2",
                params={"from": "2026-11-01", "to": "2026-11-30"},
                headers=headers,
            )
        ).json()
        mid = (
            await client.get(
                "/api/v1/satisfaction/facilities/2",
                params={"from": "2026-11-20", "to": "2026-12-01"},
                headers=headers,
            )
        ).json()
        after = (
            await client.get(
                "/api/v1/satisfaction/facilities/2",
                params={"from": "2026-11-24", "to": "2026-12-15"},
                headers=headers,
            )
        ).json()
        assert (
            november["ratings"]["count"],
            mid["ratings"]["count"],
            after["ratings"]["count"],
        ) == (1, 2, 1)
        assert after["ratings"]["mean"] == "1.00"

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"from": "2026-12-01", "to": "2026-11-01"}, "to"),
            ({"from": "2026-11-01"}, "to"),
            ({"from": "2020-01-01", "to": "2026-01-01"}, "to"),
        ],
    )
    async def test_bad_ranges(self, client, auth, params, field):
        resp = await client.get(
            "/api/v1/satisfaction/facilities/2", params=params, headers=auth("official")
        )
        assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == field


class TestReport:
    async def test_dimensions_verified_only_and_subdistricts(
        self, client, auth, app, standin, sessionmaker
    ):
        from feedback_api.ratings.verification import on_checkin

        app.state.settings.index_min_sample = 1
        await _ratings(client, auth, 2, [5, 3], "v")
        await rate(client, auth(sub="w"), 3, overall=2, dimensions={"staff": 1})
        async with sessionmaker() as session:
            await on_checkin(
                session,
                standin.checkin(
                    booking_id=1,
                    activity_id=11,
                    resident_sub="v-0",
                    at=datetime(2026, 11, 22, 6, tzinfo=UTC),
                ),
            )
            await session.commit()
        report = (
            await client.get(
                "/api/v1/satisfaction/report",
                params={"scope": "facility", "key": "2"},
                headers=auth(),
            )
        ).json()
        assert (
            report["ratings"]["count"],
            report["verified"]["count"],
            report["verified"]["mean"],
        ) == (2, 1, "5.00")
        assert report["dimensions"]["environment"] == {"count": 2, "mean": "5.00"}
        sub = (
            await client.get(
                "/api/v1/satisfaction/report",
                params={"scope": "subdistrict", "key": "donghuamen"},
                headers=auth(),
            )
        ).json()
        assert (sub["ratings"]["count"], sub["dimensions"]["staff"]["mean"]) == (
            1,
            "1.00",
        )
        ranks = (
            await client.get(
                "/api/v1/satisfaction/rankings", params={"by": "subdistrict"}
            )
        ).json()["rows"]
        assert [r["key"] for r in ranks] == ["jingshan", "donghuamen"]
        operators = (
            await client.get("/api/v1/satisfaction/rankings", params={"by": "operator"})
        ).json()["rows"]
        assert [r["key"] for r in operators] == [7, 8]
        forbidden = await client.get(
            "/api/v1/satisfaction/report",
            params={"scope": "operator", "key": "7"},
            headers=auth(),
        )
        assert forbidden.status_code == 403


class TestReconcile:
    async def test_a_drifted_aggregate_is_found_and_fixed(
        self, client, auth, app, sessionmaker
    ):
        app.state.settings.index_min_sample = 1
        await _ratings(client, auth, 1, [4, 4], "k")
        clean = await client.post(
            "/api/v1/satisfaction/reconcile", headers=auth("official")
        )
        assert clean.json()["rows_fixed"] == 0 and clean.json()["rows_checked"] == 1
        async with sessionmaker() as session:
            await session.execute(
                update(RatingAggregate).values(n=RatingAggregate.n + 5, overall_sum=0)
            )
            await session.commit()
        assert (await client.get("/api/v1/satisfaction")).json()["ratings"][
            "count"
        ] == 7
        fixed = await client.post(
            "/api/v1/satisfaction/reconcile",
            params={"from_month": "2026-11", "to_month": "2026-11"},
            headers=auth("official"),
        )
        assert (
            fixed.status_code == 200
            and fixed.json()["rows_fixed"] == 1
            and fixed.json()["fixed"] == ["2026-11/facility/1/0"]
        )
        body = (await client.get("/api/v1/satisfaction")).json()
        assert (body["ratings"]["count"], body["ratings"]["mean"]) == (2, "4.00")
        assert (
            await client.post("/api/v1/satisfaction/reconcile", headers=auth("auditor"))
        ).status_code == 403
