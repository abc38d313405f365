from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from facilities_api.dependencies import ClockDep
from facilities_api.offerings import service
from facilities_api.offerings.schemas import ServiceCreate, ServiceRead, ServiceUpdate
from service_kit.auth import Principal, require_roles
from service_kit.db import SessionDep
from service_kit.etag import check_if_match, etag_for
from service_kit.params import ResourceId
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1/facilities/{facility_id}/services", tags=["services offered"])


@router.get(
    "",
    response_model=list[ServiceRead],
    summary="The services a facility offers (服务项目), with each approved fee",
    responses=problems(404, 422),
)
async def list_services(
    facility_id: ResourceId,
    session: SessionDep,
    clock: ClockDep,
    include_inactive: Annotated[bool, Query(description="Also the services no longer offered.")] = False,
) -> list[dict[str, Any]]:
    return await service.list_services(session, facility_id=facility_id, include_inactive=include_inactive, now=clock.now())


@router.post(
    "",
    response_model=ServiceRead,
    status_code=201,
    summary="Offer a service (officials of the area, the facility's operator); basic services are free",
    responses=problems(401, 403, 404, 415, 422),
)
async def create_service(
    principal: Annotated[Principal, require_roles("official")],
    facility_id: ResourceId,
    body: ServiceCreate,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
) -> dict[str, Any]:
    read = await service.create_service(session, principal=principal, facility_id=facility_id, data=body, now=clock.now())
    response.headers["Location"] = f"/api/v1/facilities/{facility_id}/services/{read['id']}"
    response.headers["ETag"] = etag_for(read["version"])
    return read


@router.get("/{service_id}", response_model=ServiceRead, responses=problems(404, 422))
async def get_service(
    facility_id: ResourceId, service_id: ResourceId, session: SessionDep, clock: ClockDep, response: Response
) -> dict[str, Any]:
    read = await service.get_service(session, facility_id=facility_id, service_id=service_id, now=clock.now())
    response.headers["ETag"] = etag_for(read["version"])
    return read


@router.patch(
    "/{service_id}",
    response_model=ServiceRead,
    summary="Edit a service offered (send If-Match); a fee needs an approval in force and stays under its cap",
    responses=problems(401, 403, 404, 412, 415, 422, 428),
)
async def update_service(
    principal: Annotated[Principal, require_roles("official", "operator")],
    facility_id: ResourceId,
    service_id: ResourceId,
    body: ServiceUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    clock: ClockDep,
) -> dict[str, Any]:
    read = await service.update_service(
        session,
        principal=principal,
        facility_id=facility_id,
        service_id=service_id,
        data=body,
        check_version=lambda version: check_if_match(request, version),
        now=clock.now(),
    )
    response.headers["ETag"] = etag_for(read["version"])
    return read
