"""The registry as officials and the public use it, through HTTP."""

from __future__ import annotations

import pytest

from tests.factories import create_facility, facility_body


class TestCreateFacility:
    async def test_official_creates_and_anyone_reads_it_back(self, client, auth, areas):
        created = await create_facility(client, auth("official"))
        resp = await client.get(f"/api/v1/facilities/{created['id']}")
        assert resp.status_code == 200
        body = resp.json()
        assert body["name_zh"] == "景山街道图书馆"
        assert body["subdistrict"] == "jingshan" and body["community"] == "jingshan-1"
        assert body["operation"] == {
            "mode": "government",
            "operator_id": None,
            "contract_id": None,
            "operator_name": None,
        }
        assert resp.headers["etag"] == '"v1"'
        assert body["opening_hours"][0] == {"weekday": 1, "opens": "09:00:00", "closes": "17:00:00"}

    async def test_location_header_points_at_the_new_facility(self, client, auth, areas):
        resp = await client.post("/api/v1/facilities", json=facility_body(), headers=auth("official"))
        assert resp.status_code == 201
        assert resp.headers["location"] == f"/api/v1/facilities/{resp.json()['id']}"

    @pytest.mark.parametrize("role", ["resident", "operator", "auditor"])
    async def test_only_officials_create(self, client, auth, areas, role):
        resp = await client.post("/api/v1/facilities", json=facility_body(), headers=auth(role))
        assert resp.status_code == 403
        assert resp.headers["content-type"] == "application/problem+json"
        assert (await client.get("/api/v1/facilities")).json()["items"] == []

    async def test_anonymous_create_is_401_problem(self, client, areas):
        resp = await client.post("/api/v1/facilities", json=facility_body())
        assert resp.status_code == 401
        assert resp.json()["title"] == "Not signed in"

    async def test_subdistrict_official_acts_only_in_their_subdistrict(self, client, auth, areas):
        mine = await client.post(
            "/api/v1/facilities", json=facility_body(), headers=auth("official", subdistrict="jingshan")
        )
        assert mine.status_code == 201
        other = await client.post(
            "/api/v1/facilities",
            json=facility_body(subdistrict="qianmen", community="qianmen-1", location={"lat": 39.895, "lon": 116.398}),
            headers=auth("official", subdistrict="jingshan"),
        )
        assert other.status_code == 403
        assert "qianmen" in other.json()["detail"]

    async def test_expired_token_is_401(self, client, settings, areas):
        from service_kit.auth import mint_token

        expired = mint_token(settings, sub="x", role="official", ttl_s=-10)
        resp = await client.post(
            "/api/v1/facilities", json=facility_body(), headers={"Authorization": f"Bearer {expired}"}
        )
        assert resp.status_code == 401
        assert "expired" in resp.json()["detail"]


