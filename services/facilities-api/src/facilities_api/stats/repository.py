from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from facilities_api.activities.models import Activity
from facilities_api.bookings.models import Booking
from facilities_api.facilities.models import Facility
from facilities_api.special_requests.models import SpecialRequest
from service_kit.repository import RepositoryBase


class StatsRepository(RepositoryBase[Facility]):
    """Read-only figures of one facility over a period."""

    model = Facility
    noun = "facility"

    async def activities_held(self, facility_id: int, start: datetime, end: datetime, now: datetime) -> int:
        stmt = select(func.count(Activity.id)).where(
            Activity.facility_id == facility_id,
            Activity.status == "published",
            Activity.ends_at >= start,
            Activity.ends_at < end,
            Activity.ends_at <= now,
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def booking_figures(
        self, facility_id: int, start: datetime, end: datetime, now: datetime
    ) -> tuple[int, int, int]:
        """(confirmed bookings, check-ins, no-shows) at activities that started in [start, end)."""
        activities = select(Activity.id).where(
            Activity.facility_id == facility_id,
            Activity.status == "published",
            Activity.starts_at >= start,
            Activity.starts_at < end,
        )
        checked = func.count(Booking.checked_in_at)
        over = select(Activity.id).where(Activity.id.in_(activities), Activity.ends_at <= now)
        stmt = select(func.count(Booking.id), checked).where(
            Booking.activity_id.in_(activities), Booking.status == "confirmed"
        )
        bookings, checkins = (await self.session.execute(stmt)).one()
        no_show_stmt = select(func.count(Booking.id)).where(
            Booking.activity_id.in_(over), Booking.status == "confirmed", Booking.checked_in_at.is_(None)
        )
        no_shows = (await self.session.execute(no_show_stmt)).scalar_one()
        return int(bookings), int(checkins), int(no_shows)

    async def special_done(self, facility_id: int, start: datetime, end: datetime) -> int:
        stmt = select(func.count(SpecialRequest.id)).where(
            SpecialRequest.facility_id == facility_id,
            SpecialRequest.status.in_(("done", "confirmed")),
            SpecialRequest.done_at >= start,
            SpecialRequest.done_at < end,
        )
        return int((await self.session.execute(stmt)).scalar_one())
