"""Reading the district's areas: subdistricts (街道) and communities (社区)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.areas.models import Community, Subdistrict
from facilities_api.areas.repository import AreaRepository
from service_kit.problems import NotFound


def _point(lat: float | None, lon: float | None) -> dict[str, float] | None:
    return {"lat": lat, "lon": lon} if lat is not None and lon is not None else None


def subdistrict_read(s: Subdistrict, community_count: int) -> dict[str, Any]:
    return {
        "code": s.code,
        "name_zh": s.name_zh,
        "name_en": s.name_en,
        "population": s.population,
        "centroid": _point(s.centroid_lat, s.centroid_lon),
        "community_count": community_count,
    }


def community_read(c: Community) -> dict[str, Any]:
    return {
        "code": c.code,
        "subdistrict": c.subdistrict.code,
        "name_zh": c.name_zh,
        "name_en": c.name_en,
        "population": c.population,
        "centroid": _point(c.centroid_lat, c.centroid_lon),
    }


async def list_subdistricts(session: AsyncSession) -> list[dict[str, Any]]:
    return [subdistrict_read(s, n) for s, n in await AreaRepository(session).list_subdistricts()]


async def get_subdistrict(session: AsyncSession, *, code: str) -> dict[str, Any]:
    repo = AreaRepository(session)
    s = await repo.subdistrict_by_code(code)
    if s is None:
        raise NotFound(f"No subdistrict with code {code!r}.")
    return subdistrict_read(s, await repo.count_communities(s.id))


async def list_communities(session: AsyncSession, *, subdistrict: str | None) -> list[dict[str, Any]]:
    repo = AreaRepository(session)
    if subdistrict and await repo.subdistrict_by_code(subdistrict) is None:
        raise NotFound(f"No subdistrict with code {subdistrict!r}.")
    return [community_read(c) for c in await repo.list_communities(subdistrict)]
