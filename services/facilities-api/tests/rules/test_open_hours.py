"""Recorded open hours: what the platform knows of a facility's opening (weekly hours and their
exceptions), the evidence an evaluation's open-hours KPI rests on instead of the operator's own report."""

from __future__ import annotations

from datetime import date

from facilities_api.facilities.hours import open_minutes_by_day
from tests.rules.test_gates import key


async def _exception(client, headers, facility_id, day, **body):
    body = {"starts_on": day, "ends_on": day, "reason_zh": "调整", **body}
    resp = await client.post(f"/api/v1/facilities/{facility_id}/opening-exceptions", json=body, headers=headers)
    assert resp.status_code == 201, resp.text


class TestRecordedOpenHours:
    async def test_a_week_with_a_closure_and_shorter_hours(self, world, client):
        f = await world.facility()  # Tuesday to Sunday, 09:00-17:00
        await _exception(client, world.official, f["id"], "2026-11-25", closed=True)
        await _exception(client, world.official, f["id"], "2026-11-26", closed=False, opens="09:00", closes="12:30")
        resp = await client.get(
            f"/api/v1/facilities/{f['id']}/open-hours",
            params={"from": "2026-11-23", "to": "2026-11-29"},
            headers=world.auth("auditor"),
        )
        assert resp.status_code == 200, resp.text
        assert resp.json() == {
            "facility_id": f["id"],
            "from": "2026-11-23",
            "to": "2026-11-29",
            "hours": "35.50",
            "days_open": 5,
            "weekly_average_hours": "35.50",
        }

    async def test_one_day_counts_both_ends(self, world, client):
        f = await world.facility()
        resp = await client.get(
            f"/api/v1/facilities/{f['id']}/open-hours",
            params={"from": "2026-11-24", "to": "2026-11-24"},
            headers=world.official,
        )
        assert (resp.json()["hours"], resp.json()["days_open"], resp.json()["weekly_average_hours"]) == (
            "8.00",
            1,
            "56.00",
        )

    async def test_the_operator_running_it_reads_it_others_do_not(self, world, client, auth):
        f = await world.facility()
        await world.operate(f["id"], operator_id=7)
        params = {"from": "2026-11-23", "to": "2026-11-29"}
        url = f"/api/v1/facilities/{f['id']}/open-hours"
        assert (await client.get(url, params=params, headers=world.operator(7))).status_code == 200
        assert (await client.get(url, params=params, headers=key(auth, "operator", "operator:read"))).status_code == 200
        assert (
            await client.get(url, params=params, headers=key(auth, "operator", "activities:write"))
        ).status_code == 403
        assert (await client.get(url, params=params, headers=world.operator(8, sub="other-staff"))).status_code == 403
        assert (await client.get(url, params=params, headers=world.resident(1))).status_code == 403
        assert (await client.get(url, params=params)).status_code == 401

    async def test_a_range_that_ends_before_it_starts_is_refused(self, world, client):
        f = await world.facility()
        resp = await client.get(
            f"/api/v1/facilities/{f['id']}/open-hours",
            params={"from": "2026-11-29", "to": "2026-11-23"},
            headers=world.official,
        )
        assert resp.status_code == 422


class TestHoursAcrossMidnight:
    def test_a_slot_past_midnight_counts_on_both_days(self):
        friday_night = [(4, 20 * 60, 2 * 60)]  # Friday 20:00 to Saturday 02:00
        minutes = open_minutes_by_day(date(2026, 11, 20), date(2026, 11, 21), friday_night, [])
        assert minutes == {date(2026, 11, 20): 240, date(2026, 11, 21): 120}

    def test_the_morning_after_a_night_before_the_range_counts(self):
        friday_night = [(4, 20 * 60, 2 * 60)]
        assert open_minutes_by_day(date(2026, 11, 21), date(2026, 11, 21), friday_night, []) == {
            date(2026, 11, 21): 120
        }
