"""Deadlines in working days on the Asia/Shanghai calendar, and the overdue sweep driven by the clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from feedback_api.workdays.service import WorkCalendar
from tests.factories import file_case, step

FRIDAY_AFTERNOON = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # 15:00 Friday in Beijing


class TestWorkCalendar:
    def test_weekends_are_skipped(self):
        cal = WorkCalendar(frozenset(), frozenset())
        # Friday + 2 working days: the end of Tuesday (Beijing), 16:00 UTC on Tuesday.
        assert cal.deadline(FRIDAY_AFTERNOON, 2) == datetime(
            2026, 12, 1, 16, 0, tzinfo=UTC
        )

    def test_holidays_and_make_up_days(self):
        cal = WorkCalendar(
            frozenset({date(2026, 11, 30)}), frozenset({date(2026, 11, 29)})
        )
        # Sunday the 29th is a make-up working day, Monday the 30th a holiday.
        assert cal.deadline(FRIDAY_AFTERNOON, 2) == datetime(
            2026, 12, 1, 16, 0, tzinfo=UTC
        )
        assert cal.deadline(FRIDAY_AFTERNOON, 1) == datetime(
            2026, 11, 29, 16, 0, tzinfo=UTC
        )

    def test_the_beijing_date_counts_not_the_utc_one(self):
        cal = WorkCalendar(frozenset(), frozenset())
        # 23:30 UTC on Sunday is already Monday 07:30 in Beijing: due at the end of Tuesday.
        assert cal.deadline(datetime(2026, 11, 29, 23, 30, tzinfo=UTC), 1) == datetime(
            2026, 12, 1, 16, 0, tzinfo=UTC
        )


class TestOfficialsCalendar:
    async def test_a_holiday_moves_case_deadlines(self, client, auth, app):
        put = await client.put(
            "/api/v1/cases/calendar/2026-11-24",
            json={"kind": "holiday", "name": "示例假日"},
            headers=auth("official"),
        )
        assert put.status_code == 200, put.text
        case = await file_case(client, auth())
        assert (
            case["due_at"] == "2026-11-26T16:00:00Z"
        )  # Wednesday and Thursday, Tuesday being off
        year = (
            await client.get("/api/v1/cases/calendar", params={"year": 2026})
        ).json()
        assert [(d["day"], d["kind"], d["source"]) for d in year] == [
            ("2026-11-24", "holiday", "officials")
        ]

    async def test_rules_of_the_calendar(self, client, auth):
        weekend = await client.put(
            "/api/v1/cases/calendar/2026-11-28",
            json={"kind": "holiday"},
            headers=auth("official"),
        )
        assert weekend.status_code == 422
        weekday = await client.put(
            "/api/v1/cases/calendar/2026-11-24",
            json={"kind": "workday"},
            headers=auth("official"),
        )
        assert weekday.status_code == 422
        assert (
            await client.put(
                "/api/v1/cases/calendar/2026-11-24",
                json={"kind": "holiday"},
                headers=auth(),
            )
        ).status_code == 403
        assert (
            await client.delete(
                "/api/v1/cases/calendar/2026-11-25", headers=auth("official")
            )
        ).status_code == 404


class TestOverdueSweep:
    async def test_an_operator_that_misses_its_deadline_loses_the_case_to_an_official(
        self, client, auth, app
    ):
        late = await file_case(client, auth(sub="r-1"))
        answered = await file_case(client, auth(sub="r-2"))
        await step(
            client, answered, "respond", auth("operator", operator_id=7), text="已处理"
        )
        app.state.clock.fixed = datetime(
            2026, 11, 25, 15, 59, tzinfo=UTC
        )  # 23:59 Wednesday: still in time
        nothing = await client.post("/api/v1/cases/sweep", headers=auth("official"))
        assert nothing.json()["escalated"] == []
        app.state.clock.fixed = datetime(2026, 11, 25, 16, 1, tzinfo=UTC)
        listed = (
            await client.get(
                "/api/v1/cases", params={"overdue": "true"}, headers=auth("official")
            )
        ).json()["items"]
        assert [c["id"] for c in listed] == [late["id"]] and listed[0][
            "overdue"
        ] is True
        swept = await client.post("/api/v1/cases/sweep", headers=auth("official"))
        assert (
            swept.json()["escalated"] == [late["id"]] and swept.json()["overdue"] == 0
        )
        case = (
            await client.get(f"/api/v1/cases/{late['id']}", headers=auth("official"))
        ).json()
        assert (
            case["assignee"] == {"type": "official", "operator_id": None}
            and case["escalated_at"] is not None
        )
        assert (
            case["due_at"] == "2026-11-27T16:00:00Z" and case["operator_id"] == 7
        )  # Thursday 00:01 + 1 working day
        assert case["timeline"][-1]["action"] == "escalate"
        events = (
            await client.get(
                "/api/v1/events",
                params={"types": "case.escalated"},
                headers=auth("official"),
            )
        ).json()["items"]
        assert [e["data"]["from_operator_id"] for e in events] == [7]
        assert (
            await client.post("/api/v1/cases/sweep", headers=auth("official"))
        ).json()["escalated"] == []
        # The operator can no longer answer; an official does, late.
        await step(
            client,
            case,
            "respond",
            auth("operator", operator_id=7),
            text="晚了",
            status=403,
        )
        case = await step(
            client, case, "respond", auth("official"), text="区文旅局已督办整改"
        )
        assert case["responded_on_time"] is False

    async def test_the_background_sweeper_uses_the_clock(self, client, auth, app):
        late = await file_case(client, auth())
        app.state.clock.fixed += timedelta(days=5)
        result = await app.state.sweeper.run_once()
        assert result["escalated"] == [late["id"]]

    async def test_only_officials_and_services_sweep(self, client, auth):
        assert (
            await client.post("/api/v1/cases/sweep", headers=auth())
        ).status_code == 403
        assert (
            await client.post("/api/v1/cases/sweep", headers=auth("service"))
        ).status_code == 200
