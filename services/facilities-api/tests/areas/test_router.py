class TestAreas:
    async def test_subdistricts_with_their_community_counts(self, client, areas):
        resp = await client.get("/api/v1/subdistricts")
        assert resp.status_code == 200
        assert [(s["code"], s["community_count"]) for s in resp.json()] == [("jingshan", 2), ("qianmen", 2)]

    async def test_communities_of_one_subdistrict(self, client, areas):
        resp = await client.get("/api/v1/communities", params={"subdistrict": "qianmen"})
        assert [c["code"] for c in resp.json()] == ["qianmen-1", "qianmen-2"]

    async def test_unknown_subdistrict_is_404(self, client, areas):
        assert (await client.get("/api/v1/subdistricts/nowhere")).status_code == 404
        assert (await client.get("/api/v1/communities", params={"subdistrict": "nowhere"})).status_code == 404
