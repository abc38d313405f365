from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from facilities_api.areas.models import Community, Subdistrict
from facilities_api.facilities.models import Facility, FacilityChange


@dataclass(frozen=True, slots=True)
class FacilityFilter:
    q: str | None = None
    kind: str | None = None
    level: str | None = None
    subdistrict: str | None = None
    community: str | None = None
    status: str | None = None


class FacilityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _with_areas(self):
        return select(Facility).options(joinedload(Facility.subdistrict), joinedload(Facility.community))

    async def get(self, facility_id: int) -> Facility | None:
        stmt = self._with_areas().where(Facility.id == facility_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def get_for_update(self, facility_id: int) -> Facility | None:
        stmt = self._with_areas().where(Facility.id == facility_id).with_for_update(of=Facility)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def parent_chain(self, facility_id: int, limit: int = 10) -> list[int]:
        """Ids from this facility up through its ancestors (bounded, so a bad row cannot loop)."""
        chain: list[int] = []
        current: int | None = facility_id
        while current is not None and len(chain) < limit:
            chain.append(current)
            current = (
                await self.session.execute(select(Facility.parent_id).where(Facility.id == current))
            ).scalar_one_or_none()
        return chain

    async def list(self, f: FacilityFilter, *, after_id: int | None, limit: int) -> Sequence[Facility]:
        stmt = self._with_areas().order_by(Facility.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(Facility.id > after_id)
        if f.kind:
            stmt = stmt.where(Facility.kind == f.kind)
        if f.level:
            stmt = stmt.where(Facility.level == f.level)
        if f.status:
            stmt = stmt.where(Facility.status == f.status)
        if f.subdistrict:
            stmt = stmt.where(Facility.subdistrict.has(Subdistrict.code == f.subdistrict))
        if f.community:
            stmt = stmt.where(Facility.community.has(Community.code == f.community))
        if f.q:
            needle = f"%{f.q.lower()}%"
            stmt = stmt.where(
                or_(
                    func.lower(Facility.name_zh).like(needle),
                    func.lower(Facility.name_en).like(needle),
                    func.lower(Facility.address_zh).like(needle),
                )
            )
        return (await self.session.execute(stmt)).scalars().all()

    async def history(self, facility_id: int) -> Sequence[FacilityChange]:
        stmt = select(FacilityChange).where(FacilityChange.facility_id == facility_id).order_by(FacilityChange.id)
        return (await self.session.execute(stmt)).scalars().all()

    def add(self, obj: Facility | FacilityChange) -> None:
        self.session.add(obj)

    async def flush(self) -> None:
        await self.session.flush()
