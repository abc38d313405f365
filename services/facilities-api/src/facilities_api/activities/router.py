from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from facilities_api.activities import ics, service
from facilities_api.activities.repository import ActivityFilter
from facilities_api.activities.schemas import (
    ActivityCancel,
    ActivityCategory,
    ActivityCreate,
    ActivityRead,
    ActivityStatus,
    ActivityUpdate,
)
from facilities_api.dependencies import ClockDep, PageDep
from facilities_api.vocab import DistrictDateTime, TargetGroup
from service_kit.auth import Principal, require_roles, viewer
from service_kit.db import SessionDep
from service_kit.etag import IfMatchDep, set_etag
from service_kit.pagination import Page
from service_kit.params import INT32_MAX, ResourceId
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1/activities", tags=["activities"])
calendar_router = APIRouter(prefix="/api/v1", tags=["activities"])


class CalendarResponse(Response):
    media_type = "text/calendar"
    charset = "utf-8"


async def activity_filters(
    starts_from: Annotated[
        DistrictDateTime | None,
        Query(alias="from", description="Starting at or after (ISO 8601; no zone = Asia/Shanghai)."),
    ] = None,
    starts_to: Annotated[DistrictDateTime | None, Query(alias="to", description="Starting before.")] = None,
    facility_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    subdistrict: Annotated[str | None, Query(max_length=64)] = None,
    category: ActivityCategory | None = None,
    brand: Annotated[str | None, Query(max_length=100, description="e.g. 书海听涛")] = None,
    target_group: Annotated[TargetGroup | None, Query(description="For this group (or for everyone).")] = None,
    has_seats: Annotated[bool | None, Query(description="true: seats left to book; false: full.")] = None,
    status: Annotated[
        ActivityStatus | None,
        Query(description="Default: published ones, upcoming and finished. Drafts only for their staff."),
    ] = None,
) -> ActivityFilter:
    return ActivityFilter(
        starts_from=starts_from,
        starts_to=starts_to,
        facility_id=facility_id,
        subdistrict=subdistrict,
        category=category,
        brand=brand,
        target_group=target_group,
        has_seats=has_seats,
        status=status,
    )


FiltersDep = Annotated[ActivityFilter, Depends(activity_filters)]
# Drafts show to their staff; an operator's key sees them with operator:read.
Viewer = Annotated[Principal | None, viewer(scope="operator:read")]
# Drafting, publishing, editing and cancelling: officials of the area and the facility's operator.
ActivityWriter = Annotated[Principal, require_roles("official", "operator", scope="activities:write")]


@router.get(
    "",
    response_model=Page[ActivityRead],
    summary="Find activities (time window, facility, subdistrict, category, brand, target group, seats left), in start order",
    responses=problems(401, 422),
)
async def list_activities(
    session: SessionDep,
    principal: Viewer,
    clock: ClockDep,
    filters: FiltersDep,
    page: PageDep,
) -> Page[ActivityRead]:
    now = clock.now()
    found = await service.list_activities(
        session, principal=principal, filters=filters, cursor=page.cursor, limit=page.limit, now=now
    )
    return Page[ActivityRead](items=[ActivityRead.as_of(a, now) for a in found.items], next_cursor=found.next_cursor)


@calendar_router.get(
    "/activities.ics",
    response_class=CalendarResponse,
    summary="The same filtered activities as an iCalendar (RFC 5545) feed to subscribe to",
    responses={
        200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "An iCalendar file"},
        **problems(401, 422),
    },
)
async def activities_calendar(
    request: Request,
    session: SessionDep,
    principal: Viewer,
    clock: ClockDep,
    filters: FiltersDep,
    limit: Annotated[int, Query(ge=1, le=2000, description="At most this many events, soonest first.")] = 500,
) -> CalendarResponse:
    now = clock.now()
    rows = await service.list_for_calendar(session, principal=principal, filters=filters, limit=limit, now=now)
    body = ics.calendar(rows, now=now, host=request.url.hostname or "culture-ops")
    return CalendarResponse(body, headers={"Content-Disposition": 'inline; filename="activities.ics"'})


@router.post(
    "",
    response_model=ActivityRead,
    status_code=201,
    summary="Draft (or publish at once) an activity: the facility's operator, or officials of its area",
    responses=problems(401, 403, 404, 415, 422),
)
async def create_activity(
    body: ActivityCreate, session: SessionDep, principal: ActivityWriter, clock: ClockDep, response: Response
) -> ActivityRead:
    now = clock.now()
    a = await service.create_activity(session, principal=principal, data=body, now=now)
    response.headers["Location"] = f"/api/v1/activities/{a.id}"
    set_etag(response, a.version)
    return ActivityRead.as_of(a, now)


@router.get("/{activity_id}", response_model=ActivityRead, responses=problems(401, 404, 422))
async def get_activity(
    activity_id: ResourceId, session: SessionDep, principal: Viewer, clock: ClockDep, response: Response
) -> ActivityRead:
    a = await service.get_activity(session, principal=principal, activity_id=activity_id)
    set_etag(response, a.version)
    return ActivityRead.as_of(a, clock.now())


@router.patch(
    "/{activity_id}",
    response_model=ActivityRead,
    summary="Edit an activity (send If-Match); capacity never below the seats already booked",
    responses=problems(401, 403, 404, 412, 415, 422, 428),
)
async def update_activity(
    activity_id: ResourceId,
    body: ActivityUpdate,
    response: Response,
    session: SessionDep,
    principal: ActivityWriter,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> ActivityRead:
    now = clock.now()
    a = await service.update_activity(
        session,
        principal=principal,
        activity_id=activity_id,
        data=body,
        if_match=if_match,
        now=now,
    )
    set_etag(response, a.version)
    return ActivityRead.as_of(a, now)


@router.post(
    "/{activity_id}/publish",
    response_model=ActivityRead,
    summary="Publish a draft (If-Match optional)",
    responses=problems(401, 403, 404, 412, 422),
)
async def publish_activity(
    activity_id: ResourceId,
    response: Response,
    session: SessionDep,
    principal: ActivityWriter,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> ActivityRead:
    now = clock.now()
    a = await service.publish_activity(
        session,
        principal=principal,
        activity_id=activity_id,
        if_match=if_match,
        now=now,
    )
    set_etag(response, a.version)
    return ActivityRead.as_of(a, now)


@router.post(
    "/{activity_id}/cancel",
    response_model=ActivityRead,
    summary="Cancel an activity, with the reason residents will see (If-Match optional)",
    responses=problems(401, 403, 404, 412, 415, 422),
)
async def cancel_activity(
    activity_id: ResourceId,
    body: ActivityCancel,
    response: Response,
    session: SessionDep,
    principal: ActivityWriter,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> ActivityRead:
    now = clock.now()
    a = await service.cancel_activity(
        session,
        principal=principal,
        activity_id=activity_id,
        reason=body.reason,
        if_match=if_match,
        now=now,
    )
    set_etag(response, a.version)
    return ActivityRead.as_of(a, now)
