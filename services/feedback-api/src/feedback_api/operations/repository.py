from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.operations.models import Checkin, FacilityOperation
from feedback_api.ratings.models import Rating


class OperationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, facility_id: int) -> FacilityOperation | None:
        return await self.session.get(FacilityOperation, facility_id)

    def add(self, op: FacilityOperation) -> None:
        self.session.add(op)

    async def flush(self) -> None:
        await self.session.flush()

    async def facility_ids_of_operator(self, operator_id: int) -> Sequence[int]:
        stmt = select(FacilityOperation.facility_id).where(FacilityOperation.operator_id == operator_id)
        return (await self.session.execute(stmt)).scalars().all()


class CheckinRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, booking_id: int) -> Checkin | None:
        return await self.session.get(Checkin, booking_id)

    def add(self, checkin: Checkin) -> None:
        self.session.add(checkin)

    async def has_checked_in(self, *, resident_sub: str, target_type: str, target_id: int, facility_id: int) -> bool:
        """An activity needs a check-in at it; a facility or one of its services, a check-in at the facility."""
        stmt = select(Checkin.booking_id).where(Checkin.resident_sub == resident_sub).limit(1)
        if target_type == "activity":
            stmt = stmt.where(Checkin.activity_id == target_id)
        else:
            stmt = stmt.where(Checkin.facility_id == facility_id)
        return (await self.session.execute(stmt)).first() is not None

    async def unverified_ratings(self, *, resident_sub: str, activity_id: int, facility_id: int) -> Sequence[Rating]:
        """The resident's ratings that this check-in verifies, locked for the update."""
        stmt = (
            select(Rating)
            .where(
                Rating.resident_sub == resident_sub,
                Rating.verified.is_(False),
                or_(
                    (Rating.target_type == "activity") & (Rating.target_id == activity_id),
                    (Rating.target_type.in_(("facility", "service"))) & (Rating.facility_id == facility_id),
                ),
            )
            .with_for_update()
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def mark_verified(self, ids: list[int]) -> None:
        if ids:
            await self.session.execute(update(Rating).where(Rating.id.in_(ids)).values(verified=True))