class TestBadInput:
    async def _refused(self, client, auth, body, status=422):
        resp = await client.post("/api/v1/facilities", json=body, headers=auth("official"))
        assert resp.status_code == status, resp.text
        assert resp.headers["content-type"] == "application/problem+json"
        assert (await client.get("/api/v1/facilities")).json()["items"] == [], "nothing may be written"
        return resp.json()

    async def test_coordinates_outside_the_district(self, client, auth, areas):
        problem = await self._refused(client, auth, facility_body(location={"lat": 31.23, "lon": 121.47}))
        assert problem["errors"][0]["field"] == "location.lat"

    async def test_opening_hours_that_end_before_they_start(self, client, auth, areas):
        body = facility_body(opening_hours=[{"weekday": 0, "opens": "18:00", "closes": "09:00"}])
        problem = await self._refused(client, auth, body)
        assert problem["errors"][0]["field"].startswith("opening_hours")
        assert "before it opens" in problem["errors"][0]["message"]

    async def test_overlapping_opening_hours(self, client, auth, areas):
        body = facility_body(
            opening_hours=[
                {"weekday": 2, "opens": "09:00", "closes": "12:00"},
                {"weekday": 2, "opens": "11:00", "closes": "15:00"},
            ]
        )
        problem = await self._refused(client, auth, body)
        assert "overlap" in problem["errors"][0]["message"]

    async def test_community_of_another_subdistrict(self, client, auth, areas):
        problem = await self._refused(client, auth, facility_body(community="qianmen-1"))
        assert problem["errors"][0] == {
            "field": "community",
            "message": "Community qianmen-1 is in qianmen, not in jingshan.",
            "code": "community-outside-subdistrict",
        }

    async def test_unknown_field_is_refused(self, client, auth, areas):
        problem = await self._refused(client, auth, facility_body(operation_mode="social"))
        assert problem["errors"][0]["field"] == "operation_mode"

    async def test_malformed_json_is_400(self, client, auth, areas):
        resp = await client.post(
            "/api/v1/facilities",
            content=b'{"name_zh": ',
            headers={**auth("official"), "content-type": "application/json"},
        )
        assert resp.status_code == 400
        assert resp.json()["detail"] == "The body is not valid JSON."

    async def test_wrong_content_type_is_415(self, client, auth, areas):
        resp = await client.post(
            "/api/v1/facilities", content=b"name_zh=x", headers={**auth("official"), "content-type": "text/plain"}
        )
        assert resp.status_code == 415

    async def test_oversize_body_is_413(self, client, auth, areas):
        body = facility_body(description_zh="长" * 600_000)
        resp = await client.post("/api/v1/facilities", json=body, headers=auth("official"))
        assert resp.status_code == 413
        assert resp.headers["content-type"] == "application/problem+json"

    async def test_wrong_type_names_the_field(self, client, auth, areas):
        problem = await self._refused(client, auth, facility_body(seats="many"))
        assert problem["errors"][0]["field"] == "seats"

    async def test_emoji_and_long_cjk_names_survive(self, client, auth, areas):
        name = "东城区🎭" + "胡同文化" * 40
        created = await create_facility(client, auth("official"), name_zh=name)
        assert (await client.get(f"/api/v1/facilities/{created['id']}")).json()["name_zh"] == name


class TestBranchSystem:
    async def test_service_point_under_a_subdistrict_branch(self, client, auth, areas):
        branch = await create_facility(client, auth("official"))
        point = await create_facility(
            client,
            auth("official"),
            name_zh="景山一社区服务点",
            kind="service_point",
            level="community",
            parent_id=branch["id"],
        )
        assert point["parent_id"] == branch["id"]

    async def test_wrong_level_parent_is_refused(self, client, auth, areas):
        branch = await create_facility(client, auth("official"))
        resp = await client.post(
            "/api/v1/facilities",
            json=facility_body(name_zh="另一分馆", parent_id=branch["id"]),
            headers=auth("official"),
        )
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["code"] == "parent-level"

    async def test_a_cycle_is_refused(self, client, auth, areas):
        top = await create_facility(client, auth("official"), level="district", name_zh="总馆")
        branch = await create_facility(client, auth("official"), parent_id=top["id"])
        resp = await client.patch(
            f"/api/v1/facilities/{top['id']}",
            json={"parent_id": branch["id"]},
            headers={**auth("official"), "If-Match": '"v1"'},
        )
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["code"] == "parent-cycle"
        assert (await client.get(f"/api/v1/facilities/{top['id']}")).json()["parent_id"] is None


