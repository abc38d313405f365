from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from operators_api.reports.models import ServiceReport


@dataclass(frozen=True, slots=True)
class ReportFilter:
    contract_id: int | None = None
    operator_id: int | None = None
    month: str | None = None
    flagged: bool | None = None


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, report_id: int) -> ServiceReport | None:
        return await self.session.get(ServiceReport, report_id)

    async def get_for_update(self, report_id: int) -> ServiceReport | None:
        stmt = select(ServiceReport).where(ServiceReport.id == report_id).with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def of_month(self, contract_id: int, month: str) -> ServiceReport | None:
        stmt = select(ServiceReport).where(ServiceReport.contract_id == contract_id, ServiceReport.month == month)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def of_months(self, contract_id: int, months: list[str]) -> Sequence[ServiceReport]:
        stmt = (
            select(ServiceReport)
            .where(ServiceReport.contract_id == contract_id, ServiceReport.month.in_(months))
            .order_by(ServiceReport.month)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def of_contracts_months(self, contract_ids: list[int], months: list[str]) -> dict[int, list[ServiceReport]]:
        out: dict[int, list[ServiceReport]] = {cid: [] for cid in contract_ids}
        if not contract_ids:
            return out
        stmt = (
            select(ServiceReport)
            .where(ServiceReport.contract_id.in_(contract_ids), ServiceReport.month.in_(months))
            .order_by(ServiceReport.contract_id, ServiceReport.month)
        )
        for r in (await self.session.execute(stmt)).scalars():
            out[r.contract_id].append(r)
        return out

    async def list(self, f: ReportFilter, *, after_id: int | None, limit: int) -> Sequence[ServiceReport]:
        stmt = select(ServiceReport).order_by(ServiceReport.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(ServiceReport.id > after_id)
        if f.contract_id is not None:
            stmt = stmt.where(ServiceReport.contract_id == f.contract_id)
        if f.operator_id is not None:
            stmt = stmt.where(ServiceReport.operator_id == f.operator_id)
        if f.month:
            stmt = stmt.where(ServiceReport.month == f.month)
        if f.flagged is not None:
            stmt = stmt.where(ServiceReport.flagged.is_(f.flagged))
        return (await self.session.execute(stmt)).scalars().all()

    def add(self, obj: object) -> None:
        self.session.add(obj)

    async def flush(self) -> None:
        await self.session.flush()
