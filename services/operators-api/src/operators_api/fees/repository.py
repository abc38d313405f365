from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from operators_api.fees.models import FeeApplication, FeeGuideline
from service_kit.repository import RepositoryBase


@dataclass(frozen=True, slots=True)
class FeeFilter:
    operator_id: int | None = None
    contract_id: int | None = None
    facility_id: int | None = None
    status: str | None = None


class FeeRepository(RepositoryBase[FeeApplication]):
    model = FeeApplication
    noun = "fee application"

    async def guideline(self) -> FeeGuideline | None:
        stmt = select(FeeGuideline).order_by(FeeGuideline.version.desc()).limit(1)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def live_for_service(self, facility_id: int, service_id: int) -> FeeApplication | None:
        stmt = select(FeeApplication).where(
            FeeApplication.facility_id == facility_id,
            FeeApplication.service_id == service_id,
            FeeApplication.status.in_(("submitted", "approved")),
        )
        return (await self.session.execute(stmt.limit(1))).scalar_one_or_none()

    async def approved_of_contract(self, contract_id: int) -> Sequence[FeeApplication]:
        stmt = (
            select(FeeApplication)
            .where(FeeApplication.contract_id == contract_id, FeeApplication.status == "approved")
            .order_by(FeeApplication.id)
            .with_for_update()
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def find(self, f: FeeFilter, *, after_id: int | None, limit: int) -> Sequence[FeeApplication]:
        stmt = select(FeeApplication).order_by(FeeApplication.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(FeeApplication.id > after_id)
        if f.operator_id is not None:
            stmt = stmt.where(FeeApplication.operator_id == f.operator_id)
        if f.contract_id is not None:
            stmt = stmt.where(FeeApplication.contract_id == f.contract_id)
        if f.facility_id is not None:
            stmt = stmt.where(FeeApplication.facility_id == f.facility_id)
        if f.status:
            stmt = stmt.where(FeeApplication.status == f.status)
        return (await self.session.execute(stmt)).scalars().all()

    def add_guideline(self, record: FeeGuideline) -> None:
        """A new version of the district's fee guideline, staged."""
        self.session.add(record)
