from __future__ import annotations

from datetime import datetime

from pydantic import AliasPath, BaseModel, ConfigDict, Field


class BookingData(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    activity_id: int
    activity_title: str = Field(validation_alias=AliasPath("activity", "title"))
    facility_id: int = Field(validation_alias=AliasPath("activity", "facility_id"))
    activity_starts_at: datetime = Field(validation_alias=AliasPath("activity", "starts_at"))
    name_given: str = Field(validation_alias="resident_name", description="The name the booking was made under.")
    seats: int
    status: str
    check_in_code: str
    queued_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime


class CheckInData(BaseModel):
    """Read from a booking checked in."""

    model_config = ConfigDict(from_attributes=True)

    booking_id: int = Field(validation_alias="id")
    activity_id: int
    facility_id: int = Field(validation_alias=AliasPath("activity", "facility_id"))
    checked_in_at: datetime


class SpecialRequestData(BaseModel):
    """In full, as the resident gave it: special-group status and health notes are theirs to see."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    facility_id: int
    service_id: int | None
    kind: str
    # None once the request no longer needs it (erased after it closed).
    special_group: str | None
    group_verified: bool
    name_given: str = Field(validation_alias="resident_name")
    description: str
    health_notes: str
    address: str
    phone: str
    preferred_time: str
    status: str
    scheduled_for: datetime | None
    done_at: datetime | None
    confirmed_at: datetime | None
    created_at: datetime


class FacilitiesPersonalData(BaseModel):
    """What facilities-api holds on the signed-in resident."""

    model_config = ConfigDict(from_attributes=True)

    service: str = "facilities-api"
    bookings: list[BookingData]
    check_ins: list[CheckInData]
    special_requests: list[SpecialRequestData]
