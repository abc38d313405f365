from typing import Annotated

from fastapi import APIRouter, Query, Response

from facilities_api.dependencies import ClockDep, PageDep
from facilities_api.special_requests import service
from facilities_api.special_requests.schemas import (
    RequestStatus,
    SpecialRequestAssign,
    SpecialRequestCreate,
    SpecialRequestNote,
    SpecialRequestRead,
    SpecialRequestReject,
    SpecialRequestSchedule,
)
from service_kit.auth import Principal, require_roles, signed_in
from service_kit.db import SessionDep
from service_kit.etag import IfMatchDep, set_etag
from service_kit.pagination import Page
from service_kit.params import INT32_MAX, ResourceId
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1/special-requests", tags=["special-group requests"])

ACTION_ERRORS = problems(401, 403, 404, 412, 415, 422)

# Residents ask for themselves; officials (community staff among them) file for an elder without a phone.
Filer = Annotated[Principal, require_roles("resident", "official")]
# The resident's own, the assignee's (an operator's key with special_requests:handle), an official's area's.
Reader = Annotated[Principal, signed_in(scope="special_requests:handle")]
Official = Annotated[Principal, require_roles("official")]
# The assignee does the service: the operator's staff (or its key) or the staff member named, or an official.
Handler = Annotated[Principal, require_roles("official", "operator", scope="special_requests:handle")]
# The resident, or the official who filed on their behalf.
Requester = Annotated[Principal, require_roles("resident", "official")]


@router.post(
    "",
    response_model=SpecialRequestRead,
    status_code=201,
    summary="Ask for an appointment or a home delivery (elderly, minor, disabled or low-income residents)",
    responses=problems(401, 403, 415, 422),
)
async def submit(
    body: SpecialRequestCreate, session: SessionDep, principal: Filer, clock: ClockDep, response: Response
) -> SpecialRequestRead:
    shown = await service.submit(session, principal=principal, data=body, now=clock.now())
    response.headers["Location"] = f"/api/v1/special-requests/{shown.request.id}"
    set_etag(response, shown.request.version)
    return SpecialRequestRead.of(shown)


@router.get(
    "",
    response_model=Page[SpecialRequestRead],
    summary="Requests: a resident's own, an operator's assigned ones, an official's area's; newest first",
    responses=problems(401, 422),
)
async def list_requests(
    session: SessionDep,
    principal: Reader,
    page: PageDep,
    facility_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    status: RequestStatus | None = None,
) -> Page[SpecialRequestRead]:
    found = await service.list_requests(
        session, principal=principal, facility_id=facility_id, status=status, cursor=page.cursor, limit=page.limit
    )
    return Page[SpecialRequestRead](
        items=[SpecialRequestRead.of(s) for s in found.items], next_cursor=found.next_cursor
    )


@router.get("/{request_id}", response_model=SpecialRequestRead, responses=problems(401, 404, 422))
async def get_request(
    request_id: ResourceId, session: SessionDep, principal: Reader, response: Response
) -> SpecialRequestRead:
    shown = await service.get_request(session, principal=principal, request_id=request_id)
    set_etag(response, shown.request.version)
    return SpecialRequestRead.of(shown)


@router.post(
    "/{request_id}/verify",
    response_model=SpecialRequestRead,
    summary="Verify the declared special-group status (officials)",
    responses=ACTION_ERRORS,
)
async def verify(
    request_id: ResourceId,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> SpecialRequestRead:
    return SpecialRequestRead.of(
        await service.verify(session, principal=principal, request_id=request_id, if_match=if_match, now=clock.now())
    )


@router.post(
    "/{request_id}/assign",
    response_model=SpecialRequestRead,
    summary="Assign to the facility's operator or a staff member (officials)",
    responses=ACTION_ERRORS,
)
async def assign(
    request_id: ResourceId,
    body: SpecialRequestAssign,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> SpecialRequestRead:
    return SpecialRequestRead.of(
        await service.assign(
            session,
            principal=principal,
            request_id=request_id,
            data=body,
            if_match=if_match,
            now=clock.now(),
        )
    )


@router.post(
    "/{request_id}/schedule",
    response_model=SpecialRequestRead,
    summary="Set the appointment or delivery time (the assignee)",
    responses=ACTION_ERRORS,
)
async def schedule(
    request_id: ResourceId,
    body: SpecialRequestSchedule,
    session: SessionDep,
    principal: Handler,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> SpecialRequestRead:
    return SpecialRequestRead.of(
        await service.schedule(
            session,
            principal=principal,
            request_id=request_id,
            data=body,
            if_match=if_match,
            now=clock.now(),
        )
    )


@router.post(
    "/{request_id}/complete",
    response_model=SpecialRequestRead,
    summary="Record the service as done (the assignee)",
    responses=ACTION_ERRORS,
)
async def complete(
    request_id: ResourceId,
    session: SessionDep,
    principal: Handler,
    clock: ClockDep,
    if_match: IfMatchDep,
    body: SpecialRequestNote | None = None,
) -> SpecialRequestRead:
    return SpecialRequestRead.of(
        await service.complete(
            session,
            principal=principal,
            request_id=request_id,
            note=(body.note if body else ""),
            if_match=if_match,
            now=clock.now(),
        )
    )


@router.post(
    "/{request_id}/confirm",
    response_model=SpecialRequestRead,
    summary="Confirm the service was received (the resident)",
    responses=ACTION_ERRORS,
)
async def confirm(
    request_id: ResourceId,
    session: SessionDep,
    principal: Requester,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> SpecialRequestRead:
    return SpecialRequestRead.of(
        await service.confirm(session, principal=principal, request_id=request_id, if_match=if_match, now=clock.now())
    )


@router.post(
    "/{request_id}/reject",
    response_model=SpecialRequestRead,
    summary="Turn a request down, with the reason (officials)",
    responses=ACTION_ERRORS,
)
async def reject(
    request_id: ResourceId,
    body: SpecialRequestReject,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> SpecialRequestRead:
    return SpecialRequestRead.of(
        await service.reject(
            session,
            principal=principal,
            request_id=request_id,
            reason=body.reason,
            if_match=if_match,
            now=clock.now(),
        )
    )


@router.post(
    "/{request_id}/cancel",
    response_model=SpecialRequestRead,
    summary="Withdraw a request (the resident)",
    responses=ACTION_ERRORS,
)
async def cancel(
    request_id: ResourceId,
    session: SessionDep,
    principal: Requester,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> SpecialRequestRead:
    return SpecialRequestRead.of(
        await service.cancel(session, principal=principal, request_id=request_id, if_match=if_match, now=clock.now())
    )
