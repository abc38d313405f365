from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import joinedload

from facilities_api.activities.models import Activity
from facilities_api.bookings.models import Booking
from facilities_api.facilities.models import Facility
from service_kit.repository import RepositoryBase, Slice


class BookingRepository(RepositoryBase[Booking]):
    model = Booking
    noun = "booking"

    def statement(self) -> Select[Booking]:
        return select(Booking).options(
            joinedload(Booking.activity).joinedload(Activity.facility).joinedload(Facility.subdistrict)
        )

    @staticmethod
    def someone_waitlisted(activity_id: int) -> ColumnElement[bool]:
        """True while a booking of the activity waits for a seat (for a conditional UPDATE)."""
        return select(Booking.id).where(Booking.activity_id == activity_id, Booking.status == "waitlisted").exists()

    async def of_resident(self, activity_id: int, resident_sub: str) -> Booking | None:
        stmt = select(Booking).where(Booking.activity_id == activity_id, Booking.resident_sub == resident_sub)
        return (await self.session.execute(stmt.with_for_update())).scalar_one_or_none()

    async def by_code(self, activity_id: int, code: str) -> Booking | None:
        stmt = self.statement().where(Booking.activity_id == activity_id, Booking.check_in_code == code)
        return (await self.session.execute(stmt.with_for_update(of=Booking))).scalar_one_or_none()

    async def first_waitlisted(self, activity_id: int) -> Booking | None:
        stmt = (
            select(Booking)
            .where(Booking.activity_id == activity_id, Booking.status == "waitlisted")
            .order_by(Booking.queued_at, Booking.id)
            .limit(1)
            .with_for_update()
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def waitlist_position(self, booking: Booking) -> int:
        stmt = select(func.count(Booking.id)).where(
            Booking.activity_id == booking.activity_id,
            Booking.status == "waitlisted",
            or_(
                Booking.queued_at < booking.queued_at,
                and_(Booking.queued_at == booking.queued_at, Booking.id < booking.id),
            ),
        )
        return int((await self.session.execute(stmt)).scalar_one()) + 1

    async def open_of_activity(self, activity_id: int) -> Sequence[Booking]:
        """Confirmed and waitlisted bookings of an activity, locked, in queue order."""
        stmt = (
            select(Booking)
            .where(Booking.activity_id == activity_id, Booking.status.in_(("confirmed", "waitlisted")))
            .order_by(Booking.queued_at, Booking.id)
            .with_for_update()
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def count_by_status(self, activity_id: int) -> dict[str, int]:
        stmt = (
            select(Booking.status, func.count(Booking.id))
            .where(Booking.activity_id == activity_id)
            .group_by(Booking.status)
        )
        return {s: int(n) for s, n in (await self.session.execute(stmt)).all()}

    async def list(
        self,
        *,
        resident_sub: str | None = None,
        activity_id: int | None = None,
        operator_id: int | None = None,
        subdistrict_id: int | None = None,
        status: str | None = None,
        cursor: str | None,
        limit: int,
    ) -> Slice[Booking]:
        """Newest first."""
        stmt = self.statement()
        if resident_sub is not None:
            stmt = stmt.where(Booking.resident_sub == resident_sub)
        if activity_id is not None:
            stmt = stmt.where(Booking.activity_id == activity_id)
        if operator_id is not None or subdistrict_id is not None:
            facilities = select(Facility.id)
            if operator_id is not None:
                facilities = facilities.where(Facility.operator_id == operator_id)
            if subdistrict_id is not None:
                facilities = facilities.where(Facility.subdistrict_id == subdistrict_id)
            stmt = stmt.where(Booking.activity_id.in_(select(Activity.id).where(Activity.facility_id.in_(facilities))))
        if status is not None:
            stmt = stmt.where(Booking.status == status)
        return await self.page(stmt, cursor=cursor or None, limit=limit)  # an empty cursor: the first page
