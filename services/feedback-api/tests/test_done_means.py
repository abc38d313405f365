"""The issue's "done means", end to end in process (the platform tests run it through the gateway):
a resident rates an activity they attended (verified) and one they did not; files a complaint that is
routed to the operator, answered, reopened and closed; the same complaint is visible through Open311;
the satisfaction index ranks facilities with intervals."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.factories import file_case, rate, step


class TestDoneMeans:
    async def test_the_whole_story(self, client, auth, app, standin):
        app.state.settings.index_min_sample = 1
        resident = auth(sub="1", name="王小明")
        standin.activity(14, 3, starts_at=datetime(2026, 11, 20, 6, 0, tzinfo=UTC))
        standin.checkin(
            booking_id=900,
            activity_id=11,
            resident_sub="1",
            at=datetime(2026, 11, 22, 6, 5, tzinfo=UTC),
        )
        assert await app.state.facilities_consumer.poll_once() == 1

        attended = await rate(client, resident, 11, target_type="activity", overall=5)
        not_attended = await rate(
            client, resident, 14, target_type="activity", overall=3
        )
        assert (attended["verified"], not_attended["verified"]) == (True, False)

        case = await file_case(
            client,
            resident,
            category="activity_organisation",
            target_type="activity",
            target_id=11,
        )
        assert case["assignee"] == {"type": "operator", "operator_id": 7}
        operator = auth("operator", operator_id=7)
        case = await step(client, case, "respond", operator, text="已增加场次。")
        case = await step(client, case, "reopen", resident, reason="新场次仍然约不上。")
        case = await step(
            client, case, "respond", operator, text="已开放候补并增加两场。"
        )
        case = await step(client, case, "confirm", resident, answer_rating=5)
        case = await step(client, case, "close", auth("official"))
        assert [s["to_status"] for s in case["timeline"]] == [
            "submitted",
            "accepted",
            "assigned",
            "responded",
            "reopened",
            "responded",
            "confirmed",
            "closed",
        ]

        [doc] = (await client.get(f"/open311/v2/requests/{case['id']}.json")).json()
        assert (doc["status"], doc["service_code"], doc["status_notes"]) == (
            "closed",
            "activity_organisation",
            "已开放候补并增加两场。",
        )

        overview = (await client.get("/api/v1/satisfaction")).json()
        ranked = {r["key"]: r for r in overview["ranking"]}
        assert set(ranked) == {2, 3} and ranked[2]["rank"] == 1
        assert (
            ranked[2]["ratings"]["wilson_low"] is not None
            and ranked[2]["ratings"]["wilson_high"] == "1.00"
        )
