"""A cancelled activity cancels its bookings: the resident reads why on the booking, the code no longer
checks anyone in (an operator cannot count attendance at an activity it called off), and each booking
is announced, in the transaction that cancels the activity."""

from __future__ import annotations

from tests.factories import local


async def _booked(world, client):
    f = await world.facility()
    await world.operate(f["id"], operator_id=7)
    a = await world.activity(f["id"], headers=world.operator(7), capacity=1)
    confirmed = await world.book(a["id"], world.resident(1))
    waiting = await world.book(a["id"], world.resident(2))
    assert (confirmed["status"], waiting["status"]) == ("confirmed", "waitlisted")
    return a, confirmed, waiting


class TestCancellingAnActivity:
    async def test_each_booking_is_cancelled_with_the_reason_the_resident_reads(self, world, client):
        a, confirmed, waiting = await _booked(world, client)
        resp = await client.post(
            f"/api/v1/activities/{a['id']}/cancel", json={"reason": "因暴雨取消"}, headers=world.operator(7)
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["status"] == "cancelled" and resp.json()["booked_seats"] == 0
        for n, booking in ((1, confirmed), (2, waiting)):
            mine = (await client.get(f"/api/v1/bookings/{booking['id']}", headers=world.resident(n))).json()
            assert (mine["status"], mine["cancel_reason"], mine["cancel_note"]) == (
                "cancelled",
                "activity_cancelled",
                "因暴雨取消",
            )
            assert mine["check_in_code"] is None

    async def test_the_code_no_longer_checks_in(self, world, client, clock):
        a, confirmed, _ = await _booked(world, client)
        await client.post(
            f"/api/v1/activities/{a['id']}/cancel", json={"reason": "讲师生病"}, headers=world.operator(7)
        )
        clock.fixed = local(21, 14)
        resp = await client.post(
            f"/api/v1/activities/{a['id']}/check-ins",
            json={"code": confirmed["check_in_code"]},
            headers=world.operator(7),
        )
        assert resp.status_code == 422
        booking = (await client.get(f"/api/v1/bookings/{confirmed['id']}", headers=world.resident(1))).json()
        assert booking["checked_in_at"] is None and booking["attendance"] == "not_applicable"

    async def test_one_booking_cancelled_event_each_besides_activity_cancelled(self, world, client):
        a, confirmed, waiting = await _booked(world, client)
        await client.post(
            f"/api/v1/activities/{a['id']}/cancel", json={"reason": "场馆维修"}, headers=world.operator(7)
        )
        cancelled = await world.events("booking.cancelled")
        assert sorted((e["data"]["booking_id"], e["data"]["was"], e["data"]["reason"]) for e in cancelled) == [
            (confirmed["id"], "confirmed", "activity_cancelled"),
            (waiting["id"], "waitlisted", "activity_cancelled"),
        ]
        [activity_event] = await world.events("activity.cancelled")
        assert activity_event["data"]["bookings"] == {"confirmed": 1, "waitlisted": 1}

    async def test_a_resident_cancelling_their_own_booking_reads_that_they_did(self, world, client):
        _, confirmed, _ = await _booked(world, client)
        resp = await client.post(f"/api/v1/bookings/{confirmed['id']}/cancel", headers=world.resident(1))
        assert (resp.json()["status"], resp.json()["cancel_reason"]) == ("cancelled", "resident")
