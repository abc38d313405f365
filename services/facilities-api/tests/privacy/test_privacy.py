"""A resident's data in facilities-api: the resident reads all of it, nobody else can, and the
account's deletion erases it while the figures evaluations rest on stay as they were."""

from __future__ import annotations

from datetime import timedelta

import httpx

from facilities_api.privacy.consumer import gateway_consumer
from facilities_api.privacy.service import erase_account
from facilities_api.special_requests.sweeper import PersonalDataSweeper
from tests.factories import local

REQUEST = {
    "special_group": "disabled",
    "kind": "home_delivery",
    "description": "左腿截肢，轮椅出行，希望送盲文书上门",
    "address": "东城区景山东街12号院3号楼2单元401",
    "phone": "13812345678",
    "preferred_time": "工作日上午",
    "health_notes": "糖尿病，需低糖饮食",
}


async def _history(world, client, clock):
    """resident-1 booked two activities (attended the first), asked for a home delivery that was done,
    and another still open; resident-2 booked the first activity too."""
    f = await world.facility()
    await world.operate(f["id"], operator_id=7)
    held = await world.activity(f["id"], world.operator(7))
    later = await world.activity(
        f["id"], world.operator(7), starts_at=local(28, 14).isoformat(), ends_at=local(28, 16).isoformat()
    )
    b1 = await world.book(held["id"], world.resident(1))
    await world.book(later["id"], world.resident(1))
    await world.book(held["id"], world.resident(2))
    done = (
        await client.post(
            "/api/v1/special-requests", json={**REQUEST, "facility_id": f["id"]}, headers=world.resident(1)
        )
    ).json()
    still_open = (
        await client.post(
            "/api/v1/special-requests", json={**REQUEST, "facility_id": f["id"]}, headers=world.resident(1)
        )
    ).json()
    for action, headers, body in (
        ("verify", world.official, None),
        ("assign", world.official, {}),
        ("schedule", world.operator(7), {"scheduled_for": local(21, 10).isoformat(), "note": "送到401"}),
    ):
        resp = await client.post(f"/api/v1/special-requests/{done['id']}/{action}", json=body, headers=headers)
        assert resp.status_code == 200, resp.text
    clock.fixed = local(21, 13, 50)
    assert (
        await client.post(
            f"/api/v1/activities/{held['id']}/check-ins", json={"code": b1["check_in_code"]}, headers=world.operator(7)
        )
    ).status_code == 201
    resp = await client.post(
        f"/api/v1/special-requests/{done['id']}/complete", json={"note": "已送达"}, headers=world.operator(7)
    )
    assert resp.status_code == 200, resp.text
    clock.fixed = local(22, 9)
    return f, held, later, done, still_open


