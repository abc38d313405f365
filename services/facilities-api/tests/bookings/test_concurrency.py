"""200 residents press "book" at once for the last 10 seats: exactly 10 get seats, the rest wait in
line, and the activity is never oversold. The app runs on its own engine with real commits: on
PostgreSQL several connections race for real; on SQLite the one-connection engine serialises them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest_asyncio
from sqlalchemy import delete, update

from facilities_api.activities.models import Activity
from facilities_api.db import Base
from facilities_api.main import create_app
from service_kit.clock import Clock
from service_kit.db import make_sessionmaker
from service_kit.testing import engine_for, running_app
from tests.factories import NOW, AreaFactory, activity_body, facility_body

RESIDENTS = 200
LAST_SEATS = 10


@pytest_asyncio.fixture
async def committed(database_url, settings) -> AsyncIterator[tuple]:
    """facilities-api with a pool of its own and committed data; every table is emptied afterwards
    (the other tests only ever see rolled-back data, so there is nothing else to keep)."""
    engine = engine_for(database_url)
    maker = make_sessionmaker(engine)
    app = create_app(settings)
    app.state.clock = Clock(fixed=NOW)
    try:
        await AreaFactory(maker).district()
        async with running_app(app, engine, maker) as client:
            yield client, maker
    finally:
        async with maker() as session:
            for table in reversed(Base.metadata.sorted_tables):
                await session.execute(delete(table))
            await session.commit()
        await engine.dispose()


async def test_two_hundred_requests_for_the_last_ten_seats(committed, token):
    client, maker = committed
    official = {"Authorization": f"Bearer {token('official')}"}
    facility = (await client.post("/api/v1/facilities", json=facility_body(), headers=official)).json()
    activity = (
        await client.post("/api/v1/activities", json=activity_body(facility["id"], capacity=100), headers=official)
    ).json()
    async with maker() as session:  # 90 of 100 seats are gone already
        await session.execute(
            update(Activity).where(Activity.id == activity["id"]).values(booked_count=100 - LAST_SEATS)
        )
        await session.commit()

    async def book(n: int):
        headers = {"Authorization": f"Bearer {token('resident', sub=f'racer-{n}', name=f'居民{n}')}"}
        return await client.post(f"/api/v1/activities/{activity['id']}/bookings", headers=headers)

    responses = await asyncio.gather(*(book(n) for n in range(RESIDENTS)))
    assert [r.status_code for r in responses] == [201] * RESIDENTS, {
        r.status_code: r.text for r in responses if r.status_code != 201
    }
    statuses = [r.json()["status"] for r in responses]
    assert statuses.count("confirmed") == LAST_SEATS
    assert statuses.count("waitlisted") == RESIDENTS - LAST_SEATS
    after = (await client.get(f"/api/v1/activities/{activity['id']}")).json()
    assert (after["booked_seats"], after["seats_left"]) == (100, 0)
    listed = (
        await client.get(
            f"/api/v1/activities/{activity['id']}/bookings",
            params={"status": "waitlisted", "limit": 500},
            headers=official,
        )
    ).json()
    assert sorted(b["waitlist_position"] for b in listed["items"]) == list(range(1, RESIDENTS - LAST_SEATS + 1))