class TestEditFacility:
    async def test_edit_with_if_match_bumps_version_and_keeps_history(self, client, auth, areas):
        created = await create_facility(client, auth("official"))
        resp = await client.patch(
            f"/api/v1/facilities/{created['id']}",
            json={"seats": 150, "status": "temporarily_closed"},
            headers={**auth("official", sub="official-wang"), "If-Match": '"v1"'},
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["seats"] == 150
        assert resp.headers["etag"] == '"v2"'
        history = (await client.get(f"/api/v1/facilities/{created['id']}/history")).json()
        assert [h["action"] for h in history] == ["created", "updated"]
        assert history[1]["actor"] == "official-wang"
        assert history[1]["changes"] == {"seats": [120, 150], "status": ["open", "temporarily_closed"]}

    async def test_stale_etag_is_412_and_changes_nothing(self, client, auth, areas):
        created = await create_facility(client, auth("official"))
        url = f"/api/v1/facilities/{created['id']}"
        first = await client.patch(url, json={"seats": 10}, headers={**auth("official"), "If-Match": '"v1"'})
        assert first.status_code == 200
        second = await client.patch(url, json={"seats": 99}, headers={**auth("official"), "If-Match": '"v1"'})
        assert second.status_code == 412
        assert (await client.get(url)).json()["seats"] == 10

    async def test_edit_without_if_match_is_428(self, client, auth, areas):
        created = await create_facility(client, auth("official"))
        resp = await client.patch(f"/api/v1/facilities/{created['id']}", json={"seats": 1}, headers=auth("official"))
        assert resp.status_code == 428

    async def test_operation_mode_cannot_be_typed_by_hand(self, client, auth, areas):
        created = await create_facility(client, auth("official"))
        resp = await client.patch(
            f"/api/v1/facilities/{created['id']}",
            json={"operation": {"mode": "social"}},
            headers={**auth("official"), "If-Match": '"v1"'},
        )
        assert resp.status_code == 422

    async def test_missing_facility_is_404_problem(self, client):
        resp = await client.get("/api/v1/facilities/999999")
        assert resp.status_code == 404
        assert resp.json()["detail"] == "No facility 999999."


class TestListFacilities:
    async def test_filters_and_cursor_pagination(self, client, auth, areas):
        for i in range(5):
            await create_facility(client, auth("official"), name_zh=f"景山馆{i}")
        await create_facility(
            client,
            auth("official"),
            name_zh="前门剧场",
            kind="theatre",
            subdistrict="qianmen",
            community="qianmen-1",
            location={"lat": 39.895, "lon": 116.398},
        )
        theatres = (await client.get("/api/v1/facilities", params={"kind": "theatre"})).json()["items"]
        assert [f["name_zh"] for f in theatres] == ["前门剧场"]
        in_jingshan = (await client.get("/api/v1/facilities", params={"subdistrict": "jingshan"})).json()["items"]
        assert len(in_jingshan) == 5
        page1 = (await client.get("/api/v1/facilities", params={"limit": 4})).json()
        page2 = (await client.get("/api/v1/facilities", params={"limit": 4, "cursor": page1["next_cursor"]})).json()
        assert len(page1["items"]) == 4 and len(page2["items"]) == 2
        assert page2["next_cursor"] is None
        ids = [f["id"] for f in page1["items"] + page2["items"]]
        assert ids == sorted(set(ids))
        found = (await client.get("/api/v1/facilities", params={"q": "剧场"})).json()["items"]
        assert [f["name_zh"] for f in found] == ["前门剧场"]

    async def test_a_forged_cursor_is_422(self, client):
        resp = await client.get("/api/v1/facilities", params={"cursor": "not-a-cursor"})
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "cursor"


class TestNullsInAPatch:
    @pytest.mark.parametrize(
        "field", ["name_en", "seats", "floor_area_m2", "contact_phone", "description_zh", "opening_hours"]
    )
    async def test_null_for_a_required_field_is_422_and_changes_nothing(self, client, auth, areas, field):
        created = await create_facility(client, auth("official"))
        url = f"/api/v1/facilities/{created['id']}"
        resp = await client.patch(url, json={field: None}, headers={**auth("official"), "If-Match": '"v1"'})
        assert resp.status_code == 422, resp.text
        assert resp.json()["errors"][0]["field"] == field
        assert (await client.get(url)).headers["etag"] == '"v1"'
