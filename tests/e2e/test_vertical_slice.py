"""The foundation's promise, through the gateway as a user meets it: an official signs in, creates
and edits a facility, anyone reads it, the change is in the event feed and reaches a signed webhook."""

from __future__ import annotations

import time

import httpx
from standardwebhooks import Webhook

FACILITY = {
    "name_zh": "景山街道综合文化中心",
    "name_en": "Jingshan Culture Centre",
    "kind": "culture_sports_centre",
    "level": "subdistrict",
    "subdistrict": "jingshan",
    "address_zh": "东城区景山后街20号",
    "location": {"lat": 39.9285, "lon": 116.4002},
    "seats": 200,
    "opening_hours": [{"weekday": 2, "opens": "09:00", "closes": "21:00"}],
}


def sign_in(client: httpx.Client, username: str) -> dict[str, str]:
    resp = client.post("/api/v1/auth/token", data={"username": username, "password": "demo-password"})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def feed_head(client: httpx.Client, headers: dict[str, str]) -> int:
    """The sequence of the newest event in facilities-api's feed (the demo seed wrote thousands)."""
    after = 0
    while True:
        resp = client.get("/api/v1/facilities/events", params={"after": after, "limit": 1000}, headers=headers)
        assert resp.status_code == 200, resp.text
        page = resp.json()
        if page["next_after"] == after:
            return after
        after = page["next_after"]


def test_official_creates_a_facility_anyone_reads_it_and_the_event_is_published(platform, receiver):
    with httpx.Client(base_url=platform.url, timeout=10) as client:
        official = sign_in(client, "demo-official")
        hook = client.post(
            "/api/v1/facilities/webhooks",
            json={"url": receiver.url, "event_types": ["facility.*"]},
            headers=official,
        )
        assert hook.status_code == 201, hook.text

        head = feed_head(client, official)
        created = client.post(
            "/api/v1/facilities", json=FACILITY, headers={**official, "X-Request-ID": "slice-create-1"}
        )
        assert created.status_code == 201, created.text
        assert created.headers["x-request-id"] == "slice-create-1"
        facility = created.json()

        anonymous = client.get(f"/api/v1/facilities/{facility['id']}")
        assert anonymous.status_code == 200
        assert anonymous.json()["name_zh"] == "景山街道综合文化中心"
        etag = anonymous.headers["etag"]

        edited = client.patch(
            f"/api/v1/facilities/{facility['id']}", json={"seats": 240}, headers={**official, "If-Match": etag}
        )
        assert edited.status_code == 200, edited.text

        feed = client.get(
            "/api/v1/facilities/events", params={"after": head, "types": "facility.*"}, headers=official
        ).json()
        mine = [e for e in feed["items"] if e["subject"] == f"facility/{facility['id']}"]
        assert [e["type"] for e in mine] == ["facility.created", "facility.updated"]
        assert mine[0]["requestid"] == "slice-create-1", "the request id crosses into the event"
        assert mine[1]["data"]["changes"] == {"seats": [200, 240]}

        delivered = receiver.wait_for(lambda e: e["type"] == "facility.created" and e["data"]["id"] == facility["id"])
        verified = Webhook(hook.json()["secret"]).verify(delivered["body"], delivered["headers"])
        assert verified["data"]["name_zh"] == "景山街道综合文化中心"
        assert "slice-create-1" in platform.log_of("facilities")


def test_residents_are_refused_by_the_service_itself(platform):
    with httpx.Client(base_url=platform.url, timeout=10) as client:
        resident = sign_in(client, "demo-resident")
        resp = client.post("/api/v1/facilities", json=FACILITY, headers=resident)
        assert resp.status_code == 403
        assert resp.headers["content-type"] == "application/problem+json"


def test_merged_openapi_and_readiness(platform):
    with httpx.Client(base_url=platform.url, timeout=10) as client:
        doc = client.get("/api/v1/openapi.json").json()
        for path in (
            "/api/v1/facilities",
            "/api/v1/facilities/events",
            "/api/v1/auth/token",
            "/api/v1/operators",
            "/api/v1/ratings",
        ):
            assert path in doc["paths"], path
        assert "x-unavailable-services" not in doc["info"]
        # Right after start the services catch up on each other's feeds; readiness may lag a moment.
        deadline = time.monotonic() + 30
        while (ready := client.get("/readyz").json())["platform"] != "ready" and time.monotonic() < deadline:
            time.sleep(0.5)
        assert ready["platform"] == "ready", ready
        assert client.get("/api/v1/docs").status_code == 200


def test_a_stopped_service_gives_a_quick_502_problem(platform):
    platform.stop("feedback")
    try:
        with httpx.Client(base_url=platform.url, timeout=10) as client:
            resp = client.get("/api/v1/ratings")
            assert resp.status_code in (502, 503)
            assert resp.headers["content-type"] == "application/problem+json"
            assert client.get("/readyz").json()["services"]["feedback-api"].startswith("unreachable")
            assert client.get("/api/v1/facilities").status_code == 200, "the others keep working"
    finally:
        platform.start("feedback")
