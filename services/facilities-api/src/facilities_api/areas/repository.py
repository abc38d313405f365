from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from facilities_api.areas.models import Community, Subdistrict
from service_kit.repository import RepositoryBase


class AreaRepository(RepositoryBase[Subdistrict]):
    """Subdistricts (街道) and their communities (社区)."""

    model = Subdistrict
    noun = "subdistrict"

    async def list_subdistricts(self) -> Sequence[tuple[Subdistrict, int]]:
        counts = (
            select(Community.subdistrict_id, func.count(Community.id).label("n"))
            .group_by(Community.subdistrict_id)
            .subquery()
        )
        stmt = (
            select(Subdistrict, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.subdistrict_id == Subdistrict.id)
            .order_by(Subdistrict.id)
        )
        return [(s, int(n)) for s, n in (await self.session.execute(stmt)).all()]

    async def subdistrict_by_code(self, code: str) -> Subdistrict | None:
        return (await self.session.execute(select(Subdistrict).where(Subdistrict.code == code))).scalar_one_or_none()

    async def community_by_code(self, code: str) -> Community | None:
        stmt = select(Community).options(joinedload(Community.subdistrict)).where(Community.code == code)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list_communities(self, subdistrict_code: str | None) -> Sequence[Community]:
        stmt = select(Community).options(joinedload(Community.subdistrict)).order_by(Community.id)
        if subdistrict_code:
            stmt = stmt.join(Community.subdistrict).where(Subdistrict.code == subdistrict_code)
        return (await self.session.execute(stmt)).scalars().all()

    async def count_communities(self, subdistrict_id: int) -> int:
        stmt = select(func.count(Community.id)).where(Community.subdistrict_id == subdistrict_id)
        return int((await self.session.execute(stmt)).scalar_one())

    def add_community(self, community: Community) -> None:
        self.session.add(community)
