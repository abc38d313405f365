from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from operators_api.cultivation.models import Enrolment, TrainingProgramme, TrainingSession
from operators_api.periods import BoundedDate, DistrictDateTime
from operators_api.reads import ReadModel
from operators_api.shared import FacilityId, OperatorId, StrictInt

Audience = Literal["operators", "social_organisations", "teams", "volunteers", "all"]
IncubationStatus = Literal["incubating", "graduated", "withdrawn"]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SessionIn(_Input):
    topic: str = Field(min_length=1, max_length=200)
    starts_at: DistrictDateTime
    ends_at: DistrictDateTime
    place: str = Field("", max_length=200)


class ProgrammeCreate(_Input):
    title: str = Field(min_length=1, max_length=200, examples=["文化类社会组织运营能力提升培训班"])
    organiser: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    audience: Audience
    capacity: StrictInt = Field(ge=1, le=10_000)
    min_sessions_for_completion: StrictInt = Field(
        ge=1, le=100, description="Sessions attended to complete the programme."
    )
    sessions: list[SessionIn] = Field(min_length=1, max_length=100)


class SessionRead(ReadModel):
    id: int
    seq: int
    topic: str
    starts_at: datetime
    ends_at: datetime
    place: str


class ProgrammeRead(ReadModel):
    id: int
    title: str
    organiser: str
    description: str
    audience: Audience
    starts_on: date
    ends_on: date
    capacity: int
    enrolled: int
    min_sessions_for_completion: int
    sessions: list[SessionRead]
    status: Literal["open", "closed"]
    closed_at: datetime | None

    @classmethod
    def with_sessions(cls, programme: TrainingProgramme, sessions: Sequence[TrainingSession], enrolled: int) -> Self:
        return cls.of(programme, sessions=[SessionRead.of(s) for s in sessions], enrolled=enrolled)


class EnrolmentCreate(_Input):
    participant_name: str = Field(min_length=1, max_length=100)
    organisation_name: str = Field(min_length=1, max_length=200)
    operator_id: OperatorId | None = Field(
        None, description="The operator the participant works for (an operator's staff: always theirs)."
    )


class EnrolmentRead(ReadModel):
    id: int
    programme_id: int
    participant_name: str
    organisation_name: str
    operator_id: int | None
    status: Literal["enrolled", "withdrawn", "completed", "not_completed"]
    sessions_attended: int

    @classmethod
    def with_attendance(cls, enrolment: Enrolment, sessions_attended: int) -> Self:
        return cls.of(enrolment, sessions_attended=sessions_attended)


class AttendanceSet(_Input):
    enrolment_ids: list[StrictInt] = Field(
        max_length=10_000, description="Everyone present at the session (replaces the earlier list)."
    )


class IncubationCreate(_Input):
    organisation_name: str = Field(min_length=1, max_length=200)
    kind: Literal["social_organisation", "team"]
    operator_id: OperatorId | None = None
    facility_id: FacilityId | None = Field(None, description="Where the incubated organisation is given space.")
    mentor: str = Field("", max_length=200)
    started_on: BoundedDate
    planned_end_on: BoundedDate


class IncubationStatusChange(_Input):
    status: Literal["graduated", "withdrawn"]
    reason: str = Field(min_length=1, max_length=2000)


class IncubationRead(ReadModel):
    id: int
    organisation_name: str
    kind: Literal["social_organisation", "team"]
    operator_id: int | None
    facility_id: int | None
    mentor: str
    started_on: date
    planned_end_on: date
    status: IncubationStatus
    outcome: str
    version: int
