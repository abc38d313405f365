"""A resident's rights under the Personal Information Protection Law (个人信息保护法), through the gateway
on real processes: a resident books and attends, rates, complains, asks for a home visit and a new
service, downloads everything the platform holds on them, and deletes the account; each service then
erases or unlinks what it held, while the figures statistics and evaluations rest on stay the same.
The adversaries: another resident, operator staff and officials trying to read or delete someone
else's data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx

from e2e.flows import wait_for

PASSWORD = "a-reading-room-on-weekdays"
PHONE = "13712345678"
COMMENT = "我家就在隔壁胡同，孩子每周六来借书"


def _past_throttle(send) -> httpx.Response:
    """The answer to a sign-in or sign-up, once the gateway's per-address throttle lets it through."""
    return wait_for(lambda: (r := send()).status_code != 429 and r, "the sign-in throttle let the attempt through")


def _sign_in(client: httpx.Client, login: str, password: str) -> httpx.Response:
    return _past_throttle(lambda: client.post("/api/v1/auth/token", data={"username": login, "password": password}))


def bearer(client: httpx.Client, login: str, password: str = "demo-password") -> dict[str, str]:
    resp = _sign_in(client, login, password)
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def _register(client: httpx.Client, username: str, password: str, phone: str | None = None) -> dict[str, str]:
    body = {"username": username, "password": password, "display_name": "钱七" if username == "qian-qi" else "孙八"}
    if phone:
        body["phone"] = phone
    assert _past_throttle(lambda: client.post("/api/v1/auth/register", json=body)).status_code == 202
    return bearer(client, username, password)


def _open_library(client: httpx.Client) -> int:
    """An open facility the other platform tests do not use (they take the first ones)."""
    listed = client.get("/api/v1/facilities", params={"status": "open", "limit": 100}).json()["items"]
    return max(f["id"] for f in listed)


def _figures(client: httpx.Client, official: dict[str, str], facility_id: int) -> dict:
    today = date.today()
    stats = client.get(
        "/api/v1/stats/operations",
        params={
            "facility_id": facility_id,
            "from": (today - timedelta(days=1)).isoformat(),
            "to": (today + timedelta(days=2)).isoformat(),
        },
        headers=official,
    )
    satisfaction = client.get(f"/api/v1/satisfaction/facilities/{facility_id}", headers=official)
    assert stats.status_code == 200 and satisfaction.status_code == 200, (stats.text, satisfaction.text)
    s = stats.json()
    return {
        "bookings": s["bookings"],
        "participants": s["participants"],
        "special_group_services_done": s["special_group_services_done"],
        "ratings": satisfaction.json()["ratings"],
        "cases": satisfaction.json()["cases"],
    }


