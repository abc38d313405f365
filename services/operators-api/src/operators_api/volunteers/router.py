from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from operators_api.dependencies import ClockDep
from operators_api.gates import OfficialOrStaff, Viewer
from operators_api.reads import page_of
from operators_api.volunteers import service
from operators_api.volunteers.schemas import (
    ServiceCreate,
    ServiceRead,
    TeamCreate,
    TeamRead,
    VerificationCreate,
    VolunteerCreate,
    VolunteerRead,
)
from service_kit.db import SessionDep
from service_kit.pagination import Page, PageParams, page_params
from service_kit.params import INT32_MAX, ResourceId
from service_kit.problems import problems

teams_router = APIRouter(prefix="/api/v1/volunteer-teams", tags=["volunteers"])
volunteers_router = APIRouter(prefix="/api/v1/volunteers", tags=["volunteers"])


def _thresholds(request: Request) -> list[int]:
    return list(request.app.state.settings.volunteer_recognition_hours)


def _team(x: service.TeamWithTotals) -> TeamRead:
    return TeamRead.with_totals(x.team, x.members, x.verified_minutes)


def _member(x: service.Member, thresholds: list[int]) -> VolunteerRead:
    return VolunteerRead.for_viewer(x.volunteer, sees_personal=x.sees_personal, thresholds=thresholds)


@teams_router.get(
    "", response_model=Page[TeamRead], summary="Cultural volunteer teams (文化志愿服务队)", responses=problems(422)
)
async def list_teams(
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    operator_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
) -> Page[TeamRead]:
    found = await service.list_teams(session, operator_id=operator_id, cursor=page.cursor, limit=page.limit)
    return page_of(found, _team)


@teams_router.post(
    "",
    response_model=TeamRead,
    status_code=201,
    summary="Form a team (officials; an operator's staff for their operator)",
    responses=problems(401, 403, 409, 422),
)
async def create_team(body: TeamCreate, session: SessionDep, principal: OfficialOrStaff, clock: ClockDep) -> TeamRead:
    return _team(await service.create_team(session, principal=principal, clock=clock, data=body))


@teams_router.get("/{team_id}", response_model=TeamRead, responses=problems(404))
async def get_team(team_id: ResourceId, session: SessionDep) -> TeamRead:
    return _team(await service.get_team(session, team_id))


@teams_router.post(
    "/{team_id}/members",
    response_model=VolunteerRead,
    status_code=201,
    summary="Add a volunteer to the team",
    responses=problems(401, 403, 404, 422),
)
async def add_member(
    team_id: ResourceId,
    body: VolunteerCreate,
    request: Request,
    session: SessionDep,
    principal: OfficialOrStaff,
    clock: ClockDep,
) -> VolunteerRead:
    member = await service.add_member(session, principal=principal, clock=clock, team_id=team_id, data=body)
    return _member(member, _thresholds(request))


@volunteers_router.get(
    "",
    response_model=Page[VolunteerRead],
    summary="Volunteers, with verified hours and recognition (min_level: at least that many thresholds)",
    responses=problems(401, 422),
)
async def list_volunteers(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    page: Annotated[PageParams, Depends(page_params)],
    team_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    min_level: Annotated[int | None, Query(ge=0, le=20)] = None,
) -> Page[VolunteerRead]:
    found = await service.list_volunteers(
        session, viewer=viewer, team_id=team_id, min_level=min_level, cursor=page.cursor, limit=page.limit
    )
    thresholds = _thresholds(request)
    return page_of(found, lambda m: _member(m, thresholds))


@volunteers_router.get("/{volunteer_id}", response_model=VolunteerRead, responses=problems(401, 404))
async def get_volunteer(
    volunteer_id: ResourceId, request: Request, session: SessionDep, viewer: Viewer
) -> VolunteerRead:
    member = await service.get_volunteer(session, viewer=viewer, volunteer_id=volunteer_id)
    return _member(member, _thresholds(request))


@volunteers_router.get("/{volunteer_id}/service-records", response_model=list[ServiceRead], responses=problems(404))
async def list_records(volunteer_id: ResourceId, session: SessionDep) -> list[ServiceRead]:
    return [ServiceRead.of_record(r) for r in await service.list_records(session, volunteer_id=volunteer_id)]


@volunteers_router.post(
    "/{volunteer_id}/service-records",
    response_model=ServiceRead,
    status_code=201,
    summary="Record hours served (officials; the team's operator); they count once the facility verifies them",
    responses=problems(401, 403, 404, 409, 422),
)
async def submit_record(
    volunteer_id: ResourceId, body: ServiceCreate, session: SessionDep, principal: OfficialOrStaff, clock: ClockDep
) -> ServiceRead:
    record = await service.submit_record(
        session, principal=principal, clock=clock, volunteer_id=volunteer_id, data=body
    )
    return ServiceRead.of_record(record)


@volunteers_router.post(
    "/{volunteer_id}/service-records/{record_id}/verification",
    response_model=ServiceRead,
    summary="Verify or reject the hours (the facility's operator on that day, or an official)",
    responses=problems(401, 403, 404, 409, 422),
)
async def verify_record(
    volunteer_id: ResourceId,
    record_id: ResourceId,
    body: VerificationCreate,
    request: Request,
    session: SessionDep,
    principal: OfficialOrStaff,
    clock: ClockDep,
) -> ServiceRead:
    record = await service.verify_record(
        session,
        principal=principal,
        clock=clock,
        volunteer_id=volunteer_id,
        record_id=record_id,
        data=body,
        thresholds=_thresholds(request),
    )
    return ServiceRead.of_record(record)
