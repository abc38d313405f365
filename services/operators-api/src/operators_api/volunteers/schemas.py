from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from operators_api.operators.rules import mask_phone
from operators_api.periods import BoundedDate
from operators_api.reads import ReadModel
from operators_api.shared import FacilityId, OperatorId, StrictInt
from operators_api.volunteers.models import Volunteer, VolunteerService, VolunteerTeam
from operators_api.volunteers.rules import hours, recognition


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TeamCreate(_Input):
    name: str = Field(min_length=1, max_length=200, examples=["书海听涛阅读志愿服务队"])
    operator_id: OperatorId | None = Field(
        None, description="The operator that runs the team (an operator's staff: always theirs)."
    )
    facility_id: FacilityId | None = None
    leader_name: str = Field(min_length=1, max_length=100)
    founded_on: BoundedDate
    description: str = Field("", max_length=2000)


class TeamRead(ReadModel):
    id: int
    name: str
    operator_id: int | None
    facility_id: int | None
    leader_name: str
    founded_on: date
    description: str
    members: int
    verified_hours: Decimal

    @classmethod
    def with_totals(cls, team: VolunteerTeam, members: int, verified_minutes: int) -> Self:
        """The team with its active members and their verified hours."""
        return cls.of(team, members=members, verified_hours=hours(verified_minutes))


class VolunteerCreate(_Input):
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field("", max_length=30, pattern=r"^(\+?[0-9][0-9 ()\-]{5,28}[0-9])?$")
    joined_on: BoundedDate


class Recognition(ReadModel):
    level: StrictInt = Field(description="How many recognition thresholds the verified hours reach.")
    thresholds_hours: list[int]
    next_threshold_hours: int | None


class VolunteerRead(ReadModel):
    id: int
    team_id: int
    name: str = Field(
        description="Shown in full to officials, auditors and the team's operator; otherwise the family name only."
    )
    phone: str = Field(description="Masked unless you are an official, an auditor or the team's operator.")
    joined_on: date
    status: Literal["active", "left"]
    verified_hours: Decimal
    recognition: Recognition

    @classmethod
    def for_viewer(cls, volunteer: Volunteer, *, sees_personal: bool, thresholds: list[int]) -> Self:
        """The volunteer as the viewer may see them: name and phone in full only to those who
        `sees_personal` (officials, auditors, the team's operator), masked to anyone else."""
        v = volunteer
        return cls.of(
            v,
            name=v.name if sees_personal else v.name[:1] + "*" * max(len(v.name) - 1, 1),
            phone=v.phone if sees_personal else mask_phone(v.phone),
            verified_hours=hours(v.verified_minutes),
            recognition=Recognition.model_validate(recognition(v.verified_minutes, thresholds)),
        )


class ServiceCreate(_Input):
    facility_id: FacilityId
    served_on: BoundedDate
    hours: Decimal = Field(gt=0, le=24, decimal_places=1)
    activity: str = Field(min_length=1, max_length=200)


class VerificationCreate(_Input):
    decision: Literal["verified", "rejected"]
    reason: str = Field("", max_length=2000)


class ServiceRead(ReadModel):
    id: int
    volunteer_id: int
    facility_id: int
    served_on: date
    hours: Decimal
    activity: str
    status: Literal["submitted", "verified", "rejected"]
    verified_at: datetime | None
    reason: str | None

    @classmethod
    def of_record(cls, record: VolunteerService) -> Self:
        return cls.of(record, hours=hours(record.minutes))
