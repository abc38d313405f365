from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from facilities_api.areas.models import Subdistrict
from facilities_api.facilities.models import Facility
from facilities_api.special_requests.models import SpecialRequest
from service_kit.repository import RepositoryBase, Slice


class SpecialRequestRepository(RepositoryBase[SpecialRequest]):
    model = SpecialRequest
    noun = "special-group request"

    def statement(self) -> Select[SpecialRequest]:
        return select(SpecialRequest).options(joinedload(SpecialRequest.facility).joinedload(Facility.subdistrict))

    async def list(
        self,
        *,
        resident_sub: str | None = None,
        operator_id: int | None = None,
        assigned: bool = False,
        subdistrict: str | None = None,
        facility_id: int | None = None,
        status: str | None = None,
        cursor: str | None,
        limit: int,
    ) -> Slice[SpecialRequest]:
        """Newest first."""
        stmt = self.statement()
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
        return await self.page(stmt, cursor=cursor or None, limit=limit)  # an empty cursor: the first page

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
        return await self.all(stmt)
