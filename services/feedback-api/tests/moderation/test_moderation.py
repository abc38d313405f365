"""Comment moderation: personal data masked, abuse words held for officials, decisions, the word list."""

from __future__ import annotations

from tests.factories import rate


class TestAutomaticMasking:
    async def test_phone_and_id_numbers_are_masked_and_the_comment_published(
        self, client, auth
    ):
        rating = await rate(
            client,
            auth(),
            1,
            comment="前台电话010-65123456，我的手机13912345678，身份证110101199003077777 😀",
        )
        assert rating["comment_status"] == "published"
        public = (await client.get(f"/api/v1/ratings/{rating['id']}")).json()["comment"]
        assert (
            public
            == "前台电话010-****3456，我的手机139****5678，身份证110*************7 😀"
        )
        assert "13912345678" not in str(await client.get("/api/v1/ratings"))


class TestAbuseWordsHoldTheComment:
    async def test_the_comment_waits_for_an_official_and_the_score_still_counts(
        self, client, auth
    ):
        rating = await rate(client, auth(sub="r-1"), 1, comment="工作人员就是垃圾东西")
        assert (
            rating["comment_status"] == "pending"
            and rating["comment"] == "工作人员就是垃圾东西"
        )  # its author sees it
        public = (await client.get(f"/api/v1/ratings/{rating['id']}")).json()
        assert public["comment"] is None and public["comment_status"] == "pending"
        queue = (
            await client.get(
                "/api/v1/moderation/queue",
                params={"kind": "comments"},
                headers=auth("official"),
            )
        ).json()["items"]
        assert [r["id"] for r in queue] == [rating["id"]] and queue[0][
            "comment"
        ] == "工作人员就是垃圾东西"
        summary = (
            await client.get(
                "/api/v1/ratings/summary",
                params={"target_type": "facility", "target_id": 1},
            )
        ).json()
        assert summary["count"] == 1

    async def test_approve_reject_and_the_conflicts(self, client, auth):
        a = await rate(
            client, auth(sub="r-1"), 1, comment="去 死 吧"
        )  # spaces do not dodge the list
        b = await rate(client, auth(sub="r-2"), 1, comment="fuck")
        approve = await client.post(
            f"/api/v1/moderation/ratings/{a['id']}",
            json={"action": "approve_comment"},
            headers=auth("official"),
        )
        assert (
            approve.status_code == 200
            and approve.json()["comment_status"] == "published"
        )
        assert (await client.get(f"/api/v1/ratings/{a['id']}")).json()[
            "comment"
        ] == "去 死 吧"
        reject = await client.post(
            f"/api/v1/moderation/ratings/{b['id']}",
            json={"action": "reject_comment", "note": "辱骂"},
            headers=auth("official"),
        )
        assert reject.json()["comment_status"] == "rejected"
        again = await client.post(
            f"/api/v1/moderation/ratings/{b['id']}",
            json={"action": "approve_comment"},
            headers=auth("official"),
        )
        assert again.status_code == 409 and again.json()["from_status"] == "rejected"
        assert (
            await client.get("/api/v1/moderation/queue", headers=auth("official"))
        ).json()["items"] == []

    async def test_only_officials_decide(self, client, auth):
        a = await rate(client, auth(), 1, comment="滚蛋")
        for role in ("auditor", "operator", "resident"):
            resp = await client.post(
                f"/api/v1/moderation/ratings/{a['id']}",
                json={"action": "approve_comment"},
                headers=auth(role),
            )
            assert resp.status_code == 403
        assert (
            await client.get("/api/v1/moderation/queue", headers=auth("auditor"))
        ).status_code == 200


class TestHideAndRestore:
    async def test_a_hidden_rating_leaves_the_lists_and_the_index_and_is_announced(
        self, client, auth
    ):
        rating = await rate(client, auth(), 1, overall=1)
        hidden = await client.post(
            f"/api/v1/moderation/ratings/{rating['id']}",
            json={"action": "hide", "note": "虚假评价"},
            headers=auth("official"),
        )
        assert hidden.status_code == 200 and hidden.json()["status"] == "hidden"
        assert (await client.get("/api/v1/ratings")).json()["items"] == []
        assert (await client.get(f"/api/v1/ratings/{rating['id']}")).status_code == 404
        summary = (
            await client.get(
                "/api/v1/ratings/summary",
                params={"target_type": "facility", "target_id": 1},
            )
        ).json()
        assert summary["count"] == 0
        events = (
            await client.get(
                "/api/v1/events",
                params={"types": "rating.hidden"},
                headers=auth("official"),
            )
        ).json()["items"]
        assert [e["data"]["id"] for e in events] == [rating["id"]]
        restored = await client.post(
            f"/api/v1/moderation/ratings/{rating['id']}",
            json={"action": "restore"},
            headers=auth("official"),
        )
        assert restored.json()["status"] == "visible"
        assert len((await client.get("/api/v1/ratings")).json()["items"]) == 1


class TestWordList:
    async def test_officials_add_and_remove_words(self, client, auth):
        added = await client.post(
            "/api/v1/moderation/words", json={"word": "骗子"}, headers=auth("official")
        )
        assert added.status_code == 201, added.text
        duplicate = await client.post(
            "/api/v1/moderation/words", json={"word": "骗子"}, headers=auth("official")
        )
        assert duplicate.status_code == 409
        rating = await rate(client, auth(), 1, comment="这家店是骗子")
        assert rating["comment_status"] == "pending"
        words = (
            await client.get("/api/v1/moderation/words", headers=auth("official"))
        ).json()
        assert any(w["word"] == "骗子" and not w["builtin"] for w in words)
        assert (
            await client.delete(
                f"/api/v1/moderation/words/{added.json()['id']}",
                headers=auth("official"),
            )
        ).status_code == 204
        later = await rate(client, auth(sub="other"), 1, comment="这家店是骗子")
        assert later["comment_status"] == "published"
