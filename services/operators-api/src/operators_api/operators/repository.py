from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from operators_api.operators.models import Operator, OperatorChange
from service_kit.repository import RepositoryBase


@dataclass(frozen=True, slots=True)
class OperatorFilter:
    q: str | None = None
    type: str | None = None
    status: str | None = None
    code: str | None = None


class OperatorRepository(RepositoryBase[Operator]):
    model = Operator
    noun = "operator"

    async def by_uscc(self, uscc: str) -> Operator | None:
        return (await self.session.execute(select(Operator).where(Operator.uscc == uscc))).scalar_one_or_none()

    async def by_code(self, code: str) -> Operator | None:
        return (await self.session.execute(select(Operator).where(Operator.code == code))).scalar_one_or_none()

    async def find(self, f: OperatorFilter, *, after_id: int | None, limit: int) -> Sequence[Operator]:
        stmt = select(Operator).order_by(Operator.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(Operator.id > after_id)
        if f.type:
            stmt = stmt.where(Operator.type == f.type)
        if f.status:
            stmt = stmt.where(Operator.status == f.status)
        if f.code:
            stmt = stmt.where(Operator.code == f.code)
        if f.q:
            # % and _ in the query are searched for, not wildcards.
            escaped = f.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            needle = f"%{escaped}%"
            stmt = stmt.where(
                or_(
                    func.lower(Operator.legal_name).like(needle, escape="\\"),
                    func.lower(Operator.name_en).like(needle, escape="\\"),
                    func.lower(Operator.code).like(needle, escape="\\"),
                    func.lower(Operator.uscc).like(needle, escape="\\"),
                )
            )
        return (await self.session.execute(stmt)).scalars().all()

    async def names(self, ids: set[int] | list[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = await self.session.execute(
            select(Operator.id, Operator.legal_name).where(Operator.id.in_(sorted(set(ids))))
        )
        return {r.id: r.legal_name for r in rows}

    async def party_rows(self, ids: set[int] | list[int]) -> dict[int, dict[str, str]]:
        """id → {uscc, legal_name, registered_address}: what open data says about an operator."""
        if not ids:
            return {}
        stmt = select(Operator.id, Operator.uscc, Operator.legal_name, Operator.registered_address).where(
            Operator.id.in_(sorted(set(ids)))
        )
        return {
            r.id: {"uscc": r.uscc, "legal_name": r.legal_name, "registered_address": r.registered_address}
            for r in await self.session.execute(stmt)
        }

    async def get_many(self, ids: set[int] | list[int]) -> dict[int, Operator]:
        if not ids:
            return {}
        rows = (await self.session.execute(select(Operator).where(Operator.id.in_(sorted(set(ids)))))).scalars().all()
        return {o.id: o for o in rows}

    async def history(self, operator_id: int) -> Sequence[OperatorChange]:
        stmt = select(OperatorChange).where(OperatorChange.operator_id == operator_id).order_by(OperatorChange.id)
        return (await self.session.execute(stmt)).scalars().all()

    def add_change(self, record: OperatorChange) -> None:
        """An entry of the operator's history, staged with the change it records."""
        self.session.add(record)
