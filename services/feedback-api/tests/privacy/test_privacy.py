"""A resident's data in feedback-api: the resident reads all of it, nobody else can, and the account's
deletion erases it while the satisfaction index, complaint figures, demand counts and menu results stay
exactly as they were."""

from __future__ import annotations

import httpx

from feedback_api.privacy.consumer import gateway_consumer
from feedback_api.privacy.service import erase_account
from feedback_api.ratings.verification import on_checkin
from tests.demand.test_demand import ROUND
from tests.factories import file_case, rate, step

COMMENT = "我住景山东街12号，孩子在三年级二班，馆员很耐心"


async def _history(client, auth, sessionmaker, app):
    """r-1 rated two facilities (one with a comment), filed a complaint still open and one answered and
    confirmed, asked for a demand and voted in a menu round; r-2 rated facility 2 too."""
    me, other = auth(sub="r-1"), auth(sub="r-2")
    await rate(client, me, 2, overall=5, comment=COMMENT)
    await rate(client, me, 1, overall=2, comment=None)
    await rate(client, other, 2, overall=3, comment="一般")
    open_case = await file_case(client, me)
    answered = await file_case(
        client,
        me,
        title="空调太冷",
        description="阅览室空调太冷，我有关节炎",
        category="facility_condition",
    )
    official = auth("official")
    assert answered["status"] == "assigned", "routed to the facility's operator"
    await step(
        client, answered, "respond", auth("operator", operator_id=7), text="已调高温度"
    )
    await step(
        client, answered, "confirm", me, answer_rating=4, note="谢谢，我每周二都来"
    )
    demand = await client.post(
        "/api/v1/demands",
        json={
            "category": "elderly",
            "title": "希望在我家楼下开设智能手机课",
            "place": "景山东街12号院",
            "facility_id": 2,
        },
        headers=me,
    )
    assert demand.status_code == 201, demand.text
    created = await client.post("/api/v1/menu-rounds", json=ROUND, headers=official)
    rnd = (
        await client.post(
            f"/api/v1/menu-rounds/{created.json()['id']}/open",
            headers={**official, "If-Match": created.headers["etag"]},
        )
    ).json()
    vote = await client.post(
        f"/api/v1/menu-rounds/{rnd['id']}/votes",
        json={"item_id": rnd["items"][0]["id"]},
        headers=me,
    )
    assert vote.status_code == 201, vote.text
    async with sessionmaker() as session:
        await on_checkin(
            session,
            {
                "data": {
                    "booking_id": 501,
                    "activity_id": 11,
                    "facility_id": 2,
                    "resident_sub": "r-1",
                    "checked_in_at": "2026-11-22T06:10:00+00:00",
                }
            },
        )
        await session.commit()
    return open_case, answered, demand.json(), rnd


async def _figures(client, auth, rnd):
    official = auth("official")
    district = await client.get("/api/v1/satisfaction", headers=official)
    operator = await client.get("/api/v1/satisfaction/operators/7", headers=official)
    demands = await client.get("/api/v1/demands", headers=official)
    menu = await client.get(f"/api/v1/menu-rounds/{rnd['id']}", headers=official)
    for resp in (district, operator, demands, menu):
        assert resp.status_code == 200, resp.text
    return {
        "district": district.json(),
        "operator": operator.json(),
        "demands": [
            (d["category"], d["subdistrict"], d["period"], d["status"])
            for d in demands.json()["items"]
        ],
        "votes": [(i["id"], i["votes"]) for i in menu.json()["items"]],
        "total_votes": menu.json()["total_votes"],
    }


