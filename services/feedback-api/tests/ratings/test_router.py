"""Ratings as residents and the public use them, through HTTP, with a facilities-api stand-in in process."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest

from service_kit.testing import running_app
from tests.factories import (
    FACILITIES_URL,
    HangingTransport,
    look_too_early,
    rate,
    rating_body,
)


async def _mine(client, headers) -> list[dict]:
    resp = await client.get("/api/v1/ratings/mine", headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


class TestRate:
    async def test_resident_rates_a_facility(self, client, auth):
        resp = await client.post("/api/v1/ratings", json=rating_body(1), headers=auth())
        assert resp.status_code == 201, resp.text
        body = resp.json()
        assert resp.headers["location"] == f"/api/v1/ratings/{body['id']}"
        assert body["target_type"] == "facility" and body["target_id"] == 1
        assert body["overall"] == 4
        assert body["period"] == "2026Q4"
        assert (
            body["live"] is True
            and body["replaced_by"] is None
            and body["replaced_id"] is None
        )
        assert body["mine"] is True
        assert body["created_at"].startswith("2026-11-23T04:00:00")

    async def test_dimensions_are_kept_and_each_is_optional(self, client, auth):
        full = await rate(client, auth(sub="r-1"), 1)
        assert full["dimensions"] == {
            "environment": 5,
            "content": 4,
            "staff": 4,
            "convenience": 3,
        }
        partial = await rate(client, auth(sub="r-2"), 1, dimensions={"staff": 2})
        assert partial["dimensions"] == {
            "environment": None,
            "content": None,
            "staff": 2,
            "convenience": None,
        }
        bare = rating_body(1)
        del bare["dimensions"], bare["comment"]
        resp = await client.post("/api/v1/ratings", json=bare, headers=auth(sub="r-3"))
        assert resp.status_code == 201, resp.text
        assert set(resp.json()["dimensions"].values()) == {None}
        assert resp.json()["comment"] is None

    async def test_cjk_and_emoji_comment_is_kept_intact(self, client, auth):
        comment = (
            "周末亲子活动很精彩🎨，孩子特别喜欢👨‍👩‍👧！书海听涛📚" + "胡同文化" * 480
        )
        assert len(comment) <= 2000
        created = await rate(client, auth(), 1, comment=comment)
        read = (await client.get(f"/api/v1/ratings/{created['id']}")).json()
        assert read["comment"] == comment

    async def test_the_quarter_is_read_on_beijing_time(self, client, auth, app):
        first = await rate(client, auth(), 1)
        # 16:30 UTC on 31 December is already 00:30 on 1 January in Beijing: a new quarter, a new live rating.
        app.state.clock.fixed = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
        second = await rate(client, auth(), 1)
        assert (first["period"], second["period"]) == ("2026Q4", "2027Q1")
        assert second["replaced_id"] is None
        live = (await client.get("/api/v1/ratings", params={"target_id": 1})).json()[
            "items"
        ]
        assert {r["id"] for r in live} == {first["id"], second["id"]}


class TestReplaceWithinPeriod:
    async def test_rating_again_replaces_and_keeps_history(self, client, auth):
        first = await rate(client, auth(), 1, overall=2)
        resp = await client.post(
            "/api/v1/ratings", json=rating_body(1, overall=5), headers=auth()
        )
        assert resp.status_code == 200, resp.text
        second = resp.json()
        assert second["replaced_id"] == first["id"]
        assert second["live"] is True and second["overall"] == 5

        mine = await _mine(client, auth())
        assert [(r["id"], r["live"], r["replaced_by"]) for r in mine] == [
            (second["id"], True, None),
            (first["id"], False, second["id"]),
        ]
        public = (await client.get("/api/v1/ratings", params={"target_id": 1})).json()[
            "items"
        ]
        assert [r["id"] for r in public] == [second["id"]]

    async def test_a_replaced_rating_is_shown_only_to_its_author(self, client, auth):
        first = await rate(client, auth(), 1)
        await rate(client, auth(), 1, status=200)
        assert (await client.get(f"/api/v1/ratings/{first['id']}")).status_code == 404
        assert (
            await client.get(
                f"/api/v1/ratings/{first['id']}", headers=auth(sub="someone-else")
            )
        ).status_code == 404
        own = await client.get(f"/api/v1/ratings/{first['id']}", headers=auth())
        assert (
            own.status_code == 200
            and own.json()["live"] is False
            and own.json()["mine"] is True
        )
        audited = await client.get(
            f"/api/v1/ratings/{first['id']}", headers=auth("auditor")
        )
        assert audited.status_code == 200 and audited.json()["mine"] is False

    async def test_a_rating_racing_another_replaces_it_instead_of_failing(
        self, client, auth, monkeypatch
    ):
        first = await rate(client, auth(), 1)
        # As if a concurrent request had saved `first` after this one looked: the first look finds nothing,
        # the database's unique index refuses a second live rating, and the use case runs once more.
        looks: list[int] = []

        def racing(keys) -> bool:
            looks.append(1)
            return len(looks) == 1

        look_too_early(monkeypatch, racing)
        second = await rate(client, auth(), 1, overall=1, status=200)
        assert second["replaced_id"] == first["id"] and len(looks) == 2
        assert [r["live"] for r in await _mine(client, auth())] == [True, False]

    async def test_a_race_lost_twice_is_a_409_and_nothing_is_written(
        self, client, auth, monkeypatch
    ):
        await rate(client, auth(), 1)
        look_too_early(monkeypatch, lambda keys: True)
        resp = await client.post(
            "/api/v1/ratings", json=rating_body(1, overall=1), headers=auth()
        )
        assert resp.status_code == 409
        assert resp.headers["content-type"] == "application/problem+json"
        assert [r["overall"] for r in await _mine(client, auth())] == [4]

    async def test_other_residents_do_not_replace_each_other(self, client, auth):
        await rate(client, auth(sub="resident-a"), 1)
        await rate(client, auth(sub="resident-b"), 1)
        public = (await client.get("/api/v1/ratings", params={"target_id": 1})).json()[
            "items"
        ]
        assert len(public) == 2


class TestScoresOutsideOneToFive:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"overall": 0}, "overall"),
            ({"overall": 6}, "overall"),
            ({"overall": 4.5}, "overall"),
            ({"overall": "很好"}, "overall"),
            ({"dimensions": {"staff": 0}}, "dimensions.staff"),
            ({"dimensions": {"environment": 6}}, "dimensions.environment"),
            ({"dimensions": {"ambience": 3}}, "dimensions.ambience"),
        ],
    )
    async def test_refused_naming_the_field_and_nothing_is_written(
        self, client, auth, overrides, field
    ):
        resp = await client.post(
            "/api/v1/ratings", json=rating_body(1, **overrides), headers=auth()
        )
        assert resp.status_code == 422, resp.text
        assert resp.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in resp.json()["errors"]] == [field]
        assert await _mine(client, auth()) == []

    async def test_overall_is_required(self, client, auth):
        body = rating_body(1)
        del body["overall"]
        resp = await client.post("/api/v1/ratings", json=body, headers=auth())
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "overall"

    @pytest.mark.parametrize(
        ("comment", "why"), [("长" * 2001, "at most 2000"), ("nul\x00byte", "U+0000")]
    )
    async def test_comment_too_long_or_with_control_characters(
        self, client, auth, comment, why
    ):
        resp = await client.post(
            "/api/v1/ratings", json=rating_body(1, comment=comment), headers=auth()
        )
        assert resp.status_code == 422
        error = resp.json()["errors"][0]
        assert error["field"] == "comment" and why in error["message"]
        assert await _mine(client, auth()) == []

    async def test_an_unknown_target_type_is_refused(self, client, auth):
        resp = await client.post(
            "/api/v1/ratings", json=rating_body(1, target_type="museum"), headers=auth()
        )
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "target_type"


class TestTargetThatDoesNotExist:
    async def test_unknown_facility_is_422_on_target_id(self, client, auth):
        resp = await client.post(
            "/api/v1/ratings", json=rating_body(1001), headers=auth()
        )
        assert resp.status_code == 422, resp.text
        error = resp.json()["errors"][0]
        assert error["field"] == "target_id"
        assert error["message"] == f"no such facility: {1001}"
        assert await _mine(client, auth()) == []


class TestFacilitiesApiDown:
    async def test_connection_refused_is_503_and_nothing_is_written(
        self, client_facilities_down, auth, refusing
    ):
        resp = await client_facilities_down.post(
            "/api/v1/ratings", json=rating_body(1), headers=auth()
        )
        assert resp.status_code == 503, resp.text
        assert resp.headers["content-type"] == "application/problem+json"
        assert resp.json()["detail"].startswith(
            "facilities-api is unavailable; nothing was saved"
        )
        assert resp.headers["retry-after"] == "5"
        assert refusing.calls == 2, "a refused GET is retried once"
        assert await _mine(client_facilities_down, auth()) == []

    async def test_a_facilities_api_that_never_answers_is_503_within_the_deadline(
        self, app, engine, sessionmaker, auth
    ):
        app.state.settings.facilities_timeout_s = 0.2
        async with running_app(
            app, engine, sessionmaker, transports={FACILITIES_URL: HangingTransport()}
        ) as client:
            started = time.monotonic()
            resp = await client.post(
                "/api/v1/ratings", json=rating_body(1), headers=auth()
            )
            assert resp.status_code == 503
            assert time.monotonic() - started < 5
            assert await _mine(client, auth()) == []

    async def test_a_facilities_api_error_is_503_not_500(
        self, app, engine, sessionmaker, auth
    ):
        broken = httpx.MockTransport(
            lambda request: httpx.Response(500, json={"title": "Internal error"})
        )
        async with running_app(
            app, engine, sessionmaker, transports={FACILITIES_URL: broken}
        ) as client:
            resp = await client.post(
                "/api/v1/ratings", json=rating_body(1), headers=auth()
            )
            assert resp.status_code == 503
            assert await _mine(client, auth()) == []


class TestOnlyResidentsRate:
    @pytest.mark.parametrize("role", ["official", "operator", "auditor"])
    async def test_other_roles_are_403(self, client, auth, role):
        resp = await client.post(
            "/api/v1/ratings", json=rating_body(1), headers=auth(role)
        )
        assert resp.status_code == 403
        assert resp.headers["content-type"] == "application/problem+json"
        assert (await client.get("/api/v1/ratings")).json()["items"] == []

    async def test_anonymous_is_401(self, client):
        resp = await client.post("/api/v1/ratings", json=rating_body(1))
        assert resp.status_code == 401
        assert resp.json()["title"] == "Not signed in"
        assert (await client.get("/api/v1/ratings")).json()["items"] == []

    async def test_mine_is_for_residents(self, client, auth):
        assert (await client.get("/api/v1/ratings/mine")).status_code == 401
        assert (
            await client.get("/api/v1/ratings/mine", headers=auth("official"))
        ).status_code == 403


class TestSummary:
    async def test_count_means_and_distribution_of_the_live_ratings(self, client, auth):
        fid = 1
        await rate(client, auth(sub="a"), fid, overall=1, dimensions={"environment": 2})
        await rate(
            client,
            auth(sub="a"),
            fid,
            overall=5,
            dimensions={"environment": 5, "staff": 4},
            status=200,
        )
        await rate(client, auth(sub="b"), fid, overall=4, dimensions={"environment": 4})
        await rate(client, auth(sub="c"), fid, overall=4, dimensions={})
        resp = await client.get(
            "/api/v1/ratings/summary",
            params={"target_type": "facility", "target_id": fid},
        )
        assert resp.status_code == 200, resp.text
        assert resp.json() == {
            "target_type": "facility",
            "target_id": fid,
            "period": "2026Q4",
            "count": 3,
            "overall_mean": "4.33",  # (5 + 4 + 4) / 3: the replaced 1 does not count
            "distribution": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1},
            "dimensions": {
                "environment": {"count": 2, "mean": "4.50"},
                "content": {"count": 0, "mean": None},
                "staff": {"count": 1, "mean": "4.00"},
                "convenience": {"count": 0, "mean": None},
            },
        }

    async def test_means_round_half_up_exactly(self, client, auth):
        # 33 / 8 = 4.125: half up gives 4.13 (binary floats or banker's rounding would give 4.12).
        for i, score in enumerate([5, 5, 5, 5, 5, 4, 3, 1]):
            await rate(client, auth(sub=f"r{i}"), 1, overall=score)
        summary = (
            await client.get(
                "/api/v1/ratings/summary",
                params={"target_type": "facility", "target_id": 1},
            )
        ).json()
        assert (summary["count"], summary["overall_mean"]) == (8, "4.13")

    async def test_a_given_quarter_and_an_empty_one(self, client, auth, app):
        await rate(client, auth(), 1, overall=2)
        app.state.clock.fixed = datetime(2027, 2, 1, tzinfo=UTC)
        await rate(client, auth(), 1, overall=5)
        params = {"target_type": "facility", "target_id": 1}
        q4 = (
            await client.get(
                "/api/v1/ratings/summary", params={**params, "period": "2026Q4"}
            )
        ).json()
        now = (await client.get("/api/v1/ratings/summary", params=params)).json()
        assert (q4["period"], q4["count"], q4["overall_mean"]) == ("2026Q4", 1, "2.00")
        assert (now["period"], now["count"], now["overall_mean"]) == (
            "2027Q1",
            1,
            "5.00",
        )
        empty = (
            await client.get(
                "/api/v1/ratings/summary", params={**params, "period": "2025Q1"}
            )
        ).json()
        assert (empty["count"], empty["overall_mean"]) == (0, None)

    async def test_a_malformed_period_is_422(self, client):
        resp = await client.get(
            "/api/v1/ratings/summary",
            params={"target_type": "facility", "target_id": 1, "period": "2026-Q4"},
        )
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "query.period"


class TestPublicList:
    async def test_authors_are_masked_and_mine_is_marked(self, client, auth):
        await rate(client, auth(sub="resident-zhang"), 1)
        await rate(client, auth(sub="resident-li"), 1)
        as_zhang = await client.get(
            "/api/v1/ratings", headers=auth(sub="resident-zhang")
        )
        assert {(r["author"], r["mine"]) for r in as_zhang.json()["items"]} == {
            ("居民***", True),
            ("居民***", False),
        }
        anonymous = await client.get("/api/v1/ratings")
        assert [r["mine"] for r in anonymous.json()["items"]] == [False, False]
        assert (
            "resident-zhang" not in anonymous.text
            and "resident-li" not in anonymous.text
        )
        one = await client.get(f"/api/v1/ratings/{anonymous.json()['items'][0]['id']}")
        assert one.json()["author"] == "居民***" and "resident-li" not in one.text

    async def test_filters_and_cursor_pagination_newest_first(self, client, auth):
        made = [await rate(client, auth(sub=f"r{i}"), 1) for i in range(5)]
        await rate(client, auth(sub="r0"), 2)
        page1 = (
            await client.get("/api/v1/ratings", params={"target_id": 1, "limit": 3})
        ).json()
        page2 = (
            await client.get(
                "/api/v1/ratings",
                params={"target_id": 1, "limit": 3, "cursor": page1["next_cursor"]},
            )
        ).json()
        ids = [r["id"] for r in page1["items"] + page2["items"]]
        assert ids == sorted((r["id"] for r in made), reverse=True)
        assert page2["next_cursor"] is None
        assert (
            len(
                (
                    await client.get("/api/v1/ratings", params={"period": "2026Q4"})
                ).json()["items"]
            )
            == 6
        )
        assert (
            await client.get("/api/v1/ratings", params={"period": "2026Q3"})
        ).json()["items"] == []

    async def test_a_forged_cursor_is_422(self, client):
        for cursor in (
            "not-a-cursor",
            "WyJ4Il0",
            "Wzk5OTk5OTk5OTk5XQ",
        ):  # junk, ["x"], [99999999999]
            resp = await client.get("/api/v1/ratings", params={"cursor": cursor})
            assert resp.status_code == 422, cursor
            assert resp.json()["errors"][0]["field"] == "cursor"

    async def test_missing_rating_is_404(self, client):
        resp = await client.get("/api/v1/ratings/999999")
        assert resp.status_code == 404
        assert resp.json()["detail"] == "No rating 999999."


class TestIdempotency:
    async def test_same_key_and_body_replays_the_first_answer(self, client, auth):
        headers = {**auth(), "Idempotency-Key": "rate-once-1"}
        first = await client.post(
            "/api/v1/ratings", json=rating_body(1), headers=headers
        )
        again = await client.post(
            "/api/v1/ratings", json=rating_body(1), headers=headers
        )
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        assert again.headers["location"] == first.headers["location"]
        assert len(await _mine(client, auth())) == 1, (
            "the retry did not rate a second time"
        )

    async def test_same_key_with_another_body_is_422(self, client, auth):
        headers = {**auth(), "Idempotency-Key": "rate-once-2"}
        assert (
            await client.post("/api/v1/ratings", json=rating_body(1), headers=headers)
        ).status_code == 201
        other = await client.post(
            "/api/v1/ratings", json=rating_body(1, overall=1), headers=headers
        )
        assert other.status_code == 422
        assert other.json()["type"] == "/problems/idempotency-key-reused"
        assert [r["overall"] for r in await _mine(client, auth())] == [4]
