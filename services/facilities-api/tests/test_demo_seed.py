"""The demo data `make run` loads: enough of everything for every page, and loading it twice adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from facilities_api.activities.models import Activity
from facilities_api.bookings.models import Booking
from facilities_api.demo.seed import DEMO_RESIDENT_SUB, seed_demo
from facilities_api.facilities.models import Facility, OpeningException
from facilities_api.main import MIGRATIONS_DIR
from facilities_api.offerings.models import ServiceOffered
from facilities_api.settings import Settings
from facilities_api.special_requests.models import SpecialRequest
from service_kit.db import make_engine, make_sessionmaker
from service_kit.testing import fresh_database_url, migrate_for_tests


@pytest.fixture(scope="module")
def demo_url() -> str:
    url = fresh_database_url("facilities_demo")
    migrate_for_tests(MIGRATIONS_DIR, url)
    return url


async def test_demo_data_is_rich_and_loading_it_again_adds_nothing(demo_url):
    settings = Settings(database_url=demo_url, environment="test")
    first = await seed_demo(settings)
    second = await seed_demo(settings)
    assert "130 facilities" in first
    assert second.endswith("0 activities, 0 bookings (0 check-ins), 0 special-group requests added")
    engine = make_engine(demo_url)
    try:
        async with make_sessionmaker(engine)() as session:

            async def count(stmt) -> int:
                return int((await session.execute(stmt)).scalar_one())

            assert await count(select(func.count(Facility.id))) >= 80
            assert await count(select(func.count(func.distinct(Facility.level)))) == 5
            assert await count(select(func.count(func.distinct(Facility.kind)))) == 10
            assert await count(select(func.count(ServiceOffered.id)).where(ServiceOffered.basic.is_(False))) > 0
            assert await count(select(func.count(ServiceOffered.id)).where(ServiceOffered.fee_fen > 0)) == 0
            # The services operators-api's demo fee applications name, under their ids, at their facilities;
            # a service added later gets a fresh id past them.
            named = (
                await session.execute(
                    select(ServiceOffered.id, ServiceOffered.facility_id, ServiceOffered.category).where(
                        ServiceOffered.id > 10_000
                    )
                )
            ).all()
            assert sorted(named) == [
                (11001, 110, "heritage"),
                (11401, 114, "training"),
                (11402, 114, "lecture"),
                (11801, 118, "training"),
            ]
            extra = ServiceOffered(
                facility_id=114,
                name_zh="新增服务",
                name_en="",
                category="training",
                basic=False,
                fee_fen=0,
                target_groups=["all"],
                delivery="on_site",
                description_zh="",
                active=True,
                version=1,
                created_at=datetime.now(UTC),
                updated_at=datetime.now(UTC),
            )
            session.add(extra)
            await session.flush()
            assert extra.id > 11801
            await session.rollback()
            assert await count(select(func.count(Activity.id)).where(Activity.brand == "书海听涛")) > 20
            assert await count(select(func.count(Booking.id)).where(Booking.checked_in_at.is_not(None))) > 100
            mine = (
                (await session.execute(select(Booking).where(Booking.resident_sub == DEMO_RESIDENT_SUB)))
                .scalars()
                .all()
            )
            assert len(mine) == 9 and sum(b.checked_in_at is not None for b in mine) == 6
            assert (
                await count(select(func.count(OpeningException.id)).where(OpeningException.reason_zh.like("春节%")))
                > 30
            )
            assert await count(select(func.count(SpecialRequest.id))) == 5
            over_capacity = select(func.count(Activity.id)).where(Activity.booked_count > Activity.capacity)
            assert await count(over_capacity) == 0
    finally:
        await engine.dispose()
