from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from feedback_api.dependencies import ClockDep, DistrictOfficialDep, SettingsDep
from feedback_api.workdays import service
from feedback_api.workdays.schemas import CalendarDayPut, CalendarDayRead
from service_kit.db import SessionDep
from service_kit.problems import RuleViolation, problems

router = APIRouter(prefix="/api/v1/cases/calendar", tags=["cases"])


@router.get(
    "",
    response_model=list[CalendarDayRead],
    summary="The exceptions to Monday–Friday in a year: holidays and make-up working days (case deadlines use them)",
    responses=problems(422),
)
async def list_calendar(
    session: SessionDep,
    settings: SettingsDep,
    year: Annotated[int, Query(ge=2000, le=2100)],
) -> list[CalendarDayRead]:
    days = await service.list_days(session, settings, year=year)
    return [CalendarDayRead.model_validate(d) for d in days]


@router.put(
    "/{day}",
    response_model=CalendarDayRead,
    summary="Mark a weekday as a holiday or a weekend day as a make-up working day (district officials)",
    responses=problems(401, 403, 415, 422),
)
async def put_day(
    day: date,
    body: CalendarDayPut,
    session: SessionDep,
    principal: DistrictOfficialDep,
    clock: ClockDep,
) -> CalendarDayRead:
    if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        raise RuleViolation(
            "day", "the day must be between 2000 and 2100", code="day-range"
        )
    entry = await service.set_day(
        session,
        principal=principal,
        day=day,
        kind=body.kind,
        name=body.name or "",
        clock=clock,
    )
    return CalendarDayRead.model_validate(entry)


@router.delete(
    "/{day}",
    status_code=204,
    summary="Remove a day from the officials' calendar (district officials)",
    responses=problems(401, 403, 404, 422),
)
async def delete_day(
    day: date, session: SessionDep, _: DistrictOfficialDep
) -> Response:
    await service.delete_day(session, day=day)
    return Response(status_code=204)
