from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select

from facilities_api.offerings.models import FeeApproval, ServiceBasicPeriod, ServiceOffered, ServiceProposal
from service_kit.repository import RepositoryBase, Slice


class OfferingRepository(RepositoryBase[ServiceOffered]):
    model = ServiceOffered
    noun = "service"

    async def offered(self, facility_id: int, service_id: int, *, for_update: bool = False) -> ServiceOffered | None:
        """The service `service_id` if facility `facility_id` offers it."""
        stmt = select(ServiceOffered).where(ServiceOffered.id == service_id, ServiceOffered.facility_id == facility_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list(self, facility_id: int, *, include_inactive: bool) -> Sequence[ServiceOffered]:
        stmt = select(ServiceOffered).where(ServiceOffered.facility_id == facility_id).order_by(ServiceOffered.id)
        if not include_inactive:
            stmt = stmt.where(ServiceOffered.active.is_(True))
        return (await self.session.execute(stmt)).scalars().all()

    async def approval_in_force(self, facility_id: int, service_id: int, on: date) -> FeeApproval | None:
        """The active, unexpired approval with the highest cap (the latest on a tie)."""
        stmt = (
            select(FeeApproval)
            .where(FeeApproval.facility_id == facility_id, FeeApproval.service_id == service_id)
            .where(FeeApproval.status == "active", FeeApproval.expires_on >= on)
            .order_by(FeeApproval.approved_fee_fen.desc(), FeeApproval.application_id.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def approvals_in_force(self, facility_id: int, on: date) -> dict[int, FeeApproval]:
        stmt = (
            select(FeeApproval)
            .where(FeeApproval.facility_id == facility_id, FeeApproval.status == "active", FeeApproval.expires_on >= on)
            .order_by(FeeApproval.approved_fee_fen, FeeApproval.application_id)
        )
        return {a.service_id: a for a in (await self.session.execute(stmt)).scalars()}

    async def approval(self, application_id: int, *, for_update: bool = False) -> FeeApproval | None:
        stmt = select(FeeApproval).where(FeeApproval.application_id == application_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def basic_periods(self, service_ids: Sequence[int]) -> dict[int, builtins.list[ServiceBasicPeriod]]:
        if not service_ids:
            return {}
        stmt = (
            select(ServiceBasicPeriod)
            .where(ServiceBasicPeriod.service_id.in_(service_ids))
            .order_by(ServiceBasicPeriod.starts_at, ServiceBasicPeriod.id)
        )
        out: dict[int, list[ServiceBasicPeriod]] = {i: [] for i in service_ids}
        for p in (await self.session.execute(stmt)).scalars():
            out[p.service_id].append(p)
        return out

    async def open_basic_period(self, service_id: int) -> ServiceBasicPeriod | None:
        stmt = (
            select(ServiceBasicPeriod)
            .where(ServiceBasicPeriod.service_id == service_id, ServiceBasicPeriod.ends_at.is_(None))
            .with_for_update()
        )
        return (await self.session.execute(stmt)).scalars().first()

    def add_period(self, period: ServiceBasicPeriod) -> None:
        self.session.add(period)

    def add_approval(self, approval: FeeApproval) -> None:
        self.session.add(approval)


class ProposalRepository(RepositoryBase[ServiceProposal]):
    """Proposals to add a service to a facility's catalogue, and their review queue."""

    model = ServiceProposal
    noun = "service proposal"

    async def of_facility(
        self, facility_id: int, proposal_id: int, *, for_update: bool = False
    ) -> ServiceProposal | None:
        stmt = select(ServiceProposal).where(
            ServiceProposal.id == proposal_id, ServiceProposal.facility_id == facility_id
        )
        if for_update:
            stmt = stmt.with_for_update()
        return await self.one_or_none(stmt)

    async def list(
        self,
        *,
        facility_id: int | None = None,
        status: str | None = None,
        proposer_operator_id: int | None = None,
        facility_ids: Sequence[int] | None = None,
        cursor: str | None,
        limit: int,
    ) -> Slice[ServiceProposal]:
        """Newest first. With `proposer_operator_id` and/or `facility_ids`: only those proposed by that
        operator's staff or about those facilities."""
        stmt = select(ServiceProposal)
        if facility_id is not None:
            stmt = stmt.where(ServiceProposal.facility_id == facility_id)
        if status is not None:
            stmt = stmt.where(ServiceProposal.status == status)
        if proposer_operator_id is not None or facility_ids is not None:
            stmt = stmt.where(
                or_(
                    ServiceProposal.proposer_operator_id
                    == (proposer_operator_id if proposer_operator_id is not None else -1),
                    ServiceProposal.facility_id.in_(list(facility_ids or [])),
                )
            )
        return await self.page(stmt, cursor=cursor or None, limit=limit)  # an empty cursor: the first page
