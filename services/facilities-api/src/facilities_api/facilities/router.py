from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from facilities_api.dependencies import ClockDep, PageDep, SettingsDep
from facilities_api.facilities import service
from facilities_api.facilities.geo import parse_point
from facilities_api.facilities.models import Facility, FacilityChange, OpeningException
from facilities_api.facilities.repository import FacilityFilter, Near
from facilities_api.facilities.schemas import (
    Accessibility,
    FacilityChangeRead,
    FacilityCreate,
    FacilityFeatureCollection,
    FacilityRead,
    FacilitySchedule,
    FacilityUpdate,
    Kind,
    Level,
    OpeningExceptionCreate,
    OpeningExceptionRead,
    Status,
)
from facilities_api.vocab import BoundedDate
from service_kit.auth import Principal, require_roles
from service_kit.db import SessionDep
from service_kit.etag import IfMatchDep, set_etag
from service_kit.pagination import Page
from service_kit.params import INT32_MAX, ResourceId
from service_kit.problems import RuleViolation, problems

router = APIRouter(prefix="/api/v1/facilities", tags=["facilities"])
geojson_router = APIRouter(prefix="/api/v1", tags=["facilities"])

MAX_RADIUS_M = 50_000
# Most facilities asked for by id in one list request (another service renewing what it remembers).
MAX_IDS = 100


class GeoJSONResponse(JSONResponse):
    media_type = "application/geo+json"


async def facility_filters(
    clock: ClockDep,
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Text in the name (zh or en), address, or the name's pinyin (景山, jingshan, js).",
        ),
    ] = None,
    kind: Kind | None = None,
    level: Level | None = None,
    subdistrict: Annotated[str | None, Query(max_length=64)] = None,
    community: Annotated[str | None, Query(max_length=64)] = None,
    status: Status | None = None,
    accessibility: Annotated[
        list[Accessibility] | None, Query(max_length=9, description="Facilities with every one of these features.")
    ] = None,
    open_now: Annotated[
        bool | None, Query(description="Only facilities open at this moment (weekly hours and their exceptions).")
    ] = None,
    operator_id: Annotated[int | None, Query(ge=1, le=2_147_483_647, description="Run by this operator now.")] = None,
    ids: Annotated[
        list[Annotated[int, Field(ge=1, le=INT32_MAX)]] | None,
        Query(
            alias="id",
            max_length=MAX_IDS,
            description=f"Only these facilities (repeat it, up to {MAX_IDS}): several records read in one request.",
        ),
    ] = None,
) -> FacilityFilter:
    return FacilityFilter(
        q=q,
        kind=kind,
        level=level,
        subdistrict=subdistrict,
        community=community,
        status=status,
        accessibility=tuple(dict.fromkeys(accessibility or [])),
        open_at=service.open_at(clock.now()) if open_now else None,
        operator_id=operator_id,
        ids=tuple(sorted(set(ids))) if ids is not None else None,
    )


async def near_param(
    near: Annotated[
        str | None,
        Query(max_length=60, description="lat,lon: nearest first, within radius_m.", examples=["39.928,116.398"]),
    ] = None,
    radius_m: Annotated[int, Query(ge=1, le=MAX_RADIUS_M, description="With near: how far to look (metres).")] = 3000,
) -> Near | None:
    if near is None:
        return None
    point = parse_point(near)
    if point is None:
        raise RuleViolation("near", "near is 'lat,lon' in decimal degrees, e.g. 39.928,116.398.", code="invalid-point")
    return Near(lat=point[0], lon=point[1], radius_m=float(radius_m))


FiltersDep = Annotated[FacilityFilter, Depends(facility_filters)]
NearDep = Annotated[Near | None, Depends(near_param)]


@router.get(
    "",
    response_model=Page[FacilityRead],
    summary="Find facilities (by text, kind, level, area, status, accessibility, open now, or nearest to a point)",
    responses=problems(422),
)
async def list_facilities(
    session: SessionDep,
    page: PageDep,
    filters: FiltersDep,
    near: NearDep,
) -> Page[FacilityRead]:
    hits = await service.list_facilities(session, filters=filters, near=near, cursor=page.cursor, limit=page.limit)
    return Page[FacilityRead](
        items=[FacilityRead.of(hit.facility, distance_m=hit.distance_m) for hit in hits.items],
        next_cursor=hits.next_cursor,
    )


