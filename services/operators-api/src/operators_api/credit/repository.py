from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from operators_api.credit.models import CreditEntry, Honour
from service_kit.repository import RepositoryBase


class CreditRepository(RepositoryBase[CreditEntry]):
    """The entries of operators' credit records (append-only)."""

    model = CreditEntry
    noun = "credit entry"

    async def entries(self, operator_id: int) -> Sequence[CreditEntry]:
        stmt = select(CreditEntry).where(CreditEntry.operator_id == operator_id).order_by(CreditEntry.id)
        return await self.all(stmt)

    async def total(self, operator_id: int) -> int:
        stmt = select(func.coalesce(func.sum(CreditEntry.points), 0)).where(CreditEntry.operator_id == operator_id)
        return int((await self.session.execute(stmt)).scalar_one())

    async def of_source(self, source_type: str, source_id: int) -> Sequence[CreditEntry]:
        stmt = (
            select(CreditEntry)
            .where(CreditEntry.source_type == source_type, CreditEntry.source_id == source_id)
            .order_by(CreditEntry.id)
        )
        return await self.all(stmt)


class HonourRepository(RepositoryBase[Honour]):
    model = Honour
    noun = "honour"

    async def of_operator(self, operator_id: int) -> Sequence[Honour]:
        stmt = select(Honour).where(Honour.operator_id == operator_id).order_by(Honour.awarded_on, Honour.id)
        return await self.all(stmt)
