"""Finding facilities: text (Chinese, English, pinyin), accessibility, open now, nearest to a point,
and the same set as GeoJSON; opening-hour exceptions and the schedule they make."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import NOW


async def _names(client, **params) -> list[str]:
    resp = await client.get("/api/v1/facilities", params=params)
    assert resp.status_code == 200, resp.text
    return [f["name_zh"] for f in resp.json()["items"]]


class TestTextSearch:
    @pytest.mark.parametrize("q", ["景山书房", "jingshan", "JingShan", "jing shan", "jssf", "Jingshan Reading"])
    async def test_chinese_english_and_pinyin_find_the_same_facility(self, client, world, q):
        await world.facility(name_zh="景山书房", name_en="Jingshan Reading Room", kind="new_cultural_space")
        await world.facility(name_zh="前门剧场", name_en="Qianmen Theatre", kind="theatre")
        assert await _names(client, q=q) == ["景山书房"]

    async def test_percent_and_underscore_are_plain_text(self, client, world):
        await world.facility(name_zh="景山书房")
        assert await _names(client, q="%") == []
        assert await _names(client, q="_") == []

    async def test_an_edit_of_the_name_is_searchable_at_once(self, client, world):
        created = await world.facility(name_zh="景山书房")
        resp = await client.patch(
            f"/api/v1/facilities/{created['id']}",
            json={"name_zh": "地坛书屋"},
            headers={**world.official, "If-Match": '"v1"'},
        )
        assert resp.status_code == 200
        assert await _names(client, q="ditan") == ["地坛书屋"]
        assert await _names(client, q="jssf") == []


class TestFilters:
    async def test_facilities_asked_for_by_id_come_in_one_page(self, client, world):
        made = [await world.facility(name_zh=name) for name in ("景山书房", "前门剧场", "地坛书屋")]
        ids = [made[2]["id"], made[0]["id"], made[2]["id"], 999_999]
        assert await _names(client, id=ids) == ["景山书房", "地坛书屋"]  # in id order; unknown ids are left out
        assert await _names(client, id=made[1]["id"], q="jssf") == []  # with the other filters

    @pytest.mark.parametrize("ids", [list(range(1, 102)), ["x"], [0], [2_147_483_648]])
    async def test_too_many_or_malformed_ids_are_refused(self, client, ids):
        resp = await client.get("/api/v1/facilities", params={"id": ids})
        assert resp.status_code == 422
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["errors"][0]["field"].startswith("query.id")

    async def test_accessibility_means_every_feature_asked_for(self, client, world):
        await world.facility(name_zh="无障碍馆", accessibility=["step_free_entrance", "elevator", "braille"])
        await world.facility(name_zh="普通馆", accessibility=["step_free_entrance"])
        assert await _names(client, accessibility=["step_free_entrance", "elevator"]) == ["无障碍馆"]
        assert sorted(await _names(client, accessibility="step_free_entrance")) == ["无障碍馆", "普通馆"]

    async def test_open_now_follows_weekly_hours_and_status(self, client, world, clock):
        await world.facility(
            name_zh="白天馆", opening_hours=[{"weekday": d, "opens": "09:00", "closes": "17:00"} for d in range(7)]
        )
        await world.facility(
            name_zh="夜读馆", opening_hours=[{"weekday": d, "opens": "18:00", "closes": "22:00"} for d in range(7)]
        )
        await world.facility(name_zh="闭馆", status="temporarily_closed")
        assert await _names(client, open_now="true") == ["白天馆"]  # Friday 10:00
        clock.fixed = NOW + timedelta(hours=9)  # 19:00
        assert await _names(client, open_now="true") == ["夜读馆"]

    async def test_a_holiday_closes_and_special_hours_open(self, client, world, clock):
        day = await world.facility(
            name_zh="白天馆", opening_hours=[{"weekday": d, "opens": "09:00", "closes": "17:00"} for d in range(7)]
        )
        night = await world.facility(
            name_zh="夜读馆", opening_hours=[{"weekday": d, "opens": "18:00", "closes": "22:00"} for d in range(7)]
        )
        for facility, body in (
            (day, {"starts_on": "2026-11-20", "ends_on": "2026-11-22", "closed": True, "reason_zh": "设备检修"}),
            (
                night,
                {
                    "starts_on": "2026-11-20",
                    "ends_on": "2026-11-20",
                    "closed": False,
                    "opens": "08:00",
                    "closes": "12:00",
                },
            ),
        ):
            resp = await client.post(
                f"/api/v1/facilities/{facility['id']}/opening-exceptions", json=body, headers=world.official
            )
            assert resp.status_code == 201, resp.text
        assert await _names(client, open_now="true") == ["夜读馆"]


class TestNear:
    POINT = "39.9270,116.4000"

    async def _place(self, world, name: str, lat: float, lon: float, **kw):
        return await world.facility(name_zh=name, location={"lat": lat, "lon": lon}, **kw)

    async def test_nearest_first_with_distances_within_the_radius(self, client, world):
        await self._place(world, "八百米", 39.9342, 116.4000)
        await self._place(world, "一百米", 39.9279, 116.4000)
        await self._place(world, "五公里", 39.8820, 116.4000)
        resp = await client.get("/api/v1/facilities", params={"near": self.POINT, "radius_m": 2000})
        items = resp.json()["items"]
        assert [f["name_zh"] for f in items] == ["一百米", "八百米"]
        assert items[0]["distance_m"] == pytest.approx(100, abs=3)
        assert items[1]["distance_m"] == pytest.approx(800, abs=10)

    async def test_the_box_grows_until_the_page_is_full(self, client, world):
        # Only far facilities: the first small box holds none, yet the nearest are found in order.
        for i, lat in enumerate((39.9550, 39.9500, 39.9600)):
            await self._place(world, f"远{i}", lat, 116.4000)
        names = await _names(client, near=self.POINT, radius_m=10000, limit=2)
        assert names == ["远1", "远0"]

    async def test_pages_of_nearest_follow_on_without_gaps(self, client, world):
        for i in range(7):
            await self._place(world, f"馆{i}", 39.9270 + 0.0007 * (i + 1), 116.4000)
        first = (await client.get("/api/v1/facilities", params={"near": self.POINT, "limit": 3})).json()
        second = (
            await client.get(
                "/api/v1/facilities", params={"near": self.POINT, "limit": 3, "cursor": first["next_cursor"]}
            )
        ).json()
        third = (
            await client.get(
                "/api/v1/facilities", params={"near": self.POINT, "limit": 3, "cursor": second["next_cursor"]}
            )
        ).json()
        names = [f["name_zh"] for page in (first, second, third) for f in page["items"]]
        assert names == [f"馆{i}" for i in range(7)]
        assert third["next_cursor"] is None

    async def test_nearest_open_library(self, client, world):
        await self._place(world, "近但关闭", 39.9275, 116.4000, status="temporarily_closed")
        await self._place(world, "近的剧场", 39.9276, 116.4000, kind="theatre")
        await self._place(world, "远些的图书馆", 39.9300, 116.4000)
        resp = await client.get(
            "/api/v1/facilities", params={"near": self.POINT, "status": "open", "kind": "public_library", "limit": 1}
        )
        assert [f["name_zh"] for f in resp.json()["items"]] == ["远些的图书馆"]

    @pytest.mark.parametrize("near", ["39.9", "abc,def", "91,116", "39.9,116.4,1", "nan,116.4"])
    async def test_a_malformed_point_is_422_naming_near(self, client, near):
        resp = await client.get("/api/v1/facilities", params={"near": near})
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "near"


class TestGeoJSON:
    async def test_the_filtered_set_whole_as_a_feature_collection(self, client, world):
        for i in range(3):
            await world.facility(name_zh=f"景山馆{i}")
        await world.facility(
            name_zh="前门剧场",
            kind="theatre",
            subdistrict="qianmen",
            community="qianmen-1",
            location={"lat": 39.895, "lon": 116.398},
        )
        resp = await client.get("/api/v1/facilities.geojson", params={"subdistrict": "jingshan"})
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("application/geo+json")
        body = resp.json()
        assert body["type"] == "FeatureCollection"
        assert len(body["features"]) == 3
        feature = body["features"][0]
        assert feature["type"] == "Feature"
        assert feature["geometry"] == {"type": "Point", "coordinates": [116.401, 39.927]}
        assert set(feature["properties"]) >= {
            "id",
            "name_zh",
            "name_en",
            "kind",
            "level",
            "subdistrict",
            "community",
            "status",
            "operation_mode",
        }


class TestOpeningExceptions:
    async def test_spring_festival_closure_shows_in_the_schedule(self, client, world, clock):
        f = await world.facility()
        body = {"starts_on": "2026-11-24", "ends_on": "2026-11-25", "closed": True, "reason_zh": "春节闭馆"}
        created = await client.post(
            f"/api/v1/facilities/{f['id']}/opening-exceptions", json=body, headers=world.official
        )
        assert created.status_code == 201
        schedule = (
            await client.get(f"/api/v1/facilities/{f['id']}/opening-hours", params={"from": "2026-11-23", "days": 4})
        ).json()
        assert [(d["date"], d["open"], d["exception"]) for d in schedule["days"]] == [
            ("2026-11-23", False, None),  # a Monday: closed every week
            ("2026-11-24", False, "春节闭馆"),
            ("2026-11-25", False, "春节闭馆"),
            ("2026-11-26", True, None),
        ]
        assert schedule["weekly_hours"] == 48
        assert schedule["open_now"] is True
        listed = (await client.get(f"/api/v1/facilities/{f['id']}/opening-exceptions")).json()
        assert [e["reason_zh"] for e in listed] == ["春节闭馆"]
        removed = await client.delete(
            f"/api/v1/facilities/{f['id']}/opening-exceptions/{created.json()['id']}", headers=world.official
        )
        assert removed.status_code == 204
        assert (await client.get(f"/api/v1/facilities/{f['id']}/opening-exceptions")).json() == []
        assert [e["data"]["action"] for e in await world.events("facility.hours_changed")] == [
            "exception_added",
            "exception_removed",
        ]

    async def test_the_facility_operator_may_close_it_for_a_day(self, client, world):
        f = await world.facility()
        await world.operate(f["id"], operator_id=7)
        body = {"starts_on": "2026-11-27", "ends_on": "2026-11-27", "reason_zh": "临时闭馆"}
        assert (
            await client.post(f"/api/v1/facilities/{f['id']}/opening-exceptions", json=body, headers=world.operator(7))
        ).status_code == 201
        assert (
            await client.post(
                f"/api/v1/facilities/{f['id']}/opening-exceptions",
                json={**body, "starts_on": "2026-11-28", "ends_on": "2026-11-28"},
                headers=world.operator(8),
            )
        ).status_code == 403

    @pytest.mark.parametrize(
        ("body", "field", "code"),
        [
            ({"starts_on": "2026-11-25", "ends_on": "2026-11-24"}, "ends_on", "ends-before-start"),
            ({"starts_on": "2026-11-01", "ends_on": "2026-11-02"}, "ends_on", "in-the-past"),
            (
                {
                    "starts_on": "2026-11-25",
                    "ends_on": "2026-11-25",
                    "closed": True,
                    "opens": "09:00",
                    "closes": "10:00",
                },
                "opens",
                "closed-with-hours",
            ),
            ({"starts_on": "2026-11-25", "ends_on": "2026-11-25", "closed": False}, "opens", "hours-required"),
            (
                {
                    "starts_on": "2026-11-25",
                    "ends_on": "2026-11-25",
                    "closed": False,
                    "opens": "12:00",
                    "closes": "09:00",
                },
                "closes",
                "closes-before-opens",
            ),
        ],
    )
    async def test_bad_exceptions_are_refused_and_nothing_is_written(self, client, world, body, field, code):
        f = await world.facility()
        resp = await client.post(f"/api/v1/facilities/{f['id']}/opening-exceptions", json=body, headers=world.official)
        assert resp.status_code == 422
        assert resp.json()["errors"][0] == {
            "field": field,
            "message": resp.json()["errors"][0]["message"],
            "code": code,
        }
        assert (await client.get(f"/api/v1/facilities/{f['id']}/opening-exceptions")).json() == []

    async def test_overlapping_exceptions_are_refused(self, client, world):
        f = await world.facility()
        url = f"/api/v1/facilities/{f['id']}/opening-exceptions"
        assert (
            await client.post(url, json={"starts_on": "2026-12-01", "ends_on": "2026-12-05"}, headers=world.official)
        ).status_code == 201
        resp = await client.post(url, json={"starts_on": "2026-12-05", "ends_on": "2026-12-06"}, headers=world.official)
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["code"] == "overlapping-exception"
        assert len((await client.get(url)).json()) == 1

    async def test_residents_cannot_change_hours(self, client, world):
        f = await world.facility()
        resp = await client.post(
            f"/api/v1/facilities/{f['id']}/opening-exceptions",
            json={"starts_on": "2026-12-01", "ends_on": "2026-12-01"},
            headers=world.resident(),
        )
        assert resp.status_code == 403
