"""Demand requests, tried as those the rules bind: an official cannot mark a request delivered by an
activity that did not take place (and a cancelled activity reopens what it delivered); the operator
running a facility reads what residents ask of it, masked, and nothing else; a resident cannot send a
request to another subdistrict's officials; a subdistrict official files and answers within it."""

from __future__ import annotations

from datetime import UTC, datetime

OPERATOR_7 = {"role": "operator", "operator_id": 7, "sub": "staff-7"}


async def _demand(client, headers, **overrides) -> dict:
    body = {
        "category": "elderly",
        "title": "希望开设老年人智能手机培训，联系 13812345678",
        "community": "jingshan-1",
        "facility_id": 2,
        **overrides,
    }
    resp = await client.post("/api/v1/demands", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    return {**resp.json(), "etag": resp.headers["etag"]}


async def _answer(client, demand: dict, headers: dict, **body):
    fresh = await client.get(f"/api/v1/demands/{demand['id']}", headers=headers)
    return await client.post(
        f"/api/v1/demands/{demand['id']}/answer",
        json=body,
        headers={**headers, "If-Match": fresh.headers["etag"]},
    )


class TestDeliveredOnlyByAnActivityHeld:
    async def test_an_activity_still_to_come_delivers_nothing(self, client, auth):
        demand = await _demand(client, auth(sub="r-1"))
        resp = await _answer(
            client, demand, auth("official"), status="delivered", activity_id=12
        )  # next week
        assert (
            resp.status_code == 422
            and resp.json()["errors"][0]["field"] == "activity_id"
        )
        assert "has not been held" in resp.json()["errors"][0]["message"]
        assert (
            await client.get(
                f"/api/v1/demands/{demand['id']}", headers=auth("official")
            )
        ).json()["status"] == "submitted"

    async def test_a_cancelled_activity_delivers_nothing_even_if_it_was_looked_up_a_moment_ago(
        self, client, auth, standin
    ):
        demand = await _demand(client, auth(sub="r-1"))
        # feedback-api remembers activity 11 (held yesterday) from a rating...
        assert (
            await client.post(
                "/api/v1/ratings",
                json={"target_type": "activity", "target_id": 11, "overall": 5},
                headers=auth(sub="r-2"),
            )
        ).status_code == 201
        standin.activities[11]["status"] = (
            "cancelled"  # ...and then facilities-api cancels it
        )
        resp = await _answer(
            client, demand, auth("official"), status="delivered", activity_id=11
        )
        assert (
            resp.status_code == 422
            and "cancelled" in resp.json()["errors"][0]["message"]
        )

    async def test_an_activity_held_delivers_it(self, client, auth):
        demand = await _demand(client, auth(sub="r-1"))
        resp = await _answer(
            client, demand, auth("official"), status="delivered", activity_id=11
        )
        assert resp.status_code == 200 and resp.json()["status"] == "delivered"


class TestACancelledActivityReopensWhatItDelivered:
    async def test_reopened_once_with_the_reason_in_the_history(
        self, client, auth, app, standin
    ):
        first = await _demand(client, auth(sub="r-1"))
        second = await _demand(
            client, auth(sub="r-2"), category="reading", title="亲子阅读"
        )
        untouched = await _demand(
            client, auth(sub="r-3"), category="film", title="露天电影"
        )
        for d in (first, second):
            assert (
                await _answer(
                    client, d, auth("official"), status="delivered", activity_id=11
                )
            ).status_code == 200
        standin.cancel_activity(11, reason="主讲人未到场，活动未举行")
        assert await app.state.facilities_consumer.poll_once() == 1
        for d in (first, second):
            read = (
                await client.get(f"/api/v1/demands/{d['id']}", headers=auth("official"))
            ).json()
            assert (read["status"], read["activity_id"]) == ("planned", None)
            last = read["history"][-1]
            assert (
                last["action"],
                last["from_status"],
                last["to_status"],
                last["activity_id"],
            ) == ("reopen", "delivered", "planned", 11)
            assert "主讲人未到场" in last["note"]
        assert (
            await client.get(
                f"/api/v1/demands/{untouched['id']}", headers=auth("official")
            )
        ).json()["status"] == "submitted"
        events = (
            await client.get(
                "/api/v1/events",
                params={"types": "demand.reopened"},
                headers=auth("official"),
            )
        ).json()["items"]
        assert sorted(e["data"]["id"] for e in events) == sorted(
            [first["id"], second["id"]]
        )

    async def test_the_same_event_twice_changes_nothing_more(
        self, client, auth, sessionmaker, standin
    ):
        from feedback_api.demand.service import on_activity_cancelled

        demand = await _demand(client, auth(sub="r-1"))
        assert (
            await _answer(
                client, demand, auth("official"), status="delivered", activity_id=11
            )
        ).status_code == 200
        event = standin.cancel_activity(11)
        for _ in range(2):
            async with sessionmaker() as session:
                await on_activity_cancelled(session, event)
                await session.commit()
        read = (
            await client.get(
                f"/api/v1/demands/{demand['id']}", headers=auth("official")
            )
        ).json()
        assert [h["action"] for h in read["history"]] == ["submit", "answer", "reopen"]
        # The request can be delivered again, by an activity that takes place.
        standin.activity(14, 2, starts_at=datetime(2026, 11, 20, 6, 0, tzinfo=UTC))
        assert (
            await _answer(
                client, demand, auth("official"), status="delivered", activity_id=14
            )
        ).status_code == 200


class TestTheOperatorOfTheFacility:
    async def _runs_facility_2(self, app, standin):
        standin.operator_changed(2, 7)
        await app.state.facilities_consumer.poll_once()

    async def test_reads_the_requests_for_its_facilities_masked(
        self, client, auth, app, standin
    ):
        await self._runs_facility_2(app, standin)
        mine = await _demand(
            client,
            auth(sub="r-1"),
            description="我是独居老人，身份证 110101195001011234",
        )
        await _demand(
            client, auth(sub="r-2"), facility_id=3, community="donghuamen-1"
        )  # run by operator 8
        await _demand(client, auth(sub="r-3"), facility_id=None)
        listed = (
            await client.get("/api/v1/demands", headers=auth(**OPERATOR_7))
        ).json()["items"]
        assert [d["id"] for d in listed] == [mine["id"]]
        assert (
            "13812345678" not in listed[0]["title"]
            and "138****5678" in listed[0]["title"]
        )
        assert "110101195001011234" not in listed[0]["description"]
        one = await client.get(
            f"/api/v1/demands/{mine['id']}", headers=auth(**OPERATOR_7)
        )
        assert one.status_code == 200 and "13812345678" not in one.text
        # The officials of the area read it as written.
        assert (
            "13812345678"
            in (
                await client.get(
                    f"/api/v1/demands/{mine['id']}", headers=auth("official")
                )
            ).json()["title"]
        )

    async def test_another_operator_reads_none_of_them(
        self, client, auth, app, standin
    ):
        await self._runs_facility_2(app, standin)
        demand = await _demand(client, auth(sub="r-1"))
        other = auth("operator", operator_id=8)
        assert (await client.get("/api/v1/demands", headers=other)).json()[
            "items"
        ] == []
        assert (
            await client.get(f"/api/v1/demands/{demand['id']}", headers=other)
        ).status_code == 404

    async def test_its_systems_read_them_with_operator_read_only(
        self, client, auth, app, standin
    ):
        await self._runs_facility_2(app, standin)
        await _demand(client, auth(sub="r-1"))
        narrow = auth(
            "operator", operator_id=7, sub="apikey:41", scopes=["activities:write"]
        )
        assert (await client.get("/api/v1/demands", headers=narrow)).status_code == 403
        reader = auth(
            "operator", operator_id=7, sub="apikey:42", scopes=["operator:read"]
        )
        assert (
            len((await client.get("/api/v1/demands", headers=reader)).json()["items"])
            == 1
        )

    async def test_answers_nothing(self, client, auth, app, standin):
        await self._runs_facility_2(app, standin)
        demand = await _demand(client, auth(sub="r-1"))
        resp = await _answer(
            client, demand, auth(**OPERATOR_7), status="delivered", activity_id=11
        )
        assert resp.status_code == 403

    async def test_a_facility_it_no_longer_runs_is_no_longer_its(
        self, client, auth, app, standin
    ):
        await self._runs_facility_2(app, standin)
        await _demand(client, auth(sub="r-1"))
        standin.operator_changed(2, 9)
        await app.state.facilities_consumer.poll_once()
        assert (await client.get("/api/v1/demands", headers=auth(**OPERATOR_7))).json()[
            "items"
        ] == []


class TestTheArea:
    async def test_a_resident_cannot_send_a_facilitys_request_to_another_subdistrict(
        self, client, auth
    ):
        resp = await client.post(
            "/api/v1/demands",
            json={
                "category": "film",
                "title": "露天电影",
                "facility_id": 2,
                "subdistrict": "donghuamen",
            },
            headers=auth(sub="r-1"),
        )
        assert (
            resp.status_code == 422
            and resp.json()["errors"][0]["field"] == "subdistrict"
        )

    async def test_a_subdistrict_official_files_for_its_own_communities_only(
        self, client, auth
    ):
        jingshan = auth("official", subdistrict="jingshan")
        body = {
            "category": "film",
            "title": "社区露天电影",
            "on_behalf_of_community": True,
        }
        elsewhere = await client.post(
            "/api/v1/demands",
            json={**body, "community": "donghuamen-1"},
            headers=jingshan,
        )
        assert elsewhere.status_code == 403
        own = await client.post(
            "/api/v1/demands",
            json={**body, "community": "jingshan-2"},
            headers=jingshan,
        )
        assert own.status_code == 201

    async def test_a_subdistrict_official_answers_its_own_only(self, client, auth):
        demand = await _demand(
            client, auth(sub="r-1"), facility_id=3, community="donghuamen-1"
        )
        resp = await _answer(
            client, demand, auth("official", subdistrict="donghuamen"), status="planned"
        )
        assert resp.status_code == 200
        other = await _demand(client, auth(sub="r-1"))
        fresh_etag = other["etag"]
        resp = await client.post(
            f"/api/v1/demands/{other['id']}/answer",
            json={"status": "planned"},
            headers={
                **auth("official", subdistrict="donghuamen"),
                "If-Match": fresh_etag,
            },
        )
        assert resp.status_code == 404

    async def test_a_resident_posting_an_answer_gets_403_not_the_fields(
        self, client, auth
    ):
        demand = await _demand(client, auth(sub="r-1"))
        resp = await client.post(
            f"/api/v1/demands/{demand['id']}/answer",
            json={},
            headers={**auth(sub="r-1"), "If-Match": demand["etag"]},
        )
        assert resp.status_code == 403 and "errors" not in resp.json()
