"""Residents' voice across the platform, through the gateway on real processes: a resident rates an
activity they attended (verified by facilities-api's check-in event) and one they did not; files a
complaint that is routed to the operator running the facility, answered, reopened, answered again and
closed; the same complaint is visible through Open311; the satisfaction index ranks facilities with
intervals."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx

from e2e.flows import active_contract, bearer, qualified_operator, wait_for


def test_ratings_verified_by_check_in_and_a_complaint_answered_by_the_operator(platform):
    facility_id = 31
    with httpx.Client(base_url=platform.url, timeout=15) as client:
        official = bearer(client, "demo-official")
        operator_id = qualified_operator(client, official, 1)
        active_contract(client, official, operator_id, facility_id)
        wait_for(
            lambda: client.get(f"/api/v1/facilities/{facility_id}").json()["operation"]["operator_id"] == operator_id,
            "the facility shows its operator",
        )
        staff = client.post(
            "/api/v1/users",
            json={
                "username": "op-staff-31",
                "password": "a-long-password",
                "display_name": "运营专员",
                "role": "operator",
                "operator_id": operator_id,
            },
            headers=official,
        )
        assert staff.status_code == 201, staff.text
        operator = bearer(client, "op-staff-31", "a-long-password")
        assert (
            client.post(
                "/api/v1/auth/register",
                json={"username": "zhao-liu", "password": "a-long-password", "display_name": "赵六"},
            ).status_code
            == 202
        )
        resident = bearer(client, "zhao-liu", "a-long-password")

        starts = datetime.now(UTC) + timedelta(seconds=20)
        activity_ids = []
        for title in ("书海听涛·读书会", "童心悦读·绘本故事会"):
            created = client.post(
                "/api/v1/activities",
                json={
                    "facility_id": facility_id,
                    "title": title,
                    "category": "reading",
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(hours=2)).isoformat(),
                    "capacity": 20,
                    "publish": True,
                },
                headers=official,
            )
            assert created.status_code == 201, created.text
            activity_ids.append(created.json()["id"])
        attended, skipped = activity_ids
        bookings = [
            client.post(f"/api/v1/activities/{a}/bookings", json={"seats": 1}, headers=resident) for a in activity_ids
        ]
        assert all(b.status_code == 201 for b in bookings), [b.text for b in bookings]
        checked = client.post(
            f"/api/v1/activities/{attended}/check-ins",
            json={"code": bookings[0].json()["check_in_code"]},
            headers=operator,
        )
        assert checked.status_code in (200, 201), checked.text

        time.sleep(max(0.0, (starts - datetime.now(UTC)).total_seconds()) + 1)  # ratings open once it has begun
        for activity_id, overall in ((attended, 5), (skipped, 3)):
            rated = client.post(
                "/api/v1/ratings",
                json={"target_type": "activity", "target_id": activity_id, "overall": overall},
                headers=resident,
            )
            assert rated.status_code == 201, rated.text

        def verified_flags():
            mine = client.get("/api/v1/ratings/mine", headers=resident).json()["items"]
            flags = {r["target_id"]: r["verified"] for r in mine}
            return flags if flags.get(attended) else None

        flags = wait_for(verified_flags, "the attended activity's rating becomes verified")
        assert flags == {attended: True, skipped: False}

        filed = client.post(
            "/api/v1/cases",
            json={
                "category": "activity_organisation",
                "target_type": "activity",
                "target_id": attended,
                "title": "签到排队太久",
                "description": "签到只开一个窗口，排了二十分钟😞",
                "contact": {"name": "赵六", "phone": "13912345678"},
            },
            headers=resident,
        )
        assert filed.status_code == 201, filed.text
        case = filed.json()
        assert case["assignee"] == {"type": "operator", "operator_id": operator_id}

        def step(action: str, who: dict[str, str], **body) -> dict:
            etag = client.get(f"/api/v1/cases/{case['id']}", headers=who).headers["etag"]
            resp = client.post(
                f"/api/v1/cases/{case['id']}/{action}", json=body or None, headers={**who, "If-Match": etag}
            )
            assert resp.status_code == 200, f"{action}: {resp.text}"
            return resp.json()

        unanswered_close = client.post(
            f"/api/v1/cases/{case['id']}/close",
            headers={
                **official,
                "If-Match": client.get(f"/api/v1/cases/{case['id']}", headers=official).headers["etag"],
            },
        )
        assert unanswered_close.status_code == 409
        step("respond", operator, text="已增加签到窗口。")
        step("reopen", resident, reason="今天仍然只有一个窗口。")
        step("respond", operator, text="已安排两名志愿者协助签到。")
        step("confirm", resident, answer_rating=5)
        closed = step("close", official)
        assert [s["to_status"] for s in closed["timeline"]] == [
            "submitted",
            "accepted",
            "assigned",
            "responded",
            "reopened",
            "responded",
            "confirmed",
            "closed",
        ]

        open311 = client.get(f"/open311/v2/requests/{case['id']}.json")
        assert open311.status_code == 200, open311.text
        [doc] = open311.json()
        assert doc["status"] == "closed" and doc["service_code"] == "activity_organisation"
        assert "13912345678" not in open311.text, "no personal data in the public Open311 view"

        overview = client.get("/api/v1/satisfaction").json()
        ranked = {row["key"]: row for row in overview["ranking"]}
        assert facility_id in ranked, overview["ranking"]
        assert ranked[facility_id]["ratings"]["wilson_low"] is not None
