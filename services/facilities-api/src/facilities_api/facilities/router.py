from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from facilities_api.dependencies import SettingsDep
from facilities_api.facilities import service
from facilities_api.facilities.repository import FacilityFilter
from facilities_api.facilities.schemas import (
    FacilityChangeRead,
    FacilityCreate,
    FacilityRead,
    FacilityUpdate,
    Kind,
    Level,
    Status,
)
from service_kit.auth import CurrentPrincipal
from service_kit.db import SessionDep
from service_kit.etag import check_if_match, etag_for
from service_kit.pagination import Page, PageParams, page_params
from service_kit.params import ResourceId
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1/facilities", tags=["facilities"])


@router.get("", response_model=Page[FacilityRead], summary="Find facilities", responses=problems(422))
async def list_facilities(
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    q: Annotated[str | None, Query(max_length=100, description="Text in the name (zh or en) or address.")] = None,
    kind: Kind | None = None,
    level: Level | None = None,
    subdistrict: Annotated[str | None, Query(max_length=64)] = None,
    community: Annotated[str | None, Query(max_length=64)] = None,
    status: Status | None = None,
) -> dict[str, Any]:
    filters = FacilityFilter(q=q, kind=kind, level=level, subdistrict=subdistrict, community=community, status=status)
    return await service.list_facilities(session, filters=filters, cursor=page.cursor, limit=page.limit)


@router.post(
    "",
    response_model=FacilityRead,
    status_code=201,
    summary="Add a facility to the registry (officials)",
    responses=problems(401, 403, 409, 415, 422),
)
async def create_facility(
    body: FacilityCreate, session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal, response: Response
) -> dict[str, Any]:
    read = await service.create_facility(session, settings=settings, principal=principal, data=body)
    response.headers["Location"] = f"/api/v1/facilities/{read['id']}"
    response.headers["ETag"] = etag_for(read["version"])
    return read


@router.get("/{facility_id}", response_model=FacilityRead, responses=problems(404))
async def get_facility(facility_id: ResourceId, session: SessionDep, response: Response) -> dict[str, Any]:
    facility = await service.get_facility(session, facility_id=facility_id)
    response.headers["ETag"] = etag_for(facility.version)
    return service.facility_read(facility)


@router.patch(
    "/{facility_id}",
    response_model=FacilityRead,
    summary="Edit a facility (officials; send If-Match with the ETag you read)",
    responses=problems(401, 403, 404, 412, 415, 422, 428),
)
async def update_facility(
    facility_id: ResourceId,
    body: FacilityUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
) -> dict[str, Any]:
    read = await service.update_facility(
        session,
        settings=settings,
        principal=principal,
        facility_id=facility_id,
        data=body,
        check_version=lambda version: check_if_match(request, version),
    )
    response.headers["ETag"] = etag_for(read["version"])
    return read


@router.get(
    "/{facility_id}/history",
    response_model=list[FacilityChangeRead],
    summary="Who changed what, when",
    responses=problems(404),
)
async def facility_history(facility_id: ResourceId, session: SessionDep) -> list[dict[str, Any]]:
    return await service.facility_history(session, facility_id=facility_id)