def _feed(*events):
    items = [
        {"type": t, "sequence": n, "data": d, "id": f"e{n}", "source": "gateway"}
        for n, (t, d) in enumerate(events, 1)
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/identity/events"
        after = int(request.url.params.get("after", 0))
        page = [e for e in items if e["sequence"] > after]
        return httpx.Response(
            200,
            json={"items": page, "next_after": page[-1]["sequence"] if page else after},
        )

    return httpx.MockTransport(answer)


class TestExport:
    async def test_the_resident_sees_everything_held_on_them(
        self, client, auth, sessionmaker, app
    ):
        open_case, answered, demand, rnd = await _history(
            client, auth, sessionmaker, app
        )

        resp = await client.get("/api/v1/personal-data", headers=auth(sub="r-1"))

        assert resp.status_code == 200, resp.text
        data = resp.json()
        assert sorted((r["target_id"], r["overall"]) for r in data["ratings"]) == [
            (1, 2),
            (2, 5),
        ]
        assert COMMENT in [r["comment"] for r in data["ratings"]]
        assert [c["id"] for c in data["cases"]] == [open_case["id"], answered["id"]]
        assert data["cases"][0]["contact_phone"] == "13812345678"
        assert [d["id"] for d in data["demands"]] == [demand["id"]]
        assert [v["item_id"] for v in data["menu_votes"]] == [rnd["items"][0]["id"]]
        assert [c["booking_id"] for c in data["check_ins"]] == [501]

    async def test_another_resident_sees_only_their_own(
        self, client, auth, sessionmaker, app
    ):
        await _history(client, auth, sessionmaker, app)
        data = (
            await client.get("/api/v1/personal-data", headers=auth(sub="r-2"))
        ).json()
        assert [r["overall"] for r in data["ratings"]] == [3]
        assert (
            data["cases"]
            == data["demands"]
            == data["menu_votes"]
            == data["check_ins"]
            == []
        )

    async def test_operators_officials_and_keys_cannot_call_it(self, client, auth):
        for headers in (
            auth("operator", operator_id=7),
            auth("official"),
            auth("auditor"),
            auth("operator", sub="apikey:3", operator_id=7, scopes=["operator:read"]),
            auth("integration", sub="apikey:4", scopes=["events:read"]),
        ):
            assert (
                await client.get("/api/v1/personal-data", headers=headers)
            ).status_code == 403


class TestErasure:
    async def test_the_deleted_account_is_erased_and_every_figure_holds(
        self, client, auth, sessionmaker, app
    ):
        open_case, answered, _demand, rnd = await _history(
            client, auth, sessionmaker, app
        )
        before = await _figures(client, auth, rnd)
        shown = await client.get(
            f"/api/v1/cases/{answered['id']}", headers=auth("official")
        )
        assert "关节炎" in shown.text and "每周二" in shown.text, (
            "the timeline carries the resident's words"
        )
        public = (
            await client.get(
                "/api/v1/ratings", params={"target_type": "facility", "target_id": 2}
            )
        ).json()["items"]
        assert COMMENT in str(public)
        assert (
            COMMENT
            in (
                await client.get(
                    "/api/v1/events", params={"limit": 1000}, headers=auth("auditor")
                )
            ).text
        )
        app.state.http = httpx.AsyncClient(
            transport=_feed(("account.deleted", {"account_id": "r-1"})),
            base_url="http://gw",
        )
        app.state.settings.gateway_url = "http://gw"

        assert await gateway_consumer(app).poll_once() == 1

        assert await _figures(client, auth, rnd) == before
        assert before["district"]["ratings"]["count"] == 3
        mine = (
            await client.get("/api/v1/personal-data", headers=auth(sub="r-1"))
        ).json()
        assert mine == {
            "service": "feedback-api",
            "ratings": [],
            "cases": [],
            "demands": [],
            "menu_votes": [],
            "check_ins": [],
        }
        official = auth("official")
        public = (
            await client.get(
                "/api/v1/ratings", params={"target_type": "facility", "target_id": 2}
            )
        ).json()["items"]
        assert len(public) == 2 and COMMENT not in str(public)
        for case in (open_case, answered):
            seen = await client.get(f"/api/v1/cases/{case['id']}", headers=official)
            assert seen.status_code == 200, seen.text
            text = seen.text
            assert (
                "13812345678" not in text
                and "王小明" not in text
                and "关节炎" not in text
                and "每周二" not in text
            )
        still = (
            await client.get(f"/api/v1/cases/{open_case['id']}", headers=official)
        ).json()
        assert still["status"] == open_case["status"], (
            "an open complaint still binds its handler"
        )
        done = await client.get(f"/api/v1/cases/{answered['id']}", headers=official)
        assert done.json()["status"] == "confirmed" and "已调高温度" in done.text, (
            "the operator's answer stays"
        )

        demands = (await client.get("/api/v1/demands", headers=official)).json()[
            "items"
        ]
        assert "景山东街" not in str(demands) and "楼下" not in str(demands)
        published = (
            await client.get(
                "/api/v1/events", params={"limit": 1000}, headers=auth("auditor")
            )
        ).text
        assert COMMENT not in published and "一般" in published, (
            "r-1's comment is gone from the feed, r-2's stays"
        )
        # r-2's rating is untouched.
        assert (
            len(
                (
                    await client.get("/api/v1/personal-data", headers=auth(sub="r-2"))
                ).json()["ratings"]
            )
            == 1
        )

    async def test_a_replayed_event_changes_nothing(
        self, client, auth, sessionmaker, app
    ):
        *_, rnd = await _history(client, auth, sessionmaker, app)
        async with sessionmaker() as session:
            first = await erase_account(session, account_id="r-1")
            await session.commit()
        figures = await _figures(client, auth, rnd)
        events = (
            await client.get(
                "/api/v1/events", params={"limit": 1000}, headers=auth("auditor")
            )
        ).json()["items"]
        async with sessionmaker() as session:
            again = await erase_account(session, account_id="r-1")
            await session.commit()
        assert (
            first["ratings"] == 2
            and first["cases"] == 2
            and first["demands"] == 1
            and first["menu_votes"] == 1
        )
        assert set(again.values()) == {0}
        assert await _figures(client, auth, rnd) == figures
        assert (
            await client.get(
                "/api/v1/events", params={"limit": 1000}, headers=auth("auditor")
            )
        ).json()["items"] == events

    async def test_the_consumer_reads_each_event_once(
        self, client, auth, sessionmaker, app
    ):
        await _history(client, auth, sessionmaker, app)
        app.state.http = httpx.AsyncClient(
            transport=_feed(("account.deleted", {"account_id": "r-1"})),
            base_url="http://gw",
        )
        app.state.settings.gateway_url = "http://gw"
        consumer = gateway_consumer(app)
        assert await consumer.poll_once() == 1
        assert await consumer.poll_once() == 0
