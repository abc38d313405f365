"""What feedback-api announces, written in the same transaction as the change, without residents' identity."""

from __future__ import annotations

from tests.factories import file_case, rate, step


async def _events(client, auth, **params) -> list[dict]:
    resp = await client.get("/api/v1/events", params=params, headers=auth("official"))
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


async def test_event_types_are_listed(client):
    types = {t["type"] for t in (await client.get("/api/v1/events/types")).json()}
    assert types == {
        "rating.created",
        "rating.replaced",
        "rating.hidden",
        "rating.replied",
        "case.submitted",
        "case.status_changed",
        "case.escalated",
        "case.answer_rated",
        "demand.submitted",
        "demand.answered",
        "demand.reopened",
        "menu_round.results_published",
    }


class TestRatingEvents:
    async def test_rating_created_is_in_the_feed_without_the_residents_identity(
        self, client, auth
    ):
        created = await rate(client, auth(sub="resident-wang"), 2, comment="很好👍")
        [event] = await _events(client, auth)
        assert event["type"] == "rating.created"
        assert event["source"] == "feedback-api"
        assert event["subject"] == f"rating/{created['id']}"
        assert event["data"] == {
            "id": created["id"],
            "target_type": "facility",
            "target_id": 2,
            "facility_id": 2,
            "operator_id": 7,
            "period": "2026Q4",
            "overall": 4,
            "dimensions": {
                "environment": 5,
                "content": 4,
                "staff": 4,
                "convenience": 3,
            },
            "comment": "很好👍",
            "comment_status": "published",
            "status": "visible",
            "verified": False,
            "created_at": "2026-11-23T04:00:00+00:00",
            "replaces": None,
        }
        assert event["time"] == "2026-11-23T04:00:00Z"
        assert "resident-wang" not in str(event)

    async def test_replacing_announces_the_new_rating_and_the_replaced_one(
        self, client, auth
    ):
        first = await rate(client, auth(), 1)
        second = await rate(client, auth(), 1, overall=2, status=200)
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
            "target_id": 1,
            "period": "2026Q4",
        }
        replaced_only = await _events(client, auth, types="rating.replaced")
        assert [e["type"] for e in replaced_only] == ["rating.replaced"]

    async def test_a_refused_rating_announces_nothing(self, client, auth):
        await rate(client, auth(), 1001, status=422)
        await rate(client, auth("official"), 1, status=403)
        assert await _events(client, auth) == []

    async def test_residents_cannot_read_the_feed(self, client, auth):
        assert (await client.get("/api/v1/events", headers=auth())).status_code == 403


class TestCaseEvents:
    async def test_each_step_is_announced_without_contact_data(self, client, auth):
        case = await file_case(client, auth(sub="resident-li"))
        case = await step(
            client,
            case,
            "respond",
            auth("operator", operator_id=7),
            text="已核实，周六临时停电，已补发通知。",
        )
        events = await _events(client, auth, types="case.*")
        assert [
            (e["type"], e["data"].get("from"), e["data"].get("to")) for e in events
        ] == [
            ("case.submitted", None, None),
            ("case.status_changed", "submitted", "accepted"),
            ("case.status_changed", "accepted", "assigned"),
            ("case.status_changed", "assigned", "responded"),
        ]
        assert events[2]["data"]["assignee"] == {"type": "operator", "operator_id": 7}
        assert (
            "13812345678" not in str(events)
            and "王小明" not in str(events)
            and "resident-li" not in str(events)
        )
