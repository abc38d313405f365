"""The facility registry's promise to a new resident, through the gateway on real processes: find the
nearest open library to a point, book an activity there, be checked in at the door, take the activity
calendar home; and an official sees the coverage of every subdistrict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from icalendar import Calendar

from e2e.test_vertical_slice import sign_in

POINT = (39.9305, 116.4105)  # 交道口, north of the Forbidden City


def test_a_new_resident_finds_books_is_checked_in_and_takes_the_calendar_home(platform):
    with httpx.Client(base_url=platform.url, timeout=15) as client:
        assert (
            client.post(
                "/api/v1/auth/register",
                json={"username": "wang-wu", "password": "a-long-password", "display_name": "王五"},
            ).status_code
            == 202
        )
        resident = {
            "Authorization": "Bearer "
            + client.post("/api/v1/auth/token", data={"username": "wang-wu", "password": "a-long-password"}).json()[
                "access_token"
            ]
        }
        official = sign_in(client, "demo-official")

        nearest = client.get(
            "/api/v1/facilities",
            params={
                "near": f"{POINT[0]},{POINT[1]}",
                "radius_m": 3000,
                "kind": "public_library",
                "status": "open",
                "limit": 5,
            },
        ).json()["items"]
        assert nearest, "a library within 3 km of 交道口"
        distances = [f["distance_m"] for f in nearest]
        assert distances == sorted(distances)
        library = nearest[0]

        # An activity at that library starting in half an hour, so the door is open for check-in.
        starts = datetime.now(UTC) + timedelta(minutes=30)
        activity = client.post(
            "/api/v1/activities",
            json={
                "facility_id": library["id"],
                "title": "书海听涛·胡同里的老北京",
                "category": "reading",
                "brand": "书海听涛",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=1)).isoformat(),
                "capacity": 30,
                "publish": True,
            },
            headers=official,
        )
        assert activity.status_code == 201, activity.text
        activity_id = activity.json()["id"]

        booking = client.post(f"/api/v1/activities/{activity_id}/bookings", json={"seats": 1}, headers=resident)
        assert booking.status_code == 201, booking.text
        assert booking.json()["status"] == "confirmed"
        again = client.post(f"/api/v1/activities/{activity_id}/bookings", json={"seats": 1}, headers=resident)
        assert again.status_code == 409, "one booking per resident per activity"

        wrong = client.post(f"/api/v1/activities/{activity_id}/check-ins", json={"code": "ZZZZ9999"}, headers=official)
        assert wrong.status_code in (404, 422), wrong.text
        checked = client.post(
            f"/api/v1/activities/{activity_id}/check-ins",
            json={"code": booking.json()["check_in_code"]},
            headers=official,
        )
        assert checked.status_code in (200, 201), checked.text
        mine = client.get(f"/api/v1/bookings/{booking.json()['id']}", headers=resident).json()
        assert mine["checked_in_at"] is not None

        ics = client.get("/api/v1/activities.ics", params={"facility_id": library["id"]})
        assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
        events = [c for c in Calendar.from_ical(ics.content).walk("VEVENT")]
        assert "书海听涛·胡同里的老北京" in [str(e.get("summary")) for e in events]

        coverage = client.get("/api/v1/coverage/subdistricts", headers=official)
        assert coverage.status_code == 200, coverage.text
        assert len(coverage.json()["subdistricts"]) == 17
