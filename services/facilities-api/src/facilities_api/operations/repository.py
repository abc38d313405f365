from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select

from facilities_api.operations.models import OperationPeriod
from service_kit.repository import RepositoryBase


class OperationRepository(RepositoryBase[OperationPeriod]):
    model = OperationPeriod
    noun = "operation period"

    async def open_period(self, facility_id: int) -> OperationPeriod | None:
        stmt = (
            select(OperationPeriod)
            .where(OperationPeriod.facility_id == facility_id, OperationPeriod.ends_on.is_(None))
            .order_by(OperationPeriod.id.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def period_of(self, facility_id: int, contract_id: int) -> OperationPeriod | None:
        stmt = select(OperationPeriod).where(
            OperationPeriod.facility_id == facility_id, OperationPeriod.contract_id == contract_id
        )
        return (await self.session.execute(stmt.order_by(OperationPeriod.id.desc()).limit(1))).scalar_one_or_none()

    async def periods_of_operator(self, operator_id: int, start: date, end: date) -> Sequence[OperationPeriod]:
        """The periods of this operator that overlap [start, end]."""
        stmt = (
            select(OperationPeriod)
            .where(OperationPeriod.operator_id == operator_id, OperationPeriod.starts_on <= end)
            .where(or_(OperationPeriod.ends_on.is_(None), OperationPeriod.ends_on >= start))
            .order_by(OperationPeriod.facility_id, OperationPeriod.starts_on)
        )
        return (await self.session.execute(stmt)).scalars().all()
