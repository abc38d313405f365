"""Abuse resistance: per-resident limits, and bursts on one target from new accounts or one network."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from feedback_api.ratings.models import Rating
from tests.factories import rate, rating_body


class TestPerResidentLimits:
    async def test_beyond_the_hourly_limit_is_429_and_nothing_is_saved(
        self, client, auth, app, standin
    ):
        app.state.settings.ratings_per_hour = 3
        for fid in (1, 2, 3):
            await rate(client, auth(), fid)
        standin.facility(4)
        resp = await client.post("/api/v1/ratings", json=rating_body(4), headers=auth())
        assert (
            resp.status_code == 429
            and resp.headers["content-type"] == "application/problem+json"
        )
        assert 1 <= int(resp.headers["retry-after"]) <= 3601
        assert (
            len(
                (await client.get("/api/v1/ratings/mine", headers=auth())).json()[
                    "items"
                ]
            )
            == 3
        )
        app.state.clock.fixed += timedelta(hours=1, seconds=1)
        await rate(client, auth(), 4)


class TestBursts:
    async def test_new_accounts_rating_one_target_at_once_are_held_from_the_index(
        self, client, auth, app, sessionmaker
    ):
        app.state.settings.burst_threshold = 3
        made = []
        for i in range(4):
            made.append(await rate(client, auth(sub=f"new-{i}"), 1, overall=5))
            app.state.clock.fixed += timedelta(minutes=2)
        assert [r["status"] for r in made][:2] == ["visible", "visible"]
        async with sessionmaker() as session:
            statuses = (
                (await session.execute(select(Rating.status).order_by(Rating.id)))
                .scalars()
                .all()
            )
        assert statuses == ["held"] * 4
        # held ratings are out of the public list and the index, and visible to officials
        assert (await client.get("/api/v1/ratings")).json()["items"] == []
        summary = (
            await client.get(
                "/api/v1/ratings/summary",
                params={"target_type": "facility", "target_id": 1},
            )
        ).json()
        assert summary["count"] == 0
        [burst] = (
            await client.get("/api/v1/moderation/bursts", headers=auth("official"))
        ).json()["items"]
        assert (
            burst["reason"],
            burst["rating_count"],
            burst["status"],
            burst["target_id"],
        ) == ("new_accounts", 4, "open", 1)
        held = (
            await client.get(
                "/api/v1/moderation/queue",
                params={"kind": "held"},
                headers=auth("auditor"),
            )
        ).json()["items"]
        assert len(held) == 4
        released = await client.post(
            f"/api/v1/moderation/bursts/{burst['id']}",
            json={"decision": "release"},
            headers=auth("official"),
        )
        assert released.status_code == 200 and released.json()["status"] == "released"
        summary = (
            await client.get(
                "/api/v1/ratings/summary",
                params={"target_type": "facility", "target_id": 1},
            )
        ).json()
        assert summary["count"] == 4
        again = await client.post(
            f"/api/v1/moderation/bursts/{burst['id']}",
            json={"decision": "hide"},
            headers=auth("official"),
        )
        assert again.status_code == 409

    async def test_one_network_is_a_burst_only_when_the_forwarded_address_is_trusted(
        self, client, auth, app, sessionmaker
    ):
        app.state.settings.burst_threshold = 3
        app.state.settings.new_account_days = (
            0  # nobody counts as new: only the network rule applies
        )
        for i in range(3):
            await client.post(
                "/api/v1/ratings",
                json=rating_body(2),
                headers={
                    **auth(sub=f"x-{i}"),
                    "X-Forwarded-For": f"203.0.113.{i}, 10.0.0.1",
                },
            )
        # Not trusted: the peer (the test client) is the network, and it is the same for all three.
        assert (
            len(
                (
                    await client.get(
                        "/api/v1/moderation/bursts", headers=auth("official")
                    )
                ).json()["items"]
            )
            == 1
        )
        bursts = (
            await client.get("/api/v1/moderation/bursts", headers=auth("official"))
        ).json()["items"]
        assert bursts[0]["reason"] == "one_network"
        await client.post(
            f"/api/v1/moderation/bursts/{bursts[0]['id']}",
            json={"decision": "hide"},
            headers=auth("official"),
        )
        app.state.settings.trust_forwarded = True
        for i in range(
            3
        ):  # three different client networks behind the gateway: no burst
            resp = await client.post(
                "/api/v1/ratings",
                json=rating_body(3),
                headers={**auth(sub=f"y-{i}"), "X-Forwarded-For": f"198.51.{i}.7"},
            )
            assert resp.json()["status"] == "visible"
        for i in range(3):  # one client network: a burst
            await client.post(
                "/api/v1/ratings",
                json=rating_body(1),
                headers={**auth(sub=f"z-{i}"), "X-Forwarded-For": "192.0.2.50"},
            )
        open_bursts = (
            await client.get(
                "/api/v1/moderation/bursts",
                params={"status": "open"},
                headers=auth("official"),
            )
        ).json()["items"]
        assert [(b["target_id"], b["rating_count"]) for b in open_bursts] == [(1, 3)]

    async def test_established_residents_are_not_a_burst(self, client, auth, app):
        app.state.settings.burst_threshold = 3
        app.state.settings.trust_forwarded = True
        for i in range(3):
            await client.post(
                "/api/v1/ratings",
                json=rating_body(3),
                headers={**auth(sub=f"old-{i}"), "X-Forwarded-For": f"198.51.{i}.1"},
            )
        app.state.clock.fixed += timedelta(days=8)
        for i in range(3):
            resp = await client.post(
                "/api/v1/ratings",
                json=rating_body(1),
                headers={**auth(sub=f"old-{i}"), "X-Forwarded-For": f"198.51.{i}.1"},
            )
            assert resp.json()["status"] == "visible"
