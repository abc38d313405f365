from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import RowMapping, delete, insert, select

from operators_api.evaluations.models import Appeal, Evaluation, EvaluationEvidence, EvaluationScheme, EvaluationVersion
from service_kit.repository import RepositoryBase


@dataclass(frozen=True, slots=True)
class EvaluationFilter:
    contract_id: int | None = None
    operator_id: int | None = None
    period: str | None = None
    status: str | None = None
    grade: str | None = None


class SchemeRepository(RepositoryBase[EvaluationScheme]):
    model = EvaluationScheme
    noun = "evaluation scheme"

    async def search(self) -> Sequence[EvaluationScheme]:
        return await self.all(self.statement().order_by(EvaluationScheme.id))


class EvaluationRepository(RepositoryBase[Evaluation]):
    """An evaluation with its parts: the evidence it used, its published versions and its appeal."""

    model = Evaluation
    noun = "evaluation"

    def add_part(self, part: EvaluationEvidence | EvaluationVersion | Appeal) -> None:
        self.session.add(part)

    async def of_contract_period(self, contract_id: int, period: str) -> Evaluation | None:
        stmt = select(Evaluation).where(Evaluation.contract_id == contract_id, Evaluation.period == period)
        return await self.one_or_none(stmt)

    async def of_contracts_period(self, contract_ids: list[int], period: str) -> dict[int, Evaluation]:
        if not contract_ids:
            return {}
        stmt = select(Evaluation).where(Evaluation.contract_id.in_(contract_ids), Evaluation.period == period)
        return {e.contract_id: e for e in (await self.session.execute(stmt)).scalars()}

    async def published_of_contract(self, contract_id: int) -> Sequence[Evaluation]:
        """Published evaluations of a contract, latest period last."""
        stmt = (
            select(Evaluation)
            .where(Evaluation.contract_id == contract_id, Evaluation.status == "published")
            .order_by(Evaluation.period_end_on, Evaluation.id)
        )
        return await self.all(stmt)

    async def published_of_contracts(self, contract_ids: list[int]) -> dict[int, list[Evaluation]]:
        out: dict[int, list[Evaluation]] = {cid: [] for cid in contract_ids}
        if not contract_ids:
            return out
        stmt = (
            select(Evaluation)
            .where(Evaluation.contract_id.in_(contract_ids), Evaluation.status == "published")
            .order_by(Evaluation.contract_id, Evaluation.period_end_on)
        )
        for e in (await self.session.execute(stmt)).scalars():
            out[e.contract_id].append(e)
        return out

    async def published_rows_of_contracts(self, contract_ids: list[int]) -> dict[int, list[RowMapping]]:
        out: dict[int, list[RowMapping]] = {cid: [] for cid in contract_ids}
        if not contract_ids:
            return out
        e = Evaluation
        stmt = (
            select(e.id, e.contract_id, e.period, e.period_end_on, e.score_centi, e.grade, e.published_at)
            .where(e.contract_id.in_(contract_ids), e.status == "published")
            .order_by(e.contract_id, e.period_end_on)
        )
        for row in (await self.session.execute(stmt)).mappings():
            out[row["contract_id"]].append(row)
        return out

    async def search(self, f: EvaluationFilter, *, after_id: int | None, limit: int) -> Sequence[Evaluation]:
        stmt = select(Evaluation).order_by(Evaluation.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(Evaluation.id > after_id)
        if f.contract_id is not None:
            stmt = stmt.where(Evaluation.contract_id == f.contract_id)
        if f.operator_id is not None:
            stmt = stmt.where(Evaluation.operator_id == f.operator_id)
        if f.period:
            stmt = stmt.where(Evaluation.period == f.period)
        if f.status:
            stmt = stmt.where(Evaluation.status == f.status)
        if f.grade:
            stmt = stmt.where(Evaluation.grade == f.grade)
        return await self.all(stmt)

    async def evidence(self, evaluation_id: int) -> Sequence[EvaluationEvidence]:
        stmt = (
            select(EvaluationEvidence)
            .where(EvaluationEvidence.evaluation_id == evaluation_id)
            .order_by(EvaluationEvidence.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def clear_evidence_of(self, evaluation_ids: list[int]) -> None:
        if evaluation_ids:
            await self.session.execute(
                delete(EvaluationEvidence).where(EvaluationEvidence.evaluation_id.in_(evaluation_ids))
            )

    async def insert_evidence(self, rows: list[dict[str, Any]]) -> None:
        """Many evidence rows in one statement (no ORM objects: a batch writes thousands)."""
        if rows:
            await self.session.execute(insert(EvaluationEvidence), rows)

    async def appeal_of(self, evaluation_id: int) -> Appeal | None:
        return (
            await self.session.execute(select(Appeal).where(Appeal.evaluation_id == evaluation_id))
        ).scalar_one_or_none()

    async def appeals_of(self, evaluation_ids: list[int]) -> dict[int, Appeal]:
        """The appeals of a page of evaluations, by evaluation id (one query)."""
        if not evaluation_ids:
            return {}
        rows = await self.session.execute(select(Appeal).where(Appeal.evaluation_id.in_(evaluation_ids)))
        return {a.evaluation_id: a for a in rows.scalars()}

    async def appeal_for_update(self, evaluation_id: int) -> Appeal | None:
        stmt = select(Appeal).where(Appeal.evaluation_id == evaluation_id).with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def versions(self, evaluation_id: int) -> Sequence[EvaluationVersion]:
        stmt = (
            select(EvaluationVersion)
            .where(EvaluationVersion.evaluation_id == evaluation_id)
            .order_by(EvaluationVersion.number)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def grade_deciders(self, evaluation_id: int) -> set[str]:
        """Who decided an evaluation's grade: the official who published it, and one who upheld its appeal."""
        published_by = (
            await self.session.execute(select(Evaluation.published_by).where(Evaluation.id == evaluation_id))
        ).scalar_one_or_none()
        upheld_by = (
            await self.session.execute(
                select(Appeal.decided_by).where(Appeal.evaluation_id == evaluation_id, Appeal.status == "upheld")
            )
        ).scalar_one_or_none()
        return {who for who in (published_by, upheld_by) if who}
