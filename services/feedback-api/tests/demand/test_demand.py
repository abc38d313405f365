"""Order-style demand requests answered by officials, menu-style rounds with voting limits, and the
aggregations for the dashboard's "够不够"."""

from __future__ import annotations

from datetime import timedelta

ROUND = {
    "title": "2027年第一季度文化服务菜单",
    "subdistrict": "jingshan",
    "offer_from": "2027-01-01",
    "offer_to": "2027-03-31",
    "voting_opens_at": "2026-11-23T08:00:00+08:00",
    "voting_closes_at": "2026-11-30T20:00:00+08:00",
    "max_choices": 2,
    "items": [
        {"title": "非遗剪纸体验课", "category": "heritage"},
        {"title": "老年人智能手机培训", "category": "elderly"},
        {"title": "周末亲子绘本共读", "category": "children", "facility_id": 2},
    ],
}


async def _demand(client, headers, **overrides):
    body = {
        "category": "elderly",
        "title": "希望开设老年人智能手机培训",
        "community": "jingshan-1",
        "facility_id": 2,
        **overrides,
    }
    resp = await client.post("/api/v1/demands", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    return resp


class TestDemandRequests:
    async def test_a_resident_asks_and_an_official_answers(self, client, auth):
        created = await _demand(client, auth(sub="r-1"))
        demand = created.json()
        assert (
            demand["status"],
            demand["subdistrict"],
            demand["period"],
            demand["mine"],
        ) == ("submitted", "jingshan", "2026Q4", True)
        url = f"/api/v1/demands/{demand['id']}/answer"
        no_reason = await client.post(
            url,
            json={"status": "declined"},
            headers={**auth("official"), "If-Match": created.headers["etag"]},
        )
        assert (
            no_reason.status_code == 422
            and no_reason.json()["errors"][0]["field"] == "note"
        )
        planned = await client.post(
            url,
            json={"status": "planned", "note": "已列入明年一季度计划"},
            headers={**auth("official"), "If-Match": created.headers["etag"]},
        )
        assert planned.status_code == 200 and planned.json()["status"] == "planned"
        stale = await client.post(
            url,
            json={"status": "delivered", "activity_id": 11},
            headers={**auth("official"), "If-Match": created.headers["etag"]},
        )
        assert stale.status_code == 412
        no_activity = await client.post(
            url,
            json={"status": "delivered", "activity_id": 99},
            headers={**auth("official"), "If-Match": planned.headers["etag"]},
        )
        assert (
            no_activity.status_code == 422
            and no_activity.json()["errors"][0]["message"] == "no such activity: 99"
        )
        delivered = await client.post(
            url,
            json={"status": "delivered", "activity_id": 11},
            headers={**auth("official"), "If-Match": planned.headers["etag"]},
        )
        assert delivered.json()["activity_id"] == 11
        back = await client.post(
            url,
            json={"status": "planned"},
            headers={**auth("official"), "If-Match": delivered.headers["etag"]},
        )
        assert back.status_code == 409 and back.json()["from_status"] == "delivered"
        events = (
            await client.get(
                "/api/v1/events",
                params={"types": "demand.answered"},
                headers=auth("official"),
            )
        ).json()["items"]
        assert [(e["data"]["from"], e["data"]["to"]) for e in events] == [
            ("submitted", "planned"),
            ("planned", "delivered"),
        ]

    async def test_who_files_and_who_reads(self, client, auth):
        await _demand(client, auth(sub="r-1"))
        assert (
            await client.post(
                "/api/v1/demands",
                json={"category": "film", "title": "露天电影"},
                headers=auth("operator", operator_id=7),
            )
        ).status_code == 403
        community = await client.post(
            "/api/v1/demands",
            json={
                "category": "film",
                "title": "社区露天电影",
                "community": "jingshan-1",
                "on_behalf_of_community": True,
            },
            headers=auth("official"),
        )
        assert (
            community.status_code == 201
            and community.json()["requester"] == "community"
        )
        assert (
            len(
                (await client.get("/api/v1/demands", headers=auth(sub="r-1"))).json()[
                    "items"
                ]
            )
            == 1
        )
        assert (
            len(
                (await client.get("/api/v1/demands", headers=auth(sub="r-2"))).json()[
                    "items"
                ]
            )
            == 0
        )
        assert (
            len(
                (await client.get("/api/v1/demands", headers=auth("official"))).json()[
                    "items"
                ]
            )
            == 2
        )
        bad = await client.post(
            "/api/v1/demands",
            json={
                "category": "film",
                "title": "x",
                "preferred_from": "2026-12-02",
                "preferred_to": "2026-12-01",
            },
            headers=auth(),
        )
        assert bad.status_code == 422


class TestMenuRounds:
    async def _open_round(self, client, auth) -> dict:
        created = await client.post(
            "/api/v1/menu-rounds", json=ROUND, headers=auth("official")
        )
        assert created.status_code == 201, created.text
        assert (
            await client.get(f"/api/v1/menu-rounds/{created.json()['id']}")
        ).status_code == 404, "drafts are officials' only"
        opened = await client.post(
            f"/api/v1/menu-rounds/{created.json()['id']}/open",
            headers={**auth("official"), "If-Match": created.headers["etag"]},
        )
        assert opened.status_code == 200, opened.text
        return opened.json()

    async def test_residents_vote_within_the_limit_and_results_are_published(
        self, client, auth, app
    ):
        rnd = await self._open_round(client, auth)
        items = [i["id"] for i in rnd["items"]]
        url = f"/api/v1/menu-rounds/{rnd['id']}/votes"
        assert (
            await client.post(
                url,
                json={"item_id": items[0], "community": "jingshan-1"},
                headers=auth(sub="a"),
            )
        ).status_code == 201
        assert (
            await client.post(url, json={"item_id": items[1]}, headers=auth(sub="a"))
        ).status_code == 201
        third = await client.post(
            url, json={"item_id": items[2]}, headers=auth(sub="a")
        )
        assert (
            third.status_code == 422
            and third.json()["errors"][0]["code"] == "vote-limit"
        )
        twice = await client.post(
            url, json={"item_id": items[0]}, headers=auth(sub="b")
        )
        assert twice.status_code == 201
        assert (
            await client.post(url, json={"item_id": items[0]}, headers=auth(sub="b"))
        ).status_code == 409
        assert (
            await client.post(url, json={"item_id": 999999}, headers=auth(sub="b"))
        ).status_code == 422
        assert (
            await client.post(
                url,
                json={"item_id": items[1], "community": "tiantan-2"},
                headers=auth(sub="b"),
            )
        ).status_code == 422
        public = (
            await client.get(f"/api/v1/menu-rounds/{rnd['id']}", headers=auth(sub="a"))
        ).json()
        assert public["my_votes"] == 2 and public["items"][0]["votes"] is None, (
            "counts stay hidden until published"
        )
        assert (
            await client.delete(
                f"/api/v1/menu-rounds/{rnd['id']}/votes/{items[1]}",
                headers=auth(sub="a"),
            )
        ).status_code == 204
        assert (
            await client.post(url, json={"item_id": items[2]}, headers=auth(sub="a"))
        ).status_code == 201
        early = await client.get(
            f"/api/v1/menu-rounds/{rnd['id']}", headers=auth("official")
        )
        too_early = await client.post(
            f"/api/v1/menu-rounds/{rnd['id']}/publish",
            headers={**auth("official"), "If-Match": early.headers["etag"]},
        )
        assert too_early.status_code == 409
        app.state.clock.fixed += timedelta(days=8)
        late = await client.post(url, json={"item_id": items[1]}, headers=auth(sub="c"))
        assert late.status_code == 409
        published = await client.post(
            f"/api/v1/menu-rounds/{rnd['id']}/publish",
            headers={**auth("official"), "If-Match": early.headers["etag"]},
        )
        assert published.status_code == 200, published.text
        results = {
            i["title"]: (i["votes"], i["rank"]) for i in published.json()["items"]
        }
        assert results == {
            "非遗剪纸体验课": (2, 1),
            "周末亲子绘本共读": (1, 2),
            "老年人智能手机培训": (0, 3),
        }
        events = (
            await client.get(
                "/api/v1/events",
                params={"types": "menu_round.*"},
                headers=auth("official"),
            )
        ).json()["items"]
        assert [r["votes"] for r in events[0]["data"]["results"]] == [2, 1, 0]
        anonymous = (await client.get(f"/api/v1/menu-rounds/{rnd['id']}")).json()
        assert anonymous["total_votes"] == 3

    async def test_bad_rounds_are_refused(self, client, auth):
        for change in (
            {"max_choices": 5},
            {"items": ROUND["items"][:1]},
            {"voting_closes_at": "2026-11-01T00:00:00+08:00"},
            {"voting_opens_at": "2026-11-23T08:00:00"},
        ):
            resp = await client.post(
                "/api/v1/menu-rounds",
                json={**ROUND, **change},
                headers=auth("official"),
            )
            assert resp.status_code == 422, change
        assert (
            await client.post("/api/v1/menu-rounds", json=ROUND, headers=auth())
        ).status_code == 403


class TestDemandStats:
    async def test_by_community_category_and_period(self, client, auth):
        await _demand(client, auth(sub="r-1"))
        await _demand(
            client,
            auth(sub="r-2"),
            category="reading",
            title="多开读书会",
            community="jingshan-2",
            facility_id=None,
        )
        rnd = await TestMenuRounds()._open_round(client, auth)
        await client.post(
            f"/api/v1/menu-rounds/{rnd['id']}/votes",
            json={"item_id": rnd["items"][1]["id"], "community": "jingshan-1"},
            headers=auth(sub="v"),
        )
        by_community = (
            await client.get("/api/v1/demands/stats", params={"group_by": "community"})
        ).json()["rows"]
        assert {r["key"]: (r["requests"], r["menu_votes"]) for r in by_community} == {
            "jingshan-1": (1, 1),
            "jingshan-2": (1, 0),
        }
        by_category = (
            await client.get(
                "/api/v1/demands/stats",
                params={"group_by": "category", "period": "2026Q4"},
            )
        ).json()["rows"]
        assert {
            r["key"]: (r["requests"], r["submitted"], r["menu_votes"])
            for r in by_category
        } == {"elderly": (1, 1, 1), "reading": (1, 1, 0)}
        by_period = (
            await client.get("/api/v1/demands/stats", params={"group_by": "period"})
        ).json()["rows"]
        assert {r["key"]: r["requests"] for r in by_period}["2026Q4"] == 2
