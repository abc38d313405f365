from typing import Annotated

from fastapi import APIRouter, Depends, Response

from operators_api.cultivation import service
from operators_api.cultivation.models import Incubation
from operators_api.cultivation.schemas import (
    AttendanceSet,
    EnrolmentCreate,
    EnrolmentRead,
    IncubationCreate,
    IncubationRead,
    IncubationStatus,
    IncubationStatusChange,
    ProgrammeCreate,
    ProgrammeRead,
)
from operators_api.dependencies import ClockDep
from operators_api.gates import DistrictOfficial, Official, OfficialOrStaff, Reader
from operators_api.reads import Listing, page_of
from service_kit.db import SessionDep
from service_kit.pagination import Page, PageParams, page_params
from service_kit.params import ResourceId
from service_kit.problems import problems


def _programme(x: service.ProgrammeWithSessions) -> ProgrammeRead:
    return ProgrammeRead.with_sessions(x.programme, x.sessions, x.enrolled)


def _enrolments(found: list[service.EnrolmentWithAttendance]) -> list[EnrolmentRead]:
    return [EnrolmentRead.with_attendance(x.enrolment, x.sessions_attended) for x in found]


trainings_router = APIRouter(prefix="/api/v1/trainings", tags=["cultivation"])
incubations_router = APIRouter(prefix="/api/v1/incubations", tags=["cultivation"])


@trainings_router.get(
    "",
    response_model=Page[ProgrammeRead],
    summary="Training programmes (培训) for operators, organisations and teams",
    responses=problems(422),
)
async def list_programmes(
    session: SessionDep, page: Annotated[PageParams, Depends(page_params)]
) -> Page[ProgrammeRead]:
    found = await service.list_programmes(session, cursor=page.cursor, limit=page.limit)
    return page_of(found, _programme)


@trainings_router.post(
    "",
    response_model=ProgrammeRead,
    status_code=201,
    summary="Set up a programme with its sessions (officials)",
    responses=problems(401, 403, 422),
)
async def create_programme(
    body: ProgrammeCreate, session: SessionDep, principal: Official, clock: ClockDep, response: Response
) -> ProgrammeRead:
    done = await service.create_programme(session, principal=principal, clock=clock, data=body)
    response.headers["Location"] = f"/api/v1/trainings/{done.programme.id}"
    return _programme(done)


@trainings_router.get("/{programme_id}", response_model=ProgrammeRead, responses=problems(404))
async def get_programme(programme_id: ResourceId, session: SessionDep) -> ProgrammeRead:
    return _programme(await service.read_programme(session, programme_id))


@trainings_router.get(
    "/{programme_id}/enrolments", response_model=list[EnrolmentRead], responses=problems(401, 403, 404)
)
async def list_enrolments(programme_id: ResourceId, session: SessionDep, viewer: Reader) -> list[EnrolmentRead]:
    return _enrolments(await service.list_enrolments(session, viewer=viewer, programme_id=programme_id))


@trainings_router.post(
    "/{programme_id}/enrolments",
    response_model=EnrolmentRead,
    status_code=201,
    summary="Enrol a participant (officials; an operator's staff for their own people)",
    responses=problems(401, 403, 404, 409, 422),
)
async def enrol(
    programme_id: ResourceId, body: EnrolmentCreate, session: SessionDep, principal: OfficialOrStaff, clock: ClockDep
) -> EnrolmentRead:
    done = await service.enrol(session, principal=principal, clock=clock, programme_id=programme_id, data=body)
    return EnrolmentRead.with_attendance(done.enrolment, done.sessions_attended)


@trainings_router.put(
    "/{programme_id}/sessions/{session_id}/attendance",
    response_model=list[EnrolmentRead],
    summary="Record who attended a session (officials)",
    responses=problems(401, 403, 404, 409, 422),
)
async def set_attendance(
    programme_id: ResourceId,
    session_id: ResourceId,
    body: AttendanceSet,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
) -> list[EnrolmentRead]:
    done = await service.set_attendance(
        session, principal=principal, clock=clock, programme_id=programme_id, session_id=session_id, data=body
    )
    return _enrolments(done)


@trainings_router.post(
    "/{programme_id}/completion",
    response_model=list[EnrolmentRead],
    summary="Close the programme: who completed it; each operator with a graduate gets a credit entry",
    responses=problems(401, 403, 404, 409),
)
async def complete(
    programme_id: ResourceId, session: SessionDep, principal: DistrictOfficial, clock: ClockDep
) -> list[EnrolmentRead]:
    return _enrolments(await service.complete(session, principal=principal, clock=clock, programme_id=programme_id))


@incubations_router.get(
    "",
    response_model=Page[IncubationRead],
    summary="Incubation records (孵化) of cultural organisations and teams",
    responses=problems(422),
)
async def list_incubations(
    session: SessionDep, page: Annotated[PageParams, Depends(page_params)], status: IncubationStatus | None = None
) -> Listing[Incubation]:
    return await service.list_incubations(session, status=status, cursor=page.cursor, limit=page.limit)


@incubations_router.post(
    "",
    response_model=IncubationRead,
    status_code=201,
    summary="Record an incubation (officials)",
    responses=problems(401, 403, 422),
)
async def create_incubation(
    body: IncubationCreate, session: SessionDep, principal: Official, clock: ClockDep
) -> Incubation:
    return await service.create_incubation(session, principal=principal, clock=clock, data=body)


@incubations_router.get("/{incubation_id}", response_model=IncubationRead, responses=problems(404))
async def get_incubation(incubation_id: ResourceId, session: SessionDep) -> Incubation:
    return await service.get_incubation(session, incubation_id)


@incubations_router.post(
    "/{incubation_id}/status",
    response_model=IncubationRead,
    summary="Record the outcome: graduated or withdrawn (officials)",
    responses=problems(401, 403, 404, 409, 422),
)
async def change_incubation(
    incubation_id: ResourceId, body: IncubationStatusChange, session: SessionDep, principal: Official, clock: ClockDep
) -> Incubation:
    return await service.change_incubation(
        session, principal=principal, clock=clock, incubation_id=incubation_id, data=body
    )
