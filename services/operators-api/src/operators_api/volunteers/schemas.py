from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from operators_api.periods import BoundedDate
from operators_api.shared import FacilityId, OperatorId, StrictInt


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


class TeamRead(BaseModel):
    id: int
    name: str
    operator_id: int | None
    facility_id: int | None
    leader_name: str
    founded_on: date
    description: str
    members: int
    verified_hours: Decimal


class VolunteerCreate(_Input):
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field("", max_length=30, pattern=r"^(\+?[0-9][0-9 ()\-]{5,28}[0-9])?$")
    joined_on: BoundedDate


class Recognition(BaseModel):
    level: StrictInt = Field(description="How many recognition thresholds the verified hours reach.")
    thresholds_hours: list[int]
    next_threshold_hours: int | None


class VolunteerRead(BaseModel):
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


class ServiceCreate(_Input):
    facility_id: FacilityId
    served_on: BoundedDate
    hours: Decimal = Field(gt=0, le=24, decimal_places=1)
    activity: str = Field(min_length=1, max_length=200)


class VerificationCreate(_Input):
    decision: Literal["verified", "rejected"]
    reason: str = Field("", max_length=2000)


class ServiceRead(BaseModel):
    id: int
    volunteer_id: int
    facility_id: int
    served_on: date
    hours: Decimal
    activity: str
    status: Literal["submitted", "verified", "rejected"]
    verified_at: datetime | None
    reason: str | None
