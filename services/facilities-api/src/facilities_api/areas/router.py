from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query

from facilities_api.areas import service
from facilities_api.areas.models import Community
from facilities_api.areas.schemas import CommunityRead, SubdistrictRead
from facilities_api.areas.service import SubdistrictSummary
from service_kit.db import SessionDep
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1", tags=["areas"])


@router.get("/subdistricts", response_model=list[SubdistrictRead], summary="The district's subdistricts (街道)")
async def list_subdistricts(session: SessionDep) -> list[SubdistrictSummary]:
    return await service.list_subdistricts(session)


@router.get("/subdistricts/{code}", response_model=SubdistrictRead, responses=problems(404))
async def get_subdistrict(code: str, session: SessionDep) -> SubdistrictSummary:
    return await service.get_subdistrict(session, code=code)


@router.get(
    "/communities",
    response_model=list[CommunityRead],
    summary="Communities (社区), optionally of one subdistrict",
    responses=problems(404),
)
async def list_communities(
    session: SessionDep,
    subdistrict: Annotated[str | None, Query(max_length=64, description="A subdistrict code.")] = None,
) -> Sequence[Community]:
    return await service.list_communities(session, subdistrict=subdistrict)
