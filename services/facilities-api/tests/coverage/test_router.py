"""Coverage for the dashboard: 有没有 / 够不够 per subdistrict and community, and the branch trees."""

from __future__ import annotations

from tests.factories import local


class TestCoverageTable:
    async def test_every_subdistrict_with_its_supply_per_10k_residents(self, world, client, clock):
        f = await world.facility(floor_area_m2=800, seats=120)  # jingshan, population 30,000
        await world.facility(
            name_zh="景山服务点",
            kind="service_point",
            level="community",
            parent_id=f["id"],
            floor_area_m2=100,
            seats=30,
        )
        await world.facility(name_zh="闭馆", status="closed", floor_area_m2=5000)
        a = await world.activity(f["id"])
        b = await world.book(a["id"], world.resident(1))
        clock.fixed = local(21, 14)
        await client.post(
            f"/api/v1/activities/{a['id']}/check-ins", json={"code": b["check_in_code"]}, headers=world.official
        )
        clock.fixed = local(22, 9)
        resp = await client.get("/api/v1/coverage/subdistricts")
        assert resp.status_code == 200
        body = resp.json()
        assert body["month"] == "2026-11" and body["walking_radius_m"] == 1000
        jingshan, qianmen = body["subdistricts"]
        assert jingshan["code"] == "jingshan"
        assert jingshan["facilities"] == 2
        assert jingshan["facilities_by_kind"] == {"public_library": 1, "service_point": 1}
        assert jingshan["facilities_by_level"] == {"community": 1, "subdistrict": 1}
        assert (jingshan["floor_area_m2"], jingshan["floor_area_m2_per_10k"]) == (900, 300.0)
        assert jingshan["seats_per_10k"] == 50.0
        assert jingshan["open_hours_per_week"] == 96.0
        assert (jingshan["activities_held"], jingshan["attendance"]) == (1, 1)
        assert qianmen["facilities"] == 0
        assert qianmen["communities_without_facility"] == ["qianmen-1", "qianmen-2"]
        assert jingshan["communities_without_facility"] == []
        assert body["district"]["population"] == 60000 and body["district"]["facilities"] == 2

    async def test_a_smaller_walking_radius_leaves_communities_uncovered(self, world, client):
        await world.facility(location={"lat": 39.9300, "lon": 116.4000})  # ~200 m and ~100 m from the two centroids
        near = (await client.get("/api/v1/coverage/communities", params={"subdistrict": "jingshan"})).json()
        assert [(c["code"], c["covered"]) for c in near["communities"]] == [("jingshan-1", True), ("jingshan-2", True)]
        tight = (
            await client.get("/api/v1/coverage/communities", params={"subdistrict": "jingshan", "radius_m": 150})
        ).json()
        assert [(c["code"], c["covered"]) for c in tight["communities"]] == [
            ("jingshan-1", False),
            ("jingshan-2", True),
        ]
        assert tight["communities"][0]["nearest"]["distance_m"] > 150

    async def test_unknown_subdistrict_is_404(self, client, areas):
        assert (await client.get("/api/v1/coverage/communities", params={"subdistrict": "nowhere"})).status_code == 404


class TestBranchSystems:
    async def test_main_branch_with_its_branches_and_service_points(self, world, client):
        main = await world.facility(name_zh="区图书馆总馆", level="district")
        branch = await world.facility(name_zh="景山分馆", parent_id=main["id"])
        await world.facility(
            name_zh="景山一社区服务点", kind="service_point", level="community", parent_id=branch["id"]
        )
        await world.facility(name_zh="独立剧场", kind="theatre")
        trees = (await client.get("/api/v1/coverage/branch-systems")).json()
        assert len(trees) == 1
        root = trees[0]
        assert root["name_zh"] == "区图书馆总馆"
        assert [c["name_zh"] for c in root["children"]] == ["景山分馆"]
        assert [c["name_zh"] for c in root["children"][0]["children"]] == ["景山一社区服务点"]
