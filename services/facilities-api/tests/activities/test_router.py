"""Activities: who may publish where, the rules a publishable activity keeps, finding them, and
the iCalendar feed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from tests.factories import NOW, activity_body, local


class TestPublishActivity:
    async def test_operator_publishes_at_the_facility_it_runs(self, world, client):
        f = await world.facility()
        await world.operate(f["id"], operator_id=7)
        created = await world.activity(f["id"], world.operator(7))
        assert created["status"] == "published"
        assert created["starts_at"] == "2026-11-21T14:00:00+08:00"
        assert created["seats_left"] == 30
        assert (await client.get(f"/api/v1/activities/{created['id']}")).json()["title"] == "书海听涛·周末读书会"
        [event] = await world.events("activity.published")
        assert event["data"]["id"] == created["id"] and event["data"]["facility_id"] == f["id"]

    async def test_operator_cannot_publish_at_a_facility_it_does_not_run(self, world, client):
        f = await world.facility()
        resp = await client.post("/api/v1/activities", json=activity_body(f["id"]), headers=world.operator(7))
        assert resp.status_code == 403
        await world.operate(f["id"], operator_id=8)
        resp = await client.post("/api/v1/activities", json=activity_body(f["id"]), headers=world.operator(7))
        assert resp.status_code == 403
        assert (await client.get("/api/v1/activities")).json()["items"] == []

    async def test_subdistrict_official_only_in_their_area(self, world, client, auth):
        f = await world.facility()
        assert (
            await client.post(
                "/api/v1/activities", json=activity_body(f["id"]), headers=auth("official", subdistrict="jingshan")
            )
        ).status_code == 201
        resp = await client.post(
            "/api/v1/activities", json=activity_body(f["id"]), headers=auth("official", subdistrict="qianmen")
        )
        assert resp.status_code == 403
        assert resp.headers["content-type"] == "application/problem+json"

    async def test_residents_cannot_publish(self, world, client):
        f = await world.facility()
        assert (
            await client.post("/api/v1/activities", json=activity_body(f["id"]), headers=world.resident())
        ).status_code == 403

    async def test_a_draft_is_hidden_until_published(self, world, client):
        f = await world.facility()
        draft = await world.activity(f["id"], publish=False)
        assert draft["status"] == "draft"
        assert (await client.get(f"/api/v1/activities/{draft['id']}")).status_code == 404
        assert (await client.get("/api/v1/activities")).json()["items"] == []
        staff = (await client.get("/api/v1/activities", params={"status": "draft"}, headers=world.official)).json()[
            "items"
        ]
        assert [a["id"] for a in staff] == [draft["id"]]
        assert (await client.get("/api/v1/activities", params={"status": "draft"})).json()["items"] == []
        published = await client.post(f"/api/v1/activities/{draft['id']}/publish", headers=world.official)
        assert published.status_code == 200
        assert published.json()["status"] == "published"
        assert [a["id"] for a in (await client.get("/api/v1/activities")).json()["items"]] == [draft["id"]]

    async def test_naive_times_are_beijing_time(self, world, client):
        f = await world.facility()
        created = await world.activity(f["id"], starts_at="2026-11-21T09:30:00", ends_at="2026-11-21T11:00:00")
        assert created["starts_at"] == "2026-11-21T09:30:00+08:00"


class TestActivityBadInput:
    async def _refused(self, world, client, f, field, code, **overrides):
        resp = await client.post("/api/v1/activities", json=activity_body(f["id"], **overrides), headers=world.official)
        assert resp.status_code == 422, resp.text
        assert resp.headers["content-type"] == "application/problem+json"
        error = resp.json()["errors"][0]
        assert (error["field"], error.get("code")) == (field, code)
        assert (await client.get("/api/v1/activities", params={"status": "draft"}, headers=world.official)).json()[
            "items"
        ] == []
        assert (await client.get("/api/v1/activities")).json()["items"] == []

    async def test_ends_before_it_starts(self, world, client):
        f = await world.facility()
        await self._refused(world, client, f, "ends_at", "ends-before-start", ends_at=local(21, 13).isoformat())

    async def test_starts_in_the_past(self, world, client):
        f = await world.facility()
        await self._refused(
            world,
            client,
            f,
            "starts_at",
            "in-the-past",
            starts_at=local(19, 14).isoformat(),
            ends_at=local(19, 16).isoformat(),
        )

    async def test_a_fee_without_an_approved_service(self, world, client):
        f = await world.facility()
        await self._refused(world, client, f, "fee_fen", "fee-not-approved", fee_fen=1000)

    async def test_a_fee_on_a_basic_service(self, world, client):
        f = await world.facility()
        s = (
            await client.post(
                f"/api/v1/facilities/{f['id']}/services",
                json={"name_zh": "公益讲座", "category": "lecture", "basic": True},
                headers=world.official,
            )
        ).json()
        await self._refused(world, client, f, "fee_fen", "basic-service-free", fee_fen=1000, service_id=s["id"])

    async def test_booking_window_after_the_start(self, world, client):
        f = await world.facility()
        await self._refused(
            world, client, f, "booking_opens_at", "booking-window", booking_opens_at=local(21, 15).isoformat()
        )

    async def test_unknown_facility(self, world, client):
        await world.facility()
        await self._refused(world, client, {"id": 999999}, "facility_id", "unknown-facility")

    async def test_year_out_of_range(self, world, client):
        f = await world.facility()
        resp = await client.post(
            "/api/v1/activities", json=activity_body(f["id"], starts_at="0001-01-01T00:00:00"), headers=world.official
        )
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "starts_at"

    async def test_an_approved_fee_is_allowed(self, world, client):
        f = await world.facility()
        s = (
            await client.post(
                f"/api/v1/facilities/{f['id']}/services",
                json={"name_zh": "非遗手作", "category": "heritage", "basic": False},
                headers=world.official,
            )
        ).json()
        await world.approve_fee(f["id"], s["id"], cap=3000)
        created = await world.activity(f["id"], fee_fen=3000, service_id=s["id"])
        assert created["fee_fen"] == 3000


class TestEditActivity:
    async def test_capacity_below_the_seats_booked_is_refused(self, world, client):
        f = await world.facility()
        a = await world.activity(f["id"], capacity=5)
        for n in range(3):
            await world.book(a["id"], world.resident(n))
        url = f"/api/v1/activities/{a['id']}"
        resp = await client.patch(url, json={"capacity": 2}, headers={**world.official, "If-Match": '"v1"'})
        assert resp.status_code == 422
        assert resp.json()["errors"][0] == {
            "field": "capacity",
            "message": "3 seats are already booked; the capacity cannot go below that.",
            "code": "capacity-below-booked",
        }
        assert (await client.get(url)).json()["capacity"] == 5

    async def test_more_capacity_moves_the_waitlist_up(self, world, client):
        f = await world.facility()
        a = await world.activity(f["id"], capacity=1)
        await world.book(a["id"], world.resident(1))
        waiting = await world.book(a["id"], world.resident(2))
        assert waiting["status"] == "waitlisted"
        resp = await client.patch(
            f"/api/v1/activities/{a['id']}", json={"capacity": 2}, headers={**world.official, "If-Match": '"v1"'}
        )
        assert resp.status_code == 200
        assert resp.json()["seats_left"] == 0
        assert (await client.get(f"/api/v1/bookings/{waiting['id']}", headers=world.resident(2))).json()[
            "status"
        ] == "confirmed"
        assert [e["data"]["booking_id"] for e in await world.events("booking.promoted")] == [waiting["id"]]

    async def test_stale_etag_is_412(self, world, client):
        f = await world.facility()
        a = await world.activity(f["id"])
        url = f"/api/v1/activities/{a['id']}"
        assert (
            await client.patch(url, json={"title": "新标题"}, headers={**world.official, "If-Match": '"v1"'})
        ).status_code == 200
        assert (
            await client.patch(url, json={"title": "又一个"}, headers={**world.official, "If-Match": '"v1"'})
        ).status_code == 412
        assert (await client.get(url)).json()["title"] == "新标题"

    async def test_cancel_tells_residents_why_and_is_announced(self, world, client):
        f = await world.facility()
        a = await world.activity(f["id"])
        await world.book(a["id"], world.resident(1))
        resp = await client.post(
            f"/api/v1/activities/{a['id']}/cancel", json={"reason": "因天气原因取消"}, headers=world.official
        )
        assert resp.status_code == 200
        assert (resp.json()["status"], resp.json()["cancel_reason"]) == ("cancelled", "因天气原因取消")
        [event] = await world.events("activity.cancelled")
        assert event["data"] == {
            "activity_id": a["id"],
            "facility_id": f["id"],
            "reason": "因天气原因取消",
            "bookings": {"confirmed": 1, "waitlisted": 0},
        }
        again = await client.post(f"/api/v1/activities/{a['id']}/cancel", json={"reason": "x"}, headers=world.official)
        assert again.status_code == 422


class TestListActivities:
    async def _setup(self, world, client):
        jingshan = await world.facility()
        qianmen = await world.facility(
            name_zh="前门剧场",
            kind="theatre",
            subdistrict="qianmen",
            community="qianmen-1",
            location={"lat": 39.895, "lon": 116.398},
        )
        made = [
            await world.activity(
                jingshan["id"], title="读书会1", starts_at=local(21, 9).isoformat(), ends_at=local(21, 11).isoformat()
            ),
            await world.activity(
                jingshan["id"],
                title="讲座",
                category="lecture",
                brand="",
                target_groups=["elderly"],
                starts_at=local(22, 9).isoformat(),
                ends_at=local(22, 11).isoformat(),
            ),
            await world.activity(
                qianmen["id"],
                title="京剧",
                category="performance",
                brand="戏曲进社区",
                capacity=1,
                starts_at=local(23, 19).isoformat(),
                ends_at=local(23, 21).isoformat(),
            ),
            await world.activity(
                jingshan["id"],
                title="读书会2",
                target_groups=["children"],
                starts_at=local(28, 9).isoformat(),
                ends_at=local(28, 11).isoformat(),
            ),
        ]
        await world.book(made[2]["id"], world.resident(1))
        return jingshan, qianmen, made

    async def _titles(self, client, **params):
        resp = await client.get("/api/v1/activities", params=params)
        assert resp.status_code == 200, resp.text
        return [a["title"] for a in resp.json()["items"]]

    async def test_filters(self, world, client):
        jingshan, _, _ = await self._setup(world, client)
        assert await self._titles(client) == ["读书会1", "讲座", "京剧", "读书会2"]
        assert await self._titles(
            client, **{"from": "2026-11-22T00:00:00+08:00", "to": "2026-11-24T00:00:00+08:00"}
        ) == ["讲座", "京剧"]
        assert await self._titles(client, subdistrict="qianmen") == ["京剧"]
        assert await self._titles(client, facility_id=jingshan["id"], category="reading") == ["读书会1", "读书会2"]
        assert await self._titles(client, brand="书海听涛") == ["读书会1", "读书会2"]
        assert await self._titles(client, target_group="elderly") == [
            "读书会1",
            "讲座",
            "京剧",
        ]  # for everyone, or for the elderly
        assert await self._titles(client, target_group="children") == ["读书会1", "京剧", "读书会2"]
        assert await self._titles(client, has_seats="true") == ["读书会1", "讲座", "读书会2"]
        assert await self._titles(client, has_seats="false") == ["京剧"]

    async def test_cursor_pages_in_start_order(self, world, client):
        await self._setup(world, client)
        first = (await client.get("/api/v1/activities", params={"limit": 3})).json()
        second = (await client.get("/api/v1/activities", params={"limit": 3, "cursor": first["next_cursor"]})).json()
        assert [a["title"] for a in first["items"] + second["items"]] == ["读书会1", "讲座", "京剧", "读书会2"]
        assert second["next_cursor"] is None

    async def test_finished_ones_show_as_finished(self, world, client, clock):
        await self._setup(world, client)
        clock.fixed = NOW + timedelta(days=2, hours=6)  # 2026-11-22 16:00
        assert await self._titles(client, status="finished") == ["读书会1", "讲座"]
        assert await self._titles(client, status="published") == ["京剧", "读书会2"]

    async def test_a_forged_cursor_is_422(self, client):
        resp = await client.get("/api/v1/activities", params={"cursor": "WyJ4IiwxXQ"})
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "cursor"


class TestCalendar:
    async def test_a_valid_icalendar_of_the_filtered_activities(self, world, client):
        f = await world.facility(name_zh="景山书房，二层")
        await world.activity(f["id"], title="读书会; 第一期", description="第一行\n第二行，有逗号" + "很长的描述" * 30)
        cancelled = await world.activity(
            f["id"],
            title="取消的讲座",
            category="lecture",
            starts_at=local(22, 9).isoformat(),
            ends_at=local(22, 10).isoformat(),
        )
        await client.post(
            f"/api/v1/activities/{cancelled['id']}/cancel", json={"reason": "讲师生病"}, headers=world.official
        )
        resp = await client.get("/api/v1/activities.ics", params={"facility_id": f["id"], "category": "reading"})
        assert resp.status_code == 200
        assert resp.headers["content-type"] == "text/calendar; charset=utf-8"
        assert all(len(line.encode()) <= 75 for line in resp.text.split("\r\n"))
        cal = Calendar.from_ical(resp.content)
        [event] = cal.walk("VEVENT")
        assert str(event["SUMMARY"]) == "读书会; 第一期"
        assert event.decoded("DTSTART").isoformat() == "2026-11-21T06:00:00+00:00"
        assert "景山书房，二层" in str(event["LOCATION"])
        assert str(event["DESCRIPTION"]).startswith("第一行\n第二行，有逗号")
        all_of_them = Calendar.from_ical(
            (await client.get("/api/v1/activities.ics", params={"status": "cancelled"})).content
        )
        assert [str(e["STATUS"]) for e in all_of_them.walk("VEVENT")] == ["CANCELLED"]

    @pytest.mark.parametrize("params", [{"from": "not-a-time"}, {"limit": 0}, {"category": "nonsense"}])
    async def test_bad_filters_are_422(self, client, params):
        resp = await client.get("/api/v1/activities.ics", params=params)
        assert resp.status_code == 422
