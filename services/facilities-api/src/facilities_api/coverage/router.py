from typing import Annotated

from fastapi import APIRouter, Query

from facilities_api.coverage import service
from facilities_api.coverage.schemas import BranchNode, CommunityCoverageList, CoverageTable
from facilities_api.dependencies import ClockDep, SettingsDep
from service_kit.db import SessionDep
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1/coverage", tags=["coverage"])

Radius = Annotated[
    int | None, Query(ge=100, le=10_000, description="Walking radius in metres (default from settings, 1000).")
]


@router.get(
    "/subdistricts",
    response_model=CoverageTable,
    summary="有没有 / 够不够 per subdistrict: facilities, floor area and seats per 10,000 residents, hours, a month's activities",
    responses=problems(422),
)
async def coverage_table(
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM (default: this month).")] = None,
    radius_m: Radius = None,
) -> service.Table:
    return await service.coverage_table(
        session, month=month, radius_m=radius_m or settings.walking_radius_m, now=clock.now()
    )


@router.get(
    "/communities",
    response_model=CommunityCoverageList,
    summary="Each community's nearest open facility, and whether one is within a walk",
    responses=problems(404, 422),
)
async def community_coverage(
    session: SessionDep,
    settings: SettingsDep,
    subdistrict: Annotated[str | None, Query(max_length=64)] = None,
    radius_m: Radius = None,
) -> service.Communities:
    return await service.community_coverage(
        session, subdistrict=subdistrict, radius_m=radius_m or settings.walking_radius_m
    )


@router.get(
    "/branch-systems",
    response_model=list[BranchNode],
    summary="The main-branch systems (总分馆制): each main branch with its branches and service points",
    responses=problems(422),
)
async def branch_systems(
    session: SessionDep, subdistrict: Annotated[str | None, Query(max_length=64)] = None
) -> list[service.Branch]:
    return await service.branch_systems(session, subdistrict=subdistrict)