@geojson_router.get(
    "/facilities.geojson",
    response_model=FacilityFeatureCollection,
    response_class=GeoJSONResponse,
    summary="The same filtered facilities, whole, as an RFC 7946 GeoJSON FeatureCollection",
    responses=problems(422),
)
async def facilities_geojson(session: SessionDep, filters: FiltersDep, near: NearDep) -> FacilityFeatureCollection:
    return FacilityFeatureCollection.of(await service.facilities_geojson(session, filters=filters, near=near))


@router.post(
    "",
    response_model=FacilityRead,
    status_code=201,
    summary="Add a facility to the registry (officials)",
    responses=problems(401, 403, 409, 415, 422),
)
async def create_facility(
    principal: Annotated[Principal, require_roles("official")],
    body: FacilityCreate,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> Facility:
    facility = await service.create_facility(session, settings=settings, principal=principal, data=body)
    response.headers["Location"] = f"/api/v1/facilities/{facility.id}"
    set_etag(response, facility.version)
    return facility


@router.get("/{facility_id}", response_model=FacilityRead, responses=problems(404))
async def get_facility(facility_id: ResourceId, session: SessionDep, response: Response) -> Facility:
    facility = await service.get_facility(session, facility_id=facility_id)
    set_etag(response, facility.version)
    return facility


@router.patch(
    "/{facility_id}",
    response_model=FacilityRead,
    summary="Edit a facility (officials; send If-Match with the ETag you read)",
    responses=problems(401, 403, 404, 412, 415, 422, 428),
)
async def update_facility(
    principal: Annotated[Principal, require_roles("official")],
    facility_id: ResourceId,
    body: FacilityUpdate,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    if_match: IfMatchDep,
) -> Facility:
    facility = await service.update_facility(
        session,
        settings=settings,
        principal=principal,
        facility_id=facility_id,
        data=body,
        if_match=if_match,
    )
    set_etag(response, facility.version)
    return facility


@router.get(
    "/{facility_id}/history",
    response_model=list[FacilityChangeRead],
    summary="Who changed what, when",
    responses=problems(404),
)
async def facility_history(facility_id: ResourceId, session: SessionDep) -> Sequence[FacilityChange]:
    return await service.facility_history(session, facility_id=facility_id)


@router.get(
    "/{facility_id}/opening-hours",
    response_model=FacilitySchedule,
    summary="The hours of each day (weekly hours with holidays and closures applied), and whether it is open now",
    responses=problems(404, 422),
)
async def facility_schedule(
    facility_id: ResourceId,
    session: SessionDep,
    clock: ClockDep,
    start: Annotated[
        BoundedDate | None, Query(alias="from", description="First day (default today, local time).")
    ] = None,
    days: Annotated[int, Query(ge=1, le=62)] = 7,
) -> service.Schedule:
    return await service.facility_schedule(session, facility_id=facility_id, start=start, days=days, now=clock.now())


@router.get(
    "/{facility_id}/opening-exceptions",
    response_model=list[OpeningExceptionRead],
    summary="Holidays, closures and other hours that have not ended yet",
    responses=problems(404),
)
async def list_opening_exceptions(
    facility_id: ResourceId, session: SessionDep, clock: ClockDep
) -> Sequence[OpeningException]:
    return await service.list_exceptions(session, facility_id=facility_id, now=clock.now())


@router.post(
    "/{facility_id}/opening-exceptions",
    response_model=OpeningExceptionRead,
    status_code=201,
    summary="Close the facility or change its hours over some days (officials of its area, its operator)",
    responses=problems(401, 403, 404, 415, 422),
)
async def add_opening_exception(
    principal: Annotated[Principal, require_roles("official", "operator")],
    facility_id: ResourceId,
    body: OpeningExceptionCreate,
    session: SessionDep,
    clock: ClockDep,
) -> OpeningException:
    return await service.add_exception(
        session, principal=principal, facility_id=facility_id, data=body, now=clock.now()
    )


@router.delete(
    "/{facility_id}/opening-exceptions/{exception_id}",
    status_code=204,
    summary="Remove an opening exception",
    responses=problems(401, 403, 404),
)
async def remove_opening_exception(
    principal: Annotated[Principal, require_roles("official", "operator")],
    facility_id: ResourceId,
    exception_id: ResourceId,
    session: SessionDep,
) -> Response:
    await service.remove_exception(session, principal=principal, facility_id=facility_id, exception_id=exception_id)
    return Response(status_code=204)
