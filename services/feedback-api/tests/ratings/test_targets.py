"""Ratings of activities and services, verification by check-ins, and the operator's reply."""

from __future__ import annotations

from datetime import UTC, datetime

from feedback_api.operations.service import on_operator_changed
from feedback_api.ratings.verification import on_checkin
from tests.factories import rate, rating_body


class TestRateActivitiesAndServices:
    async def test_an_activity_that_was_held_can_be_rated(self, client, auth):
        rating = await rate(client, auth(), 11, target_type="activity")
        assert (rating["target_type"], rating["target_id"], rating["facility_id"]) == (
            "activity",
            11,
            2,
        )

    async def test_an_activity_not_yet_held_or_cancelled_is_refused(
        self, client, auth, standin
    ):
        resp = await client.post(
            "/api/v1/ratings",
            json=rating_body(12, target_type="activity"),
            headers=auth(),
        )
        assert (
            resp.status_code == 422
            and resp.json()["errors"][0]["code"] == "activity-not-held"
        )
        standin.activity(
            13, 2, starts_at=datetime(2026, 11, 1, tzinfo=UTC), status="cancelled"
        )
        resp = await client.post(
            "/api/v1/ratings",
            json=rating_body(13, target_type="activity"),
            headers=auth(),
        )
        assert resp.status_code == 422
        missing = await client.post(
            "/api/v1/ratings",
            json=rating_body(99, target_type="activity"),
            headers=auth(),
        )
        assert missing.json()["errors"][0]["message"] == "no such activity: 99"

    async def test_a_service_is_named_with_its_facility(self, client, auth):
        rating = await rate(client, auth(), 21, target_type="service", facility_id=2)
        assert (rating["target_type"], rating["facility_id"]) == ("service", 2)
        no_facility = await client.post(
            "/api/v1/ratings",
            json=rating_body(21, target_type="service"),
            headers=auth(),
        )
        assert (
            no_facility.status_code == 422
            and no_facility.json()["errors"][0]["field"] == "facility_id"
        )
        elsewhere = await client.post(
            "/api/v1/ratings",
            json=rating_body(21, target_type="service", facility_id=1),
            headers=auth(),
        )
        assert (
            elsewhere.status_code == 422
            and elsewhere.json()["errors"][0]["message"] == "no such service: 21"
        )


class TestVerifiedByCheckins:
    async def test_a_checkin_verifies_earlier_and_later_ratings_of_that_activity_and_facility(
        self, client, auth, sessionmaker, standin
    ):
        attended = await rate(client, auth(sub="r-1"), 11, target_type="activity")
        facility = await rate(client, auth(sub="r-1"), 2)
        other = await rate(client, auth(sub="r-2"), 11, target_type="activity")
        assert not attended["verified"]
        event = standin.checkin(
            booking_id=501,
            activity_id=11,
            resident_sub="r-1",
            at=datetime(2026, 11, 22, 6, 5, tzinfo=UTC),
        )
        async with sessionmaker() as session:
            await on_checkin(session, event)
            await on_checkin(session, event)  # a replayed event changes nothing more
            await session.commit()
        mine = {
            r["id"]: r["verified"]
            for r in (
                await client.get("/api/v1/ratings/mine", headers=auth(sub="r-1"))
            ).json()["items"]
        }
        assert mine == {attended["id"]: True, facility["id"]: True}
        assert (await client.get(f"/api/v1/ratings/{other['id']}")).json()[
            "verified"
        ] is False
        later = await rate(
            client, auth(sub="r-1"), 21, target_type="service", facility_id=2
        )
        assert later["verified"] is True
        verified_only = (
            await client.get("/api/v1/ratings", params={"verified": "true"})
        ).json()["items"]
        assert {r["id"] for r in verified_only} == {
            attended["id"],
            facility["id"],
            later["id"],
        }

    async def test_the_feed_consumer_applies_facilities_events(
        self, app, client, auth, standin, sessionmaker
    ):
        standin.checkin(
            booking_id=502,
            activity_id=11,
            resident_sub="r-9",
            at=datetime(2026, 11, 22, 6, 5, tzinfo=UTC),
        )
        standin.operator_changed(1, 9)
        assert await app.state.facilities_consumer.poll_once() == 2
        assert await app.state.facilities_consumer.poll_once() == 0
        rating = await rate(client, auth(sub="r-9"), 11, target_type="activity")
        assert rating["verified"] is True
        # facility 1 is now run by operator 9: its new ratings count for operator 9.
        created = await rate(client, auth(sub="r-9"), 1)
        events = (
            await client.get(
                "/api/v1/events",
                params={"types": "rating.created"},
                headers=auth("official"),
            )
        ).json()["items"]
        assert [
            e["data"]["operator_id"] for e in events if e["data"]["id"] == created["id"]
        ] == [9]

    async def test_operator_changes_update_the_local_map(
        self, client, auth, sessionmaker, standin
    ):
        await rate(
            client, auth(sub="a"), 2
        )  # the map learns facility 2 → operator 7 from a lookup
        async with sessionmaker() as session:
            await on_operator_changed(session, standin.operator_changed(2, None))
            await session.commit()
        created = await rate(client, auth(sub="b"), 2)
        assert created["facility_id"] == 2
        reply = await client.post(
            f"/api/v1/ratings/{created['id']}/reply",
            json={"text": "谢谢"},
            headers=auth("operator", operator_id=7),
        )
        assert reply.status_code == 403, (
            "a government-run facility's ratings are not operator 7's any more"
        )


class TestOperatorReply:
    async def test_the_operator_replies_once_publicly(self, client, auth):
        rating = await rate(client, auth(), 2)
        resp = await client.post(
            f"/api/v1/ratings/{rating['id']}/reply",
            json={"text": "感谢肯定！有事请拨 13812345678"},
            headers=auth("operator", operator_id=7),
        )
        assert resp.status_code == 200, resp.text
        public = (await client.get(f"/api/v1/ratings/{rating['id']}")).json()
        assert public["reply"]["text"] == "感谢肯定！有事请拨 138****5678"
        assert public["reply"]["operator_id"] == 7
        again = await client.post(
            f"/api/v1/ratings/{rating['id']}/reply",
            json={"text": "再次感谢"},
            headers=auth("operator", operator_id=7),
        )
        assert again.status_code == 409
        assert (
            (await client.get(f"/api/v1/ratings/{rating['id']}"))
            .json()["reply"]["text"]
            .startswith("感谢肯定")
        )

    async def test_only_the_operator_running_the_facility_replies(self, client, auth):
        rating = await rate(client, auth(), 2)
        for headers in (auth("operator", operator_id=8), auth("official"), auth()):
            resp = await client.post(
                f"/api/v1/ratings/{rating['id']}/reply",
                json={"text": "谢谢"},
                headers=headers,
            )
            assert resp.status_code == 403
        assert (await client.get(f"/api/v1/ratings/{rating['id']}")).json()[
            "reply"
        ] is None
