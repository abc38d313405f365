"""Bookings as residents and door staff meet them: seats while they last, a waitlist that moves up in
order, cancellation before the cut-off, check-in with the code the resident shows, no-shows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import NOW, local


async def _booking(client, booking_id, headers):
    return (await client.get(f"/api/v1/bookings/{booking_id}", headers=headers)).json()


class TestBook:
    async def test_a_resident_books_and_sees_the_code_to_show(self, world, client):
        f = await world.facility()
        a = await world.activity(f["id"])
        b = await world.book(a["id"], world.resident(1), seats=2)
        assert (b["status"], b["seats"], b["resident_name"]) == ("confirmed", 2, "居民1")
        assert len(b["check_in_code"]) == 8
        assert (await client.get(f"/api/v1/activities/{a['id']}")).json()["seats_left"] == 28
        assert (await client.get(f"/api/v1/bookings/{b['id']}", headers=world.official)).json()["check_in_code"] is None
        assert [x["id"] for x in (await client.get("/api/v1/bookings", headers=world.resident(1))).json()["items"]] == [
            b["id"]
        ]
        assert (await client.get("/api/v1/bookings", headers=world.resident(2))).json()["items"] == []
        [event] = await world.events("booking.created")
        assert event["data"] == {
            "booking_id": b["id"],
            "activity_id": a["id"],
            "facility_id": f["id"],
            "resident_sub": "resident-1",
            "seats": 2,
            "status": "confirmed",
            "created_at": NOW.isoformat(),
        }

    async def test_when_full_residents_wait_in_line(self, world, client):
        f = await world.facility()
        a = await world.activity(f["id"], capacity=2)
        statuses = [(await world.book(a["id"], world.resident(n)))["status"] for n in range(4)]
        assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
        mine = (await client.get("/api/v1/bookings", headers=world.resident(3))).json()["items"][0]
        assert mine["waitlist_position"] == 2

    async def test_a_bigger_party_waits_and_nobody_jumps_the_line(self, world, client):
        f = await world.facility()
        a = await world.activity(f["id"], capacity=3)
        await world.book(a["id"], world.resident(1), seats=2)
        assert (await world.book(a["id"], world.resident(2), seats=2))["status"] == "waitlisted"
        assert (await world.book(a["id"], world.resident(3), seats=1))["status"] == "waitlisted"

    async def test_booking_twice_is_409_and_keeps_one_booking(self, world, client):
        f = await world.facility()
        a = await world.activity(f["id"])
        await world.book(a["id"], world.resident(1))
        again = await world.book(a["id"], world.resident(1), status=409)
        assert again["errors"][0] == {
            "field": "activity_id",
            "message": "One booking per resident per activity.",
            "code": "already-booked",
        }
        assert (await client.get(f"/api/v1/activities/{a['id']}")).json()["booked_seats"] == 1

    async def _refused(self, world, client, activity_id, code, headers=None, status=422, **body):
        problem = await world.book(activity_id, headers or world.resident(9), status=status, **body)
        if code:
            assert problem["errors"][0]["code"] == code
        assert (await client.get("/api/v1/bookings", headers=headers or world.resident(9))).json()["items"] == []

    async def test_a_cancelled_activity_cannot_be_booked(self, world, client):
        f = await world.facility()
        a = await world.activity(f["id"])
        await client.post(f"/api/v1/activities/{a['id']}/cancel", json={"reason": "停电"}, headers=world.official)
        await self._refused(world, client, a["id"], "activity-cancelled")

    async def test_a_past_activity_cannot_be_booked(self, world, client, clock):
        f = await world.facility()
        a = await world.activity(f["id"])
        clock.fixed = NOW + timedelta(days=2)
        await self._refused(world, client, a["id"], "activity-past")

    async def test_before_booking_opens(self, world, client):
        f = await world.facility()
        a = await world.activity(f["id"], booking_opens_at=local(21, 8).isoformat())
        await self._refused(world, client, a["id"], "booking-not-open")

    async def test_too_many_seats(self, world, client):
        f = await world.facility()
        a = await world.activity(f["id"])
        await self._refused(world, client, a["id"], "too-many-seats", seats=6)

    async def test_staff_do_not_book(self, world, client):
        f = await world.facility()
        a = await world.activity(f["id"])
        await self._refused(world, client, a["id"], None, headers=world.official, status=403)

    async def test_a_draft_cannot_be_booked(self, world, client):
        f = await world.facility()
        a = await world.activity(f["id"], publish=False)
        await self._refused(world, client, a["id"], None, status=404)


class TestCancelBooking:
    async def test_cancelling_moves_the_waitlist_up_in_order(self, world, client):
        f = await world.facility()
        a = await world.activity(f["id"], capacity=1)
        first = await world.book(a["id"], world.resident(1))
        second = await world.book(a["id"], world.resident(2))
        third = await world.book(a["id"], world.resident(3))
        resp = await client.post(f"/api/v1/bookings/{first['id']}/cancel", headers=world.resident(1))
        assert resp.status_code == 200
        assert resp.json()["status"] == "cancelled"
        assert (await _booking(client, second["id"], world.resident(2)))["status"] == "confirmed"
        third_now = await _booking(client, third["id"], world.resident(3))
        assert (third_now["status"], third_now["waitlist_position"]) == ("waitlisted", 1)
        assert [e["data"]["was"] for e in await world.events("booking.cancelled")] == ["confirmed"]
        assert [e["data"]["booking_id"] for e in await world.events("booking.promoted")] == [second["id"]]

    async def test_after_the_cut_off_a_confirmed_seat_is_kept(self, world, client, clock):
        f = await world.facility()
        a = await world.activity(f["id"], cancel_cutoff_minutes=120)
        b = await world.book(a["id"], world.resident(1))
        clock.fixed = local(21, 12, 30)
        resp = await client.post(f"/api/v1/bookings/{b['id']}/cancel", headers=world.resident(1))
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["code"] == "past-cancellation-cutoff"
        assert (await _booking(client, b["id"], world.resident(1)))["status"] == "confirmed"

    async def test_someone_else_cannot_cancel_my_booking(self, world, client):
        f = await world.facility()
        a = await world.activity(f["id"])
        b = await world.book(a["id"], world.resident(1))
        assert (await client.post(f"/api/v1/bookings/{b['id']}/cancel", headers=world.resident(2))).status_code == 404
        assert (await _booking(client, b["id"], world.resident(1)))["status"] == "confirmed"

    async def test_cancel_twice_is_409_and_book_again_works(self, world, client):
        f = await world.facility()
        a = await world.activity(f["id"])
        b = await world.book(a["id"], world.resident(1))
        assert (await client.post(f"/api/v1/bookings/{b['id']}/cancel", headers=world.resident(1))).status_code == 200
        assert (await client.post(f"/api/v1/bookings/{b['id']}/cancel", headers=world.resident(1))).status_code == 409
        again = await world.book(a["id"], world.resident(1))
        assert again["status"] == "confirmed" and again["check_in_code"] != b["check_in_code"]


class TestCheckIn:
    async def _booked(self, world, clock):
        f = await world.facility()
        await world.operate(f["id"], operator_id=7)
        a = await world.activity(f["id"], world.operator(7))
        b = await world.book(a["id"], world.resident(1))
        clock.fixed = local(21, 13, 50)
        return f, a, b

    async def test_the_operator_checks_in_with_the_code_shown(self, world, client, clock):
        f, a, b = await self._booked(world, clock)
        shown = b["check_in_code"][:4] + "-" + b["check_in_code"][4:].lower()
        resp = await client.post(
            f"/api/v1/activities/{a['id']}/check-ins", json={"code": shown}, headers=world.operator(7)
        )
        assert resp.status_code == 201, resp.text
        assert resp.json()["attendance"] == "checked_in"
        [event] = await world.events("checkin.recorded")
        assert event["data"] == {
            "booking_id": b["id"],
            "activity_id": a["id"],
            "facility_id": f["id"],
            "resident_sub": "resident-1",
            "checked_in_at": local(21, 13, 50).astimezone(NOW.tzinfo).isoformat(),
        }

    async def test_a_wrong_code_is_refused_and_nothing_recorded(self, world, client, clock):
        _, a, b = await self._booked(world, clock)
        resp = await client.post(
            f"/api/v1/activities/{a['id']}/check-ins", json={"code": "WRONG123"}, headers=world.operator(7)
        )
        assert resp.status_code == 422
        assert resp.json()["errors"][0] == {
            "field": "code",
            "message": "No booking at this activity has that code.",
            "code": "wrong-check-in-code",
        }
        assert (await _booking(client, b["id"], world.resident(1)))["checked_in_at"] is None
        assert await world.events("checkin.recorded") == []

    async def test_twice_is_409(self, world, client, clock):
        _, a, b = await self._booked(world, clock)
        url = f"/api/v1/activities/{a['id']}/check-ins"
        assert (await client.post(url, json={"code": b["check_in_code"]}, headers=world.operator(7))).status_code == 201
        assert (await client.post(url, json={"code": b["check_in_code"]}, headers=world.operator(7))).status_code == 409
        assert len(await world.events("checkin.recorded")) == 1

    async def test_another_operator_cannot_check_in(self, world, client, clock):
        _, a, b = await self._booked(world, clock)
        resp = await client.post(
            f"/api/v1/activities/{a['id']}/check-ins", json={"code": b["check_in_code"]}, headers=world.operator(8)
        )
        assert resp.status_code == 403

    async def test_not_before_the_doors_open(self, world, client, clock):
        _, a, b = await self._booked(world, clock)
        clock.fixed = local(21, 12, 0)
        resp = await client.post(
            f"/api/v1/activities/{a['id']}/check-ins", json={"code": b["check_in_code"]}, headers=world.operator(7)
        )
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["code"] == "check-in-closed"

    async def test_no_shows_are_counted_after_the_end(self, world, client, clock):
        _, a, b = await self._booked(world, clock)
        other = await world.book(a["id"], world.resident(2))
        await client.post(
            f"/api/v1/activities/{a['id']}/check-ins", json={"code": b["check_in_code"]}, headers=world.operator(7)
        )
        clock.fixed = local(21, 17)
        assert (await _booking(client, b["id"], world.resident(1)))["attendance"] == "checked_in"
        assert (await _booking(client, other["id"], world.resident(2)))["attendance"] == "no_show"
        staff_view = (await client.get(f"/api/v1/activities/{a['id']}/bookings", headers=world.operator(7))).json()[
            "items"
        ]
        assert sorted(x["attendance"] for x in staff_view) == ["checked_in", "no_show"]
        assert all(x["check_in_code"] is None for x in staff_view)


class TestBookingVisibility:
    @pytest.mark.parametrize(("who", "sees"), [("resident", 1), ("operator", 2), ("other_operator", 0), ("auditor", 2)])
    async def test_who_sees_which_bookings(self, world, client, who, sees):
        f = await world.facility()
        await world.operate(f["id"], operator_id=7)
        a = await world.activity(f["id"])
        await world.book(a["id"], world.resident(1))
        await world.book(a["id"], world.resident(2))
        headers = {
            "resident": world.resident(1),
            "operator": world.operator(7),
            "other_operator": world.operator(8),
            "auditor": world.auth("auditor"),
        }[who]
        assert len((await client.get("/api/v1/bookings", headers=headers)).json()["items"]) == sees
