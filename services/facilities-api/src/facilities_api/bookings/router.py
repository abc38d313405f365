from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from facilities_api.bookings import service
from facilities_api.bookings.schemas import BookingCreate, BookingRead, BookingStatus, CheckInCreate
from facilities_api.dependencies import ClockDep, PageDep, SettingsDep
from service_kit.auth import Principal, require_roles, signed_in
from service_kit.db import SessionDep
from service_kit.pagination import Page
from service_kit.params import INT32_MAX, ResourceId
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1", tags=["bookings"])

Resident = Annotated[Principal, require_roles("resident")]
# Those who stand at the door: the facility's operator (a key with checkins:write) and officials of the area.
DoorStaff = Annotated[Principal, require_roles("official", "operator", scope="checkins:write")]
# Who booked an activity: what the door needs, and what auditors and services read.
BookingListReader = Annotated[
    Principal, require_roles("official", "operator", "auditor", "service", scope="checkins:write")
]
# A resident's own bookings, an operator's facilities' (a key with operator:read), an official's area's.
BookingReader = Annotated[Principal, signed_in(scope="operator:read")]
BookingCanceller = Annotated[Principal, require_roles("resident", "official")]


def _read(placed: service.Placed, viewer: Principal, now: datetime) -> BookingRead:
    return BookingRead.for_viewer(placed.booking, viewer=viewer, now=now, waitlist_position=placed.waitlist_position)


def _page(placed: service.PlacedPage, viewer: Principal, now: datetime) -> Page[BookingRead]:
    return Page[BookingRead](items=[_read(p, viewer, now) for p in placed.items], next_cursor=placed.next_cursor)


@router.post(
    "/activities/{activity_id}/bookings",
    response_model=BookingRead,
    status_code=201,
    summary="Book seats (residents): confirmed while seats last, then waitlisted in order",
    responses=problems(401, 403, 404, 409, 415, 422),
)
async def book(
    activity_id: ResourceId,
    session: SessionDep,
    settings: SettingsDep,
    principal: Resident,
    clock: ClockDep,
    response: Response,
    body: BookingCreate | None = None,
) -> BookingRead:
    now = clock.now()
    placed = await service.book(
        session,
        settings=settings,
        principal=principal,
        activity_id=activity_id,
        seats=(body or BookingCreate()).seats,
        now=now,
    )
    response.headers["Location"] = f"/api/v1/bookings/{placed.booking.id}"
    return _read(placed, principal, now)


@router.get(
    "/activities/{activity_id}/bookings",
    response_model=Page[BookingRead],
    summary="Who booked an activity (its operator, officials of the area, auditors), newest first",
    responses=problems(401, 403, 404, 422),
)
async def list_activity_bookings(
    activity_id: ResourceId,
    session: SessionDep,
    principal: BookingListReader,
    clock: ClockDep,
    page: PageDep,
    status: BookingStatus | None = None,
) -> Page[BookingRead]:
    placed = await service.list_activity_bookings(
        session, principal=principal, activity_id=activity_id, status=status, cursor=page.cursor, limit=page.limit
    )
    return _page(placed, principal, clock.now())


@router.post(
    "/activities/{activity_id}/check-ins",
    response_model=BookingRead,
    status_code=201,
    summary="Check a resident in at the door with the code they show (the operator, officials of the area)",
    responses=problems(401, 403, 404, 409, 415, 422),
)
async def check_in(
    activity_id: ResourceId,
    body: CheckInCreate,
    session: SessionDep,
    settings: SettingsDep,
    principal: DoorStaff,
    clock: ClockDep,
) -> BookingRead:
    now = clock.now()
    placed = await service.check_in(
        session, settings=settings, principal=principal, activity_id=activity_id, code=body.code, now=now
    )
    return _read(placed, principal, now)


@router.get(
    "/bookings",
    response_model=Page[BookingRead],
    summary="Bookings: a resident's own; an operator's facilities'; an official's area's; newest first",
    responses=problems(401, 422),
)
async def list_bookings(
    session: SessionDep,
    principal: BookingReader,
    clock: ClockDep,
    page: PageDep,
    activity_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    status: BookingStatus | None = None,
) -> Page[BookingRead]:
    placed = await service.list_bookings(
        session, principal=principal, activity_id=activity_id, status=status, cursor=page.cursor, limit=page.limit
    )
    return _page(placed, principal, clock.now())


@router.get("/bookings/{booking_id}", response_model=BookingRead, responses=problems(401, 404, 422))
async def get_booking(
    booking_id: ResourceId, session: SessionDep, principal: BookingReader, clock: ClockDep
) -> BookingRead:
    placed = await service.get_booking(session, principal=principal, booking_id=booking_id)
    return _read(placed, principal, clock.now())


@router.post(
    "/bookings/{booking_id}/cancel",
    response_model=BookingRead,
    summary="Cancel a booking (before the cut-off); the waitlist moves up in order",
    responses=problems(401, 403, 404, 409, 422),
)
async def cancel_booking(
    booking_id: ResourceId, session: SessionDep, principal: BookingCanceller, clock: ClockDep
) -> BookingRead:
    now = clock.now()
    placed = await service.cancel_booking(session, principal=principal, booking_id=booking_id, now=now)
    return _read(placed, principal, now)
