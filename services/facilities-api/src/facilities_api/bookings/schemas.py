from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from facilities_api.vocab import StrictInt

BookingStatus = Literal["confirmed", "waitlisted", "cancelled"]
CancelReason = Literal["resident", "official", "activity_cancelled"]
Attendance = Literal["checked_in", "no_show", "pending", "not_applicable"]


class BookingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seats: StrictInt = Field(1, ge=1, le=20, description="Seats for the resident and those with them.")


class CheckInCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=20, description="The code the resident shows at the door.")


class BookingRead(BaseModel):
    id: int
    activity_id: int
    facility_id: int
    activity_title: str
    starts_at: datetime
    ends_at: datetime
    resident_sub: str
    resident_name: str
    seats: int
    status: BookingStatus
    waitlist_position: int | None = Field(None, description="1 = next to get seats (waitlisted bookings).")
    check_in_code: str | None = Field(None, description="Shown only to the resident who booked: show it at the door.")
    checked_in_at: datetime | None
    attendance: Attendance = Field(description="no_show: confirmed, the activity is over, never checked in.")
    created_at: datetime
    cancelled_at: datetime | None
    cancel_reason: CancelReason | None = Field(
        None,
        description="Why it was cancelled: by the resident, by an official, or because the activity was cancelled.",
    )
    cancel_note: str = Field("", description="With activity_cancelled: the reason the organiser gave.")
