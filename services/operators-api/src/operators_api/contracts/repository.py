from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import RowMapping, and_, func, or_, select

from operators_api.contracts.models import Contract, ContractFacility, Instalment
from operators_api.contracts.rules import HOLDING
from service_kit.repository import RepositoryBase


@dataclass(frozen=True, slots=True)
class ContractFilter:
    operator_id: int | None = None
    facility_id: int | None = None
    status: str | None = None
    selection_id: int | None = None
    include_drafts: bool = False
    drafts_of_operator: int | None = None


class ContractRepository(RepositoryBase[Contract]):
    model = Contract
    noun = "contract"

    async def by_reference(self, reference: str) -> Contract | None:
        return (
            await self.session.execute(select(Contract).where(Contract.reference == reference))
        ).scalar_one_or_none()

    async def find(self, f: ContractFilter, *, after_id: int | None, limit: int) -> Sequence[Contract]:
        stmt = select(Contract).order_by(Contract.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(Contract.id > after_id)
        if not f.include_drafts:
            visible = Contract.status != "draft"
            if f.drafts_of_operator is not None:
                visible = or_(visible, Contract.operator_id == f.drafts_of_operator)
            stmt = stmt.where(visible)
        if f.operator_id is not None:
            stmt = stmt.where(Contract.operator_id == f.operator_id)
        if f.status:
            stmt = stmt.where(Contract.status == f.status)
        if f.selection_id is not None:
            stmt = stmt.where(Contract.selection_id == f.selection_id)
        if f.facility_id is not None:
            stmt = stmt.where(
                Contract.id.in_(
                    select(ContractFacility.contract_id).where(ContractFacility.facility_id == f.facility_id)
                )
            )
        return (await self.session.execute(stmt)).scalars().all()

    async def running(
        self, on_or_after: date, on_or_before: date, *, purchaser: str | None = None, any_purchaser: bool = True
    ) -> Sequence[Contract]:
        """Active or suspended contracts whose period overlaps [on_or_after, on_or_before]."""
        stmt = (
            select(Contract)
            .where(Contract.status.in_(("active", "suspended")))
            .where(Contract.starts_on <= on_or_before, Contract.ends_on >= on_or_after)
            .order_by(Contract.id)
        )
        if not any_purchaser:
            stmt = stmt.where(Contract.purchaser_subdistrict == purchaser)
        return (await self.session.execute(stmt)).scalars().all()

    async def due_to_expire(self, today: date) -> Sequence[Contract]:
        stmt = (
            select(Contract)
            .where(Contract.status.in_(("active", "suspended")), Contract.ends_on < today)
            .order_by(Contract.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def due_to_start(self, today: date) -> Sequence[Contract]:
        """Active contracts whose start date has come and whose facilities are not handed over yet."""
        stmt = (
            select(Contract)
            .where(
                Contract.status == "active",
                Contract.handed_over_at.is_(None),
                Contract.starts_on <= today,
                Contract.ends_on >= today,
            )
            .order_by(Contract.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def public_rows_of_selections(self, selection_ids: list[int]) -> Sequence[RowMapping]:
        """Contracts (not drafts) that follow these selections, as plain rows (OCDS)."""
        if not selection_ids:
            return []
        t = Contract.__table__
        stmt = select(t).where(t.c.selection_id.in_(selection_ids), t.c.status != "draft").order_by(t.c.id)
        return (await self.session.execute(stmt)).mappings().all()

    async def public_rows_without_selection(self, *, after_id: int | None, limit: int) -> Sequence[RowMapping]:
        t = Contract.__table__
        stmt = select(t).where(t.c.selection_id.is_(None), t.c.status != "draft").order_by(t.c.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(t.c.id > after_id)
        return (await self.session.execute(stmt)).mappings().all()

    async def instalment_rows(self, contract_ids: list[int]) -> dict[int, list[RowMapping]]:
        out: dict[int, list[RowMapping]] = {cid: [] for cid in contract_ids}
        if not contract_ids:
            return out
        t = Instalment.__table__
        stmt = select(t).where(t.c.contract_id.in_(contract_ids)).order_by(t.c.contract_id, t.c.seq)
        for row in (await self.session.execute(stmt)).mappings():
            out[row["contract_id"]].append(row)
        return out

    async def of_award(self, bid_id: int) -> Contract | None:
        stmt = select(Contract).where(
            Contract.bid_id == bid_id, Contract.status != "cancelled", Contract.renewed_from_id.is_(None)
        )
        return (await self.session.execute(stmt.limit(1))).scalar_one_or_none()

    async def renewal_of(self, contract_id: int) -> Contract | None:
        stmt = select(Contract).where(Contract.renewed_from_id == contract_id, Contract.status != "cancelled")
        return (await self.session.execute(stmt.limit(1))).scalar_one_or_none()

    # -- facilities ---------------------------------------------------------------------------------
    async def facility_ids(self, contract_id: int) -> list[int]:
        stmt = (
            select(ContractFacility.facility_id)
            .where(ContractFacility.contract_id == contract_id)
            .order_by(ContractFacility.facility_id)
        )
        return list((await self.session.execute(stmt)).scalars().all())

    async def facilities_of(self, contract_ids: list[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {cid: [] for cid in contract_ids}
        if not contract_ids:
            return out
        stmt = (
            select(ContractFacility.contract_id, ContractFacility.facility_id)
            .where(ContractFacility.contract_id.in_(contract_ids))
            .order_by(ContractFacility.contract_id, ContractFacility.facility_id)
        )
        for row in await self.session.execute(stmt):
            out[row.contract_id].append(row.facility_id)
        return out

    async def set_facilities(self, contract_id: int, facility_ids: list[int]) -> None:
        current = {
            f.facility_id: f
            for f in (
                await self.session.execute(select(ContractFacility).where(ContractFacility.contract_id == contract_id))
            ).scalars()
        }
        for fid, row in current.items():
            if fid not in facility_ids:
                await self.session.delete(row)
        for fid in facility_ids:
            if fid not in current:
                self.session.add(ContractFacility(contract_id=contract_id, facility_id=fid))

    async def lock_facilities(self, facility_ids: list[int]) -> None:
        """PostgreSQL: one transaction at a time decides who holds these facilities (two officials
        contracting the same facility at once). SQLite has one writer already."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for fid in sorted(set(facility_ids)):
            await self.session.execute(select(func.pg_advisory_xact_lock(4242, fid)))

    async def overlapping(
        self, facility_ids: list[int], starts_on: date, ends_on: date, *, exclude_id: int | None
    ) -> list[tuple[int, int]]:
        """(contract id, facility id) of contracts holding one of these facilities in an overlapping period."""
        end = func.coalesce(Contract.ended_on, Contract.ends_on)
        stmt = (
            select(Contract.id, ContractFacility.facility_id)
            .join(ContractFacility, ContractFacility.contract_id == Contract.id)
            .where(ContractFacility.facility_id.in_(facility_ids))
            .where(Contract.status.in_(HOLDING))
            .where(and_(Contract.starts_on <= ends_on, end >= starts_on))
            .order_by(Contract.id, ContractFacility.facility_id)
        )
        if exclude_id is not None:
            stmt = stmt.where(Contract.id != exclude_id)
        return [(r[0], r[1]) for r in await self.session.execute(stmt)]

    async def operator_of_facility(self, facility_id: int, on: date) -> Contract | None:
        """The running contract covering the facility on that day."""
        stmt = (
            select(Contract)
            .join(ContractFacility, ContractFacility.contract_id == Contract.id)
            .where(
                ContractFacility.facility_id == facility_id,
                Contract.status.in_(("active", "suspended", "terminated", "expired")),
            )
            .where(Contract.starts_on <= on, func.coalesce(Contract.ended_on, Contract.ends_on) >= on)
            .order_by(Contract.id.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    # -- instalments --------------------------------------------------------------------------------
    async def instalments(self, contract_id: int) -> Sequence[Instalment]:
        stmt = select(Instalment).where(Instalment.contract_id == contract_id).order_by(Instalment.seq)
        return (await self.session.execute(stmt)).scalars().all()

    async def instalments_of(self, contract_ids: list[int]) -> dict[int, list[Instalment]]:
        out: dict[int, list[Instalment]] = {cid: [] for cid in contract_ids}
        if not contract_ids:
            return out
        stmt = (
            select(Instalment)
            .where(Instalment.contract_id.in_(contract_ids))
            .order_by(Instalment.contract_id, Instalment.seq)
        )
        for row in (await self.session.execute(stmt)).scalars():
            out[row.contract_id].append(row)
        return out

    async def instalment_for_update(self, contract_id: int, seq: int) -> Instalment | None:
        stmt = select(Instalment).where(Instalment.contract_id == contract_id, Instalment.seq == seq).with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def linked_instalment(self, contract_id: int, period: str) -> Instalment | None:
        stmt = select(Instalment).where(Instalment.contract_id == contract_id, Instalment.linked_period == period)
        return (await self.session.execute(stmt.limit(1))).scalar_one_or_none()

    async def replace_instalments(self, contract_id: int, rows: list[Instalment]) -> None:
        for old in await self.instalments(contract_id):
            await self.session.delete(old)
        await self.session.flush()
        for row in rows:
            self.session.add(row)

    def add_part(self, record: ContractFacility | Instalment) -> None:
        """A facility or instalment of a contract, staged."""
        self.session.add(record)
