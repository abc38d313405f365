"""Ratings announce themselves in the event feed, written in the same transaction as the rating."""

from __future__ import annotations

from tests.factories import rate


async def _events(client, auth, **params) -> list[dict]:
    resp = await client.get("/api/v1/events", params=params, headers=auth("official"))
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


async def test_event_types_are_listed(client):
    types = {t["type"] for t in (await client.get("/api/v1/events/types")).json()}
    assert types == {"rating.created", "rating.replaced"}


async def test_rating_created_is_in_the_feed_without_the_residents_identity(client, auth, facility):
    created = await rate(client, auth(sub="resident-wang"), facility["id"], comment="很好👍")
    [event] = await _events(client, auth)
    assert event["type"] == "rating.created"
    assert event["source"] == "feedback-api"
    assert event["subject"] == f"rating/{created['id']}"
    assert event["data"] == {
        "id": created["id"],
        "target_type": "facility",
        "target_id": facility["id"],
        "period": "2026Q4",
        "overall": 4,
        "dimensions": {"environment": 5, "content": 4, "staff": 4, "convenience": 3},
        "comment": "很好👍",
        "created_at": "2026-11-23T04:00:00+00:00",
        "replaces": None,
    }
    assert "resident-wang" not in str(event)


async def test_replacing_announces_the_new_rating_and_the_replaced_one(client, auth, facility):
    first = await rate(client, auth(), facility["id"])
    second = await rate(client, auth(), facility["id"], overall=2, status=200)
    events = await _events(client, auth)
    assert [(e["type"], e["subject"]) for e in events] == [
        ("rating.created", f"rating/{first['id']}"),
        ("rating.created", f"rating/{second['id']}"),
        ("rating.replaced", f"rating/{first['id']}"),
    ]
    assert events[1]["data"]["replaces"] == first["id"]
    assert events[2]["data"] == {
        "id": first["id"],
        "replaced_by": second["id"],
        "target_type": "facility",
        "target_id": facility["id"],
        "period": "2026Q4",
    }
    replaced_only = await _events(client, auth, types="rating.replaced")
    assert [e["type"] for e in replaced_only] == ["rating.replaced"]


async def test_a_refused_rating_announces_nothing(client, auth, facility):
    await rate(client, auth(), facility["id"] + 1000, status=422)
    await rate(client, auth("official"), facility["id"], status=403)
    assert await _events(client, auth) == []


async def test_residents_cannot_read_the_feed(client, auth):
    assert (await client.get("/api/v1/events", headers=auth())).status_code == 403