async def _figures(client, world, facility_id):
    resp = await client.get(
        "/api/v1/stats/operations",
        params={"facility_id": facility_id, "from": "2026-11-01", "to": "2026-11-30"},
        headers=world.official,
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def _feed(*events):
    """The gateway's feed, as a transport answering every page with these events."""
    items = [
        {"type": t, "sequence": n, "data": d, "id": f"e{n}", "source": "gateway"} for n, (t, d) in enumerate(events, 1)
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/identity/events"
        after = int(request.url.params.get("after", 0))
        page = [e for e in items if e["sequence"] > after]
        return httpx.Response(200, json={"items": page, "next_after": page[-1]["sequence"] if page else after})

    return httpx.MockTransport(answer)


class TestExport:
    async def test_the_resident_sees_bookings_check_ins_and_requests_in_full(self, world, client, clock):
        _f, held, later, done, still_open = await _history(world, client, clock)

        resp = await client.get("/api/v1/personal-data", headers=world.resident(1))

        assert resp.status_code == 200, resp.text
        data = resp.json()
        assert [b["activity_id"] for b in data["bookings"]] == [held["id"], later["id"]]
        assert [c["activity_id"] for c in data["check_ins"]] == [held["id"]]
        assert [r["id"] for r in data["special_requests"]] == [done["id"], still_open["id"]]
        assert data["special_requests"][0]["description"] == REQUEST["description"]
        assert data["special_requests"][0]["phone"] == REQUEST["phone"]
        assert data["special_requests"][0]["health_notes"] == REQUEST["health_notes"]

    async def test_the_export_still_answers_after_the_retention_sweep(self, app, world, client, clock):
        _f, _held, _later, done, _open = await _history(world, client, clock)
        clock.fixed = local(22, 9) + timedelta(days=app.state.settings.special_request_retention_days + 1)
        assert await PersonalDataSweeper(app).sweep_once() == [done["id"]]

        resp = await client.get("/api/v1/personal-data", headers=world.resident(1))

        assert resp.status_code == 200, resp.text
        erased = next(r for r in resp.json()["special_requests"] if r["id"] == done["id"])
        assert erased["special_group"] is None and erased["health_notes"] == ""

    async def test_another_resident_sees_only_their_own(self, world, client, clock):
        _, held, *_ = await _history(world, client, clock)
        data = (await client.get("/api/v1/personal-data", headers=world.resident(2))).json()
        assert [b["activity_id"] for b in data["bookings"]] == [held["id"]]
        assert data["special_requests"] == [] and data["check_ins"] == []

    async def test_operators_officials_and_keys_cannot_call_it(self, world, client, auth):
        for headers in (
            world.operator(7),
            world.official,
            auth("auditor"),
            auth("operator", sub="apikey:3", operator_id=7, scopes=["operator:read"]),
            auth("integration", sub="apikey:4", scopes=["events:read"]),
        ):
            assert (await client.get("/api/v1/personal-data", headers=headers)).status_code == 403


class TestErasure:
    async def test_the_deleted_account_is_erased_and_the_figures_hold(self, app, world, client, clock, sessionmaker):
        f, held, _later, done, still_open = await _history(world, client, clock)
        before = await _figures(client, world, f["id"])
        booked = (await client.get(f"/api/v1/activities/{held['id']}/bookings", headers=world.official)).json()["items"]
        assert "居民1" in str(booked)
        assert "resident-1" in str(await world.events("booking.created", "checkin.recorded"))
        app.state.http = httpx.AsyncClient(
            transport=_feed(("account.deleted", {"account_id": "resident-1"})), base_url="http://gw"
        )
        app.state.settings.gateway_url = "http://gw"

        assert await gateway_consumer(app).poll_once() == 1

        assert await _figures(client, world, f["id"]) == before
        assert (before["bookings"], before["participants"], before["special_group_services_done"]) == (3, 1, 1)
        mine = (await client.get("/api/v1/personal-data", headers=world.resident(1))).json()
        assert mine == {"service": "facilities-api", "bookings": [], "check_ins": [], "special_requests": []}
        booked = (await client.get(f"/api/v1/activities/{held['id']}/bookings", headers=world.official)).json()["items"]
        assert len(booked) == 2 and "居民1" not in str(booked)
        for r in (done, still_open):
            seen = (await client.get(f"/api/v1/special-requests/{r['id']}", headers=world.official)).json()
            assert seen["phone"] == "" and seen["address"] == "" and seen["description"] == ""
            assert "截肢" not in str(seen) and "送到401" not in str(seen)
            # Sensitive personal information goes too: the health notes and the special group.
            assert seen["health_notes"] in ("", None) and seen["special_group"] is None
        assert (await client.get(f"/api/v1/special-requests/{done['id']}", headers=world.official)).json()[
            "status"
        ] == "done"
        assert (await client.get(f"/api/v1/special-requests/{still_open['id']}", headers=world.official)).json()[
            "status"
        ] == "cancelled"
        [cancelled] = [
            e
            for e in await world.events("special_request.status_changed")
            if e["data"].get("reason") == "account_deleted"
        ]
        assert cancelled["data"]["request_id"] == still_open["id"]
        # The events already published name nobody either.
        published = await world.events()
        assert "resident-1" not in str(published)
        assert "resident-2" in str(published), "others' events are untouched"
        # resident-2's booking is untouched.
        assert len((await client.get("/api/v1/personal-data", headers=world.resident(2))).json()["bookings"]) == 1

    async def test_a_replayed_event_changes_nothing(self, app, world, client, clock, sessionmaker):
        f, *_ = await _history(world, client, clock)
        async with sessionmaker() as session:
            first = await erase_account(session, account_id="resident-1", now=clock.now())
            await session.commit()
        events = await world.events()
        figures = await _figures(client, world, f["id"])
        async with sessionmaker() as session:
            again = await erase_account(session, account_id="resident-1", now=clock.now())
            await session.commit()
        assert (first["bookings"], first["special_requests"]) == (2, 2) and first["events"] > 0
        assert again == {"bookings": 0, "special_requests": 0, "events": 0}
        assert await world.events() == events
        assert await _figures(client, world, f["id"]) == figures

    async def test_the_consumer_reads_each_event_once(self, app, world, client, clock):
        await _history(world, client, clock)
        app.state.http = httpx.AsyncClient(
            transport=_feed(("account.deleted", {"account_id": "resident-1"})), base_url="http://gw"
        )
        app.state.settings.gateway_url = "http://gw"
        consumer = gateway_consumer(app)
        assert await consumer.poll_once() == 1
        assert await consumer.poll_once() == 0
