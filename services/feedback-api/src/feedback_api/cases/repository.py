from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from feedback_api.cases.models import CaseStep, ResidentCase
from service_kit.repository import RepositoryBase, Slice

AWAITING_ANSWER = ("submitted", "accepted", "assigned", "reopened")


@dataclass(frozen=True, slots=True)
class CaseFilter:
    status: str | None = None
    kind: str | None = None
    category: str | None = None
    facility_id: int | None = None
    overdue_at: datetime | None = None  # only cases past their deadline at this moment


class CaseRepository(RepositoryBase[ResidentCase]):
    model = ResidentCase
    noun = "case"

    async def by_token(self, token: str) -> ResidentCase | None:
        return await self.one_or_none(
            self.statement().where(ResidentCase.token == token)
        )

    async def list_visible(
        self,
        f: CaseFilter,
        *,
        resident_sub: str | None = None,
        operator_id: int | None = None,
        subdistrict: str | None = None,
        not_categories: tuple[str, ...] = (),
        cursor: str | None,
        limit: int,
    ) -> Slice[ResidentCase]:
        c = ResidentCase
        stmt = self.statement()
        if resident_sub is not None:
            stmt = stmt.where(c.resident_sub == resident_sub)
        if operator_id is not None:
            # Assigned to it, or about a facility it ran (but not `not_categories`: the complaints about itself).
            about_its_facility = c.operator_id == operator_id
            if not_categories:
                about_its_facility = and_(
                    about_its_facility, c.category.not_in(not_categories)
                )
            stmt = stmt.where(
                or_(c.assignee_operator_id == operator_id, about_its_facility)
            )
        if subdistrict is not None:
            stmt = stmt.where(c.subdistrict == subdistrict)
        if f.status:
            stmt = stmt.where(c.status == f.status)
        if f.kind:
            stmt = stmt.where(c.kind == f.kind)
        if f.category:
            stmt = stmt.where(c.category == f.category)
        if f.facility_id is not None:
            stmt = stmt.where(c.facility_id == f.facility_id)
        if f.overdue_at is not None:
            stmt = stmt.where(c.status.in_(AWAITING_ANSWER), c.due_at < f.overdue_at)
        return await self.page(stmt, cursor=cursor, limit=limit)

    async def count_by_resident_since(self, resident_sub: str, since: datetime) -> int:
        stmt = select(func.count()).where(
            ResidentCase.resident_sub == resident_sub, ResidentCase.created_at >= since
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def count_by_client_since(self, client_id: int, since: datetime) -> int:
        stmt = select(func.count()).where(
            ResidentCase.open311_client_id == client_id,
            ResidentCase.created_at >= since,
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def overdue_to_escalate(
        self, now: datetime, *, bureau_categories: tuple[str, ...]
    ) -> Sequence[ResidentCase]:
        """Cases an operator should have answered by now, and complaints of `bureau_categories` a
        subdistrict's officials should have: locked (skipping any another sweep holds)."""
        c = ResidentCase
        stmt = (
            self.statement()
            .where(
                ResidentCase.status.in_(("assigned", "reopened")),
                or_(
                    c.assignee_type == "operator",
                    and_(
                        c.assignee_type == "official",
                        c.category.in_(bureau_categories),
                        c.subdistrict.is_not(None),
                    ),
                ),
                ResidentCase.due_at < now,
            )
            .order_by(ResidentCase.id)
            .with_for_update(skip_locked=True)
        )
        return await self.all(stmt)

    async def count_overdue(self, now: datetime) -> int:
        stmt = select(func.count()).where(
            ResidentCase.status.in_(AWAITING_ANSWER), ResidentCase.due_at < now
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def steps(self, case_id: int) -> Sequence[CaseStep]:
        stmt = select(CaseStep).where(CaseStep.case_id == case_id).order_by(CaseStep.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def open311_list(
        self,
        *,
        ids: list[int] | None,
        codes: list[str] | None,
        statuses: list[str] | None,
        start: datetime | None,
        end: datetime | None,
        limit: int,
    ) -> Sequence[ResidentCase]:
        c = ResidentCase
        stmt = self.statement().order_by(c.created_at.desc(), c.id.desc()).limit(limit)
        if ids is not None:
            stmt = stmt.where(c.id.in_(ids))
        if codes:
            stmt = stmt.where(c.category.in_(codes))
        if statuses:
            wanted = []
            if "open" in statuses:
                wanted += [
                    s
                    for s in (
                        "submitted",
                        "accepted",
                        "assigned",
                        "responded",
                        "reopened",
                        "confirmed",
                    )
                ]
            if "closed" in statuses:
                wanted.append("closed")
            stmt = stmt.where(c.status.in_(wanted))
        if start is not None:
            stmt = stmt.where(c.created_at >= start)
        if end is not None:
            stmt = stmt.where(c.created_at <= end)
        return await self.all(stmt)
