"""The figures operators-api pulls as evaluation evidence: what the platform itself recorded."""

from __future__ import annotations

from tests.factories import local

PARAMS = {"from": "2026-11-01", "to": "2026-11-30"}


class TestOperationsFigures:
    async def _month(self, world, client, clock):
        f = await world.facility()  # open Tue–Sun 09:00–17:00
        await world.operate(f["id"], operator_id=7)
        held = await world.activity(f["id"], world.operator(7))
        upcoming = await world.activity(
            f["id"], world.operator(7), starts_at=local(28, 14).isoformat(), ends_at=local(28, 16).isoformat()
        )
        dropped = await world.activity(
            f["id"],
            world.operator(7),
            title="取消的",
            starts_at=local(22, 14).isoformat(),
            ends_at=local(22, 16).isoformat(),
        )
        bookings = [await world.book(held["id"], world.resident(n)) for n in range(3)]
        await world.book(upcoming["id"], world.resident(1))
        await world.book(dropped["id"], world.resident(1))
        await client.post(f"/api/v1/activities/{dropped['id']}/cancel", json={"reason": "x"}, headers=world.operator(7))
        await client.post(
            f"/api/v1/facilities/{f['id']}/opening-exceptions",
            json={"starts_on": "2026-11-24", "ends_on": "2026-11-24"},
            headers=world.official,
        )
        clock.fixed = local(21, 14)
        for b in bookings[:2]:
            await client.post(
                f"/api/v1/activities/{held['id']}/check-ins",
                json={"code": b["check_in_code"]},
                headers=world.operator(7),
            )
        clock.fixed = local(26, 9)
        return f

    async def test_facility_figures(self, world, client, clock):
        f = await self._month(world, client, clock)
        resp = await client.get(
            "/api/v1/stats/operations", params={**PARAMS, "facility_id": f["id"]}, headers=world.auth("service")
        )
        assert resp.status_code == 200, resp.text
        assert resp.json() == {
            "facility_id": f["id"],
            "operator_id": None,
            "facility_ids": [f["id"]],
            "from": "2026-11-01",
            "to": "2026-11-30",
            "activities_held": 1,
            "participants": 2,
            "bookings": 4,
            "no_shows": 1,
            # November 2026: 30 days less 5 Mondays (closed weekly) less 1 day closed by exception = 24 days of 8 hours
            "scheduled_open_hours": 192.0,
            "special_group_services_done": 0,
        }

    async def test_operator_figures_sum_over_its_facilities_and_only_for_itself(self, world, client, clock):
        await self._month(world, client, clock)
        mine = await client.get(
            "/api/v1/stats/operations", params={**PARAMS, "operator_id": 7}, headers=world.operator(7)
        )
        assert mine.status_code == 200
        assert (mine.json()["activities_held"], mine.json()["participants"]) == (1, 2)
        assert (
            await client.get("/api/v1/stats/operations", params={**PARAMS, "operator_id": 7}, headers=world.operator(8))
        ).status_code == 403
        assert (
            await client.get("/api/v1/stats/operations", params={**PARAMS, "operator_id": 7}, headers=world.resident())
        ).status_code == 403

    async def test_bad_ranges(self, world, client):
        service = world.auth("service")
        f = await world.facility()
        backwards = await client.get(
            "/api/v1/stats/operations",
            params={"from": "2026-11-30", "to": "2026-11-01", "facility_id": f["id"]},
            headers=service,
        )
        assert (backwards.status_code, backwards.json()["errors"][0]["field"]) == (422, "to")
        both = await client.get(
            "/api/v1/stats/operations", params={**PARAMS, "facility_id": f["id"], "operator_id": 7}, headers=service
        )
        assert both.status_code == 422
        assert (
            await client.get("/api/v1/stats/operations", params={**PARAMS, "facility_id": 999999}, headers=service)
        ).status_code == 404
