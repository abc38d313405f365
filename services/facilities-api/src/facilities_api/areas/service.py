"""Reading the district's areas: subdistricts (街道) and communities (社区)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.areas.models import Community, Subdistrict
from facilities_api.areas.repository import AreaRepository
from service_kit.problems import NotFound


@dataclass(frozen=True, slots=True)
class SubdistrictSummary:
    subdistrict: Subdistrict
    community_count: int


async def list_subdistricts(session: AsyncSession) -> list[SubdistrictSummary]:
    return [SubdistrictSummary(s, n) for s, n in await AreaRepository(session).list_subdistricts()]


async def get_subdistrict(session: AsyncSession, *, code: str) -> SubdistrictSummary:
    repo = AreaRepository(session)
    s = await repo.subdistrict_by_code(code)
    if s is None:
        raise NotFound(f"No subdistrict with code {code!r}.")
    return SubdistrictSummary(s, await repo.count_communities(s.id))


async def list_communities(session: AsyncSession, *, subdistrict: str | None) -> Sequence[Community]:
    repo = AreaRepository(session)
    if subdistrict and await repo.subdistrict_by_code(subdistrict) is None:
        raise NotFound(f"No subdistrict with code {subdistrict!r}.")
    return await repo.list_communities(subdistrict)
