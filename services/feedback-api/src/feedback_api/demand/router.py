from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from feedback_api.demand import service
from feedback_api.demand.schemas import (
    DemandAnswer,
    DemandCategory,
    DemandCreate,
    DemandDetail,
    DemandRead,
    DemandStats,
    DemandStatus,
)
from feedback_api.dependencies import ClockDep, FacilitiesDep, SettingsDep
from feedback_api.periods import PERIOD_PATTERN
from service_kit.auth import Principal, require_roles
from service_kit.db import SessionDep
from service_kit.etag import IfMatchDep, set_etag
from service_kit.pagination import Page, PageParams, page_params
from service_kit.params import ResourceId
from service_kit.problems import PROBLEM_MEDIA_TYPE, Problem, problems

router = APIRouter(prefix="/api/v1/demands", tags=["demand"])
# Residents ask; officials file a community's request.
Requester = Annotated[Principal, require_roles("resident", "official")]
# Who reads requests (which ones is the service's rule): a resident's own, officials' of their area, the
# operator running the facility asked for (masked; its systems with operator:read), auditors, services.
DemandReader = Annotated[
    Principal,
    require_roles(
        "resident", "operator", "official", "auditor", "service", scope="operator:read"
    ),
]
Official = Annotated[Principal, require_roles("official")]
FACILITIES_DOWN: dict[int | str, dict[str, Any]] = {
    503: {
        "model": Problem,
        "content": {PROBLEM_MEDIA_TYPE: {}},
        "description": "facilities-api is unavailable; nothing was saved",
    }
}


@router.get(
    "/stats",
    response_model=DemandStats,
    summary="Demand by community, category, subdistrict or period: requests by status and menu votes (public)",
    responses=problems(422),
)
async def demand_stats(
    session: SessionDep,
    group_by: Literal["community", "category", "subdistrict", "period"] = "category",
    period: Annotated[
        str | None, Query(pattern=PERIOD_PATTERN, description="A quarter, e.g. 2026Q4.")
    ] = None,
) -> DemandStats:
    figures = await service.stats(session, group_by=group_by, period=period)
    return DemandStats.model_validate(figures)


@router.post(
    "",
    response_model=DemandRead,
    status_code=201,
    summary="Ask for a service (residents), or file a community's request (officials)",
    responses={**problems(401, 403, 415, 422, 429), **FACILITIES_DOWN},
)
async def create_demand(
    body: DemandCreate,
    response: Response,
    session: SessionDep,
    principal: Requester,
    facilities: FacilitiesDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> DemandRead:
    d = await service.create(
        session,
        principal=principal,
        data=body,
        facilities=facilities,
        settings=settings,
        clock=clock,
    )
    response.headers["Location"] = f"/api/v1/demands/{d.id}"
    set_etag(response, d.version)
    return DemandRead.for_viewer(d, viewer=principal)


@router.get(
    "",
    response_model=Page[DemandRead],
    summary="Demand requests: a resident's own; officials' of their area; an operator's for the facilities it runs now (masked)",
    responses=problems(401, 403, 422),
)
async def list_demands(
    session: SessionDep,
    principal: DemandReader,
    page: Annotated[PageParams, Depends(page_params)],
    status: DemandStatus | None = None,
    category: DemandCategory | None = None,
) -> Page[DemandRead]:
    found = await service.list_demands(
        session,
        viewer=principal,
        status=status,
        category=category,
        cursor=page.cursor,
        limit=page.limit,
    )
    return Page[DemandRead](
        items=[DemandRead.for_viewer(d, viewer=principal) for d in found.items],
        next_cursor=found.next_cursor,
    )


@router.get(
    "/{demand_id}",
    response_model=DemandDetail,
    summary="One demand request with its history",
    responses=problems(401, 403, 404, 422),
)
async def get_demand(
    demand_id: ResourceId,
    response: Response,
    session: SessionDep,
    principal: DemandReader,
) -> DemandDetail:
    found = await service.get(session, demand_id=demand_id, viewer=principal)
    set_etag(response, found.demand.version)
    return DemandDetail.of(found.demand, found.steps, viewer=principal)


@router.post(
    "/{demand_id}/answer",
    response_model=DemandRead,
    summary="Answer a request: planned, declined (with the reason) or delivered (by an activity held) (officials of its area; If-Match)",
    responses={**problems(401, 403, 404, 409, 412, 415, 422, 428), **FACILITIES_DOWN},
)
async def answer_demand(
    demand_id: ResourceId,
    body: DemandAnswer,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: Official,
    facilities: FacilitiesDep,
    clock: ClockDep,
) -> DemandRead:
    d = await service.answer(
        session,
        if_match=if_match,
        principal=principal,
        demand_id=demand_id,
        data=body,
        facilities=facilities,
        clock=clock,
    )
    set_etag(response, d.version)
    return DemandRead.for_viewer(d, viewer=principal)