def test_a_resident_exports_then_deletes_and_only_the_counts_remain(platform):
    # From a loopback address of its own: the gateway throttles sign-ins per address, and this test's
    # sign-ins must not use up the other platform tests' allowance (nor theirs this one's).
    transport = httpx.HTTPTransport(local_address="127.0.0.15")
    with httpx.Client(base_url=platform.url, timeout=15, transport=transport) as client:
        official = bearer(client, "demo-official")
        facility_id = _open_library(client)
        resident = _register(client, "qian-qi", PASSWORD, PHONE)
        other = _register(client, "sun-ba", "another-long-secret")
        staff = client.post(
            "/api/v1/users",
            json={
                "username": "op-staff-privacy",
                "password": "a-long-password",
                "display_name": "运营专员",
                "role": "operator",
                "operator_id": 1,
            },
            headers=official,
        )
        assert staff.status_code == 201, staff.text
        operator = bearer(client, "op-staff-privacy", "a-long-password")

        # What the resident does on the platform.
        starts = datetime.now(UTC) + timedelta(minutes=30)
        activity = client.post(
            "/api/v1/activities",
            json={
                "facility_id": facility_id,
                "title": "童心悦读·绘本故事会",
                "category": "reading",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "capacity": 20,
                "publish": True,
            },
            headers=official,
        )
        assert activity.status_code == 201, activity.text
        activity_id = activity.json()["id"]
        booking = client.post(f"/api/v1/activities/{activity_id}/bookings", json={"seats": 2}, headers=resident)
        assert booking.status_code == 201, booking.text
        checked = client.post(
            f"/api/v1/activities/{activity_id}/check-ins",
            json={"code": booking.json()["check_in_code"]},
            headers=official,
        )
        assert checked.status_code in (200, 201), checked.text
        rating = client.post(
            "/api/v1/ratings",
            json={"target_type": "facility", "target_id": facility_id, "overall": 4, "comment": COMMENT},
            headers=resident,
        )
        assert rating.status_code == 201, rating.text
        case = client.post(
            "/api/v1/cases",
            json={
                "category": "opening_hours",
                "target_type": "facility",
                "target_id": facility_id,
                "title": "周六闭馆",
                "description": "周六下午大门紧闭，我腿脚不便白跑一趟",
                "contact": {"name": "钱七", "phone": PHONE},
            },
            headers=resident,
        )
        assert case.status_code == 201, case.text
        special = client.post(
            "/api/v1/special-requests",
            json={
                "facility_id": facility_id,
                "special_group": "elderly",
                "kind": "home_delivery",
                "description": "高血压行动不便，希望送书上门",
                "address": "东城区某胡同7号",
                "phone": PHONE,
                "preferred_time": "周二上午",
            },
            headers=resident,
        )
        assert special.status_code == 201, special.text

        # The resident downloads all of it.
        export = client.get("/api/v1/me/personal-data", params={"download": "true"}, headers=resident)
        assert export.status_code == 200, export.text
        assert export.headers["content-disposition"].startswith("attachment")
        data = export.json()
        assert data["account"]["username"] == "qian-qi" and data["account"]["phone"] == PHONE
        facilities, feedback = data["services"]["facilities"], data["services"]["feedback"]
        assert [b["activity_id"] for b in facilities["bookings"]] == [activity_id]
        assert [c["activity_id"] for c in facilities["check_ins"]] == [activity_id]
        assert [r["id"] for r in facilities["special_requests"]] == [special.json()["id"]]
        assert [r["comment"] for r in feedback["ratings"]] == [COMMENT]
        assert [c["id"] for c in feedback["cases"]] == [case.json()["id"]]
        assert data["services"]["operators"]["held"] is False

        # Nobody else can read it: another resident sees only their own; staff cannot call the export.
        theirs = client.get("/api/v1/me/personal-data", headers=other)
        assert theirs.status_code == 200, theirs.text
        assert PHONE not in theirs.text and COMMENT not in theirs.text
        for headers in (operator, official):
            assert client.get("/api/v1/me/personal-data", headers=headers).status_code == 403
            assert client.get("/api/v1/feedback/personal-data", headers=headers).status_code == 403
        # Another resident who learnt the password still deletes nothing of qian-qi's with their own session.
        stolen = client.request("DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=other)
        assert stolen.status_code == 422
        residents = client.get("/api/v1/users", params={"role": "resident", "limit": 100}, headers=official).json()[
            "items"
        ]
        assert "qian-qi" in [u["username"] for u in residents]

        # Once the feedback-api has seen the check-in, the figures are taken.
        wait_for(
            lambda: client.get("/api/v1/feedback/personal-data", headers=resident).json()["check_ins"],
            "feedback-api recorded the check-in",
        )
        before = _figures(client, official, facility_id)
        assert before["bookings"] >= 1 and before["participants"] >= 1 and before["ratings"]["count"] >= 1

        # The resident deletes the account.
        deleted = client.request("DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=resident)
        assert deleted.status_code == 204, deleted.text

        # Each service erases what it held; officials now see records of nobody.
        case_url = f"/api/v1/cases/{case.json()['id']}"
        wait_for(
            lambda: PHONE not in client.get(case_url, headers=official).text, "feedback-api erased the case's contacts"
        )
        wait_for(
            lambda: PHONE not in client.get(f"/api/v1/special-requests/{special.json()['id']}", headers=official).text,
            "facilities-api erased the special request",
        )
        assert "腿脚不便" not in client.get(case_url, headers=official).text
        shown = client.get(f"/api/v1/special-requests/{special.json()['id']}", headers=official).json()
        assert shown["status"] == "cancelled" and "高血压" not in str(shown) and "胡同7号" not in str(shown)
        booked = client.get(f"/api/v1/activities/{activity_id}/bookings", headers=official)
        assert booked.status_code == 200 and "钱七" not in booked.text
        public = client.get("/api/v1/ratings", params={"target_type": "facility", "target_id": facility_id}).json()
        assert COMMENT not in str(public)

        # ... and the figures statistics and evaluations rest on are the same.
        assert _figures(client, official, facility_id) == before
        # The account is gone: neither its user name nor its phone signs in.
        assert _sign_in(client, "qian-qi", PASSWORD).status_code == 401
        assert _sign_in(client, PHONE, PASSWORD).status_code == 401
