from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.offerings.models import FeeApproval, ServiceOffered


class OfferingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, facility_id: int, service_id: int, *, for_update: bool = False) -> ServiceOffered | None:
        stmt = select(ServiceOffered).where(ServiceOffered.id == service_id, ServiceOffered.facility_id == facility_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list(self, facility_id: int, *, include_inactive: bool) -> Sequence[ServiceOffered]:
        stmt = select(ServiceOffered).where(ServiceOffered.facility_id == facility_id).order_by(ServiceOffered.id)
        if not include_inactive:
            stmt = stmt.where(ServiceOffered.active.is_(True))
        return (await self.session.execute(stmt)).scalars().all()

    async def approval_in_force(self, facility_id: int, service_id: int, on: date) -> FeeApproval | None:
        """The active, unexpired approval with the highest cap (the latest on a tie)."""
        stmt = (
            select(FeeApproval)
            .where(FeeApproval.facility_id == facility_id, FeeApproval.service_id == service_id)
            .where(FeeApproval.status == "active", FeeApproval.expires_on >= on)
            .order_by(FeeApproval.approved_fee_fen.desc(), FeeApproval.application_id.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def approvals_in_force(self, facility_id: int, on: date) -> dict[int, FeeApproval]:
        stmt = (
            select(FeeApproval)
            .where(FeeApproval.facility_id == facility_id, FeeApproval.status == "active", FeeApproval.expires_on >= on)
            .order_by(FeeApproval.approved_fee_fen, FeeApproval.application_id)
        )
        return {a.service_id: a for a in (await self.session.execute(stmt)).scalars()}

    async def approval(self, application_id: int, *, for_update: bool = False) -> FeeApproval | None:
        stmt = select(FeeApproval).where(FeeApproval.application_id == application_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    def add(self, obj: ServiceOffered | FeeApproval) -> None:
        self.session.add(obj)

    async def flush(self) -> None:
        await self.session.flush()
