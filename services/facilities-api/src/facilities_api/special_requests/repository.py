from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from facilities_api.areas.models import Subdistrict
from facilities_api.facilities.models import Facility
from facilities_api.special_requests.models import SpecialRequest


class SpecialRequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _with_facility(self) -> Select:
        return select(SpecialRequest).options(joinedload(SpecialRequest.facility).joinedload(Facility.subdistrict))

    async def get(self, request_id: int, *, for_update: bool = False) -> SpecialRequest | None:
        stmt = self._with_facility().where(SpecialRequest.id == request_id)
        if for_update:
            stmt = stmt.with_for_update(of=SpecialRequest)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list(
        self,
        *,
        resident_sub: str | None = None,
        operator_id: int | None = None,
        assigned: bool = False,
        subdistrict: str | None = None,
        facility_id: int | None = None,
        status: str | None = None,
        before_id: int | None = None,
        limit: int,
    ) -> Sequence[SpecialRequest]:
        stmt = self._with_facility().order_by(SpecialRequest.id.desc()).limit(limit)
        if resident_sub is not None:
            stmt = stmt.where(SpecialRequest.resident_sub == resident_sub)
        if operator_id is not None:
            stmt = stmt.where(SpecialRequest.assigned_operator_id == operator_id)
        if assigned:
            stmt = stmt.where(SpecialRequest.status != "submitted")
        if subdistrict is not None:
            sub_id = select(Subdistrict.id).where(Subdistrict.code == subdistrict).scalar_subquery()
            stmt = stmt.where(
                SpecialRequest.facility_id.in_(select(Facility.id).where(Facility.subdistrict_id == sub_id))
            )
        if facility_id is not None:
            stmt = stmt.where(SpecialRequest.facility_id == facility_id)
        if status is not None:
            stmt = stmt.where(SpecialRequest.status == status)
        if before_id is not None:
            stmt = stmt.where(SpecialRequest.id < before_id)
        return (await self.session.execute(stmt)).scalars().all()

    async def closed_before(self, cutoff: datetime, *, limit: int = 500) -> Sequence[SpecialRequest]:
        """Requests closed before `cutoff` whose sensitive data is still there, locked (skipped if another
        sweep holds them)."""
        stmt = (
            select(SpecialRequest)
            .where(SpecialRequest.closed_at < cutoff, SpecialRequest.personal_data_erased_at.is_(None))
            .order_by(SpecialRequest.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(stmt)).scalars().all()

    def add(self, obj: SpecialRequest) -> None:
        self.session.add(obj)

    async def flush(self) -> None:
        await self.session.flush()
