from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from feedback_api.dependencies import ClockDep, DistrictOfficialDep, SettingsDep
from feedback_api.text import clean_optional
from feedback_api.workdays import service
from service_kit.db import SessionDep
from service_kit.problems import RuleViolation, problems

router = APIRouter(prefix="/api/v1/cases/calendar", tags=["cases"])


class CalendarDayRead(BaseModel):
    day: date
    kind: Literal["holiday", "workday"]
    name: str
    source: Literal["settings", "officials"]
    updated_at: datetime | None = None


class CalendarDayPut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["holiday", "workday"] = Field(
        description="holiday: a weekday off; workday: a weekend make-up working day."
    )
    name: str | None = Field(None, max_length=100, examples=["春节"])

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return clean_optional(v)


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
) -> list[dict[str, Any]]:
    return await service.list_days(session, settings, year=year)


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
) -> dict[str, Any]:
    if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        raise RuleViolation(
            "day", "the day must be between 2000 and 2100", code="day-range"
        )
    return await service.set_day(
        session,
        principal=principal,
        day=day,
        kind=body.kind,
        name=body.name or "",
        clock=clock,
    )


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
