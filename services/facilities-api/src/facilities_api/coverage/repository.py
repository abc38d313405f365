from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute

from facilities_api.activities.models import Activity
from facilities_api.areas.models import Community, Subdistrict
from facilities_api.bookings.models import Booking
from facilities_api.facilities.models import Facility, OpeningSlot
from service_kit.repository import RepositoryBase

OPEN = Facility.status == "open"


class CoverageRepository(RepositoryBase[Facility]):
    """Read-only figures over the open facilities of the district, by area."""

    model = Facility
    noun = "facility"

    async def subdistricts(self) -> Sequence[Subdistrict]:
        return (await self.session.execute(select(Subdistrict).order_by(Subdistrict.id))).scalars().all()

    async def communities(self) -> Sequence[Community]:
        return (await self.session.execute(select(Community).order_by(Community.id))).scalars().all()

    async def counts_by(self, column: InstrumentedAttribute[str]) -> list[tuple[int, str, int]]:
        """(subdistrict_id, value, open facilities) grouped by `column` (kind or level)."""
        stmt = (
            select(Facility.subdistrict_id, column, func.count(Facility.id))
            .where(OPEN)
            .group_by(Facility.subdistrict_id, column)
        )
        return [(s, v, int(n)) for s, v, n in (await self.session.execute(stmt)).all()]

    async def sums(self) -> dict[int, tuple[int, int, int]]:
        """subdistrict_id → (open facilities, floor area, seats)."""
        stmt = (
            select(
                Facility.subdistrict_id,
                func.count(Facility.id),
                func.sum(Facility.floor_area_m2),
                func.sum(Facility.seats),
            )
            .where(OPEN)
            .group_by(Facility.subdistrict_id)
        )
        return {
            s: (int(n), int(a or 0), int(seats or 0)) for s, n, a, seats in (await self.session.execute(stmt)).all()
        }

    async def weekly_minutes(self) -> dict[int, int]:
        stmt = (
            select(Facility.subdistrict_id, func.sum(OpeningSlot.closes_min - OpeningSlot.opens_min))
            .join(Facility, Facility.id == OpeningSlot.facility_id)
            .where(OPEN)
            .group_by(Facility.subdistrict_id)
        )
        return {s: int(m or 0) for s, m in (await self.session.execute(stmt)).all()}

    async def activities_held(self, start: datetime, end: datetime, now: datetime) -> dict[int, int]:
        stmt = (
            select(Facility.subdistrict_id, func.count(Activity.id))
            .join(Facility, Facility.id == Activity.facility_id)
            .where(
                Activity.status == "published",
                Activity.ends_at >= start,
                Activity.ends_at < end,
                Activity.ends_at <= now,
            )
            .group_by(Facility.subdistrict_id)
        )
        return {s: int(n) for s, n in (await self.session.execute(stmt)).all()}

    async def attendance(self, start: datetime, end: datetime) -> dict[int, int]:
        stmt = (
            select(Facility.subdistrict_id, func.count(Booking.id))
            .join(Activity, Activity.id == Booking.activity_id)
            .join(Facility, Facility.id == Activity.facility_id)
            .where(Activity.status == "published", Activity.starts_at >= start, Activity.starts_at < end)
            .where(Booking.checked_in_at.is_not(None))
            .group_by(Facility.subdistrict_id)
        )
        return {s: int(n) for s, n in (await self.session.execute(stmt)).all()}

    async def open_points(self) -> list[Any]:
        stmt = select(
            Facility.id, Facility.name_zh, Facility.kind, Facility.lat, Facility.lon, Facility.community_id
        ).where(OPEN)
        return list((await self.session.execute(stmt)).all())

    async def branch_rows(self) -> list[Any]:
        stmt = (
            select(
                Facility.id,
                Facility.parent_id,
                Facility.name_zh,
                Facility.kind,
                Facility.level,
                Facility.status,
                Subdistrict.code,
            )
            .join(Subdistrict, Subdistrict.id == Facility.subdistrict_id)
            .order_by(Facility.id)
        )
        return list((await self.session.execute(stmt)).all())
