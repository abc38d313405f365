from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from operators_api.inspections.models import Inspection, Rectification
from operators_api.inspections.rules import AWAITING_OPERATOR
from service_kit.repository import RepositoryBase


@dataclass(frozen=True, slots=True)
class InspectionFilter:
    contract_id: int | None = None
    operator_id: int | None = None
    facility_id: int | None = None


@dataclass(frozen=True, slots=True)
class RectificationFilter:
    contract_id: int | None = None
    operator_id: int | None = None
    status: str | None = None
    overdue_on: date | None = None


class InspectionRepository(RepositoryBase[Inspection]):
    model = Inspection
    noun = "inspection"

    async def search(self, f: InspectionFilter, *, after_id: int | None, limit: int) -> Sequence[Inspection]:
        stmt = select(Inspection).order_by(Inspection.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(Inspection.id > after_id)
        if f.contract_id is not None:
            stmt = stmt.where(Inspection.contract_id == f.contract_id)
        if f.operator_id is not None:
            stmt = stmt.where(Inspection.operator_id == f.operator_id)
        if f.facility_id is not None:
            stmt = stmt.where(Inspection.facility_id == f.facility_id)
        return await self.all(stmt)

    async def of_contract_between(self, contract_id: int, start: date, end: date) -> Sequence[Inspection]:
        stmt = (
            select(Inspection)
            .where(
                Inspection.contract_id == contract_id, Inspection.inspected_on >= start, Inspection.inspected_on <= end
            )
            .order_by(Inspection.inspected_on, Inspection.id)
        )
        return await self.all(stmt)

    async def of_contracts_between(
        self, contract_ids: list[int], start: date, end: date
    ) -> dict[int, list[Inspection]]:
        out: dict[int, list[Inspection]] = {cid: [] for cid in contract_ids}
        if not contract_ids:
            return out
        stmt = (
            select(Inspection)
            .where(
                Inspection.contract_id.in_(contract_ids),
                Inspection.inspected_on >= start,
                Inspection.inspected_on <= end,
            )
            .order_by(Inspection.contract_id, Inspection.inspected_on)
        )
        for i in (await self.session.execute(stmt)).scalars():
            out[i.contract_id].append(i)
        return out


class RectificationRepository(RepositoryBase[Rectification]):
    """整改: ordered by an inspection or a failed evaluation, answered by the operator."""

    model = Rectification
    noun = "rectification"

    async def ids_of_inspection(self, inspection_id: int) -> list[int]:
        stmt = select(Rectification.id).where(Rectification.inspection_id == inspection_id).order_by(Rectification.id)
        return list((await self.session.execute(stmt)).scalars().all())

    async def ids_of_inspections(self, inspection_ids: list[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {i: [] for i in inspection_ids}
        if not inspection_ids:
            return out
        stmt = (
            select(Rectification.inspection_id, Rectification.id)
            .where(Rectification.inspection_id.in_(inspection_ids))
            .order_by(Rectification.id)
        )
        for inspection_id, rectification_id in await self.session.execute(stmt):
            if inspection_id is not None:  # the WHERE keeps only those of an inspection
                out[inspection_id].append(rectification_id)
        return out

    async def latest_of_evaluation(self, evaluation_id: int) -> Rectification | None:
        stmt = (
            select(Rectification)
            .where(Rectification.evaluation_id == evaluation_id)
            .order_by(Rectification.id.desc())
            .limit(1)
        )
        return await self.one_or_none(stmt)

    async def search(self, f: RectificationFilter, *, after_id: int | None, limit: int) -> Sequence[Rectification]:
        stmt = select(Rectification).order_by(Rectification.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(Rectification.id > after_id)
        if f.contract_id is not None:
            stmt = stmt.where(Rectification.contract_id == f.contract_id)
        if f.operator_id is not None:
            stmt = stmt.where(Rectification.operator_id == f.operator_id)
        if f.status:
            stmt = stmt.where(Rectification.status == f.status)
        if f.overdue_on is not None:
            stmt = stmt.where(Rectification.status.in_(AWAITING_OPERATOR), Rectification.deadline_on < f.overdue_on)
        return await self.all(stmt)
