from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from operators_api.reports.models import ServiceReport
from service_kit.repository import RepositoryBase


@dataclass(frozen=True, slots=True)
class ReportFilter:
    contract_id: int | None = None
    operator_id: int | None = None
    month: str | None = None
    flagged: bool | None = None


class ReportRepository(RepositoryBase[ServiceReport]):
    model = ServiceReport
    noun = "service report"

    async def of_month(self, contract_id: int, month: str) -> ServiceReport | None:
        stmt = select(ServiceReport).where(ServiceReport.contract_id == contract_id, ServiceReport.month == month)
        return await self.one_or_none(stmt)

    async def of_months(self, contract_id: int, months: list[str]) -> Sequence[ServiceReport]:
        stmt = (
            select(ServiceReport)
            .where(ServiceReport.contract_id == contract_id, ServiceReport.month.in_(months))
            .order_by(ServiceReport.month)
        )
        return await self.all(stmt)

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

    async def search(self, f: ReportFilter, *, after_id: int | None, limit: int) -> Sequence[ServiceReport]:
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
        return await self.all(stmt)
