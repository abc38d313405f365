from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Protocol

from pydantic import AfterValidator, AliasPath, BaseModel, ConfigDict, Field

from facilities_api.vocab import StrictInt, as_local
from service_kit.auth import Principal

BookingStatus = Literal["confirmed", "waitlisted", "cancelled"]
CancelReason = Literal["resident", "official", "activity_cancelled"]
Attendance = Literal["checked_in", "no_show", "pending", "not_applicable"]


class BookingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seats: StrictInt = Field(1, ge=1, le=20, description="Seats for the resident and those with them.")


class CheckInCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=20, description="The code the resident shows at the door.")


# In answers an activity's times are the district's local time, with its offset.
LocalDateTime = Annotated[datetime, AfterValidator(as_local)]


class _Activity(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def ends_at(self) -> datetime: ...


class _Booking(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def resident_sub(self) -> str: ...
    @property
    def checked_in_at(self) -> datetime | None: ...
    @property
    def activity(self) -> _Activity: ...


def attendance(b: _Booking, now: datetime) -> Attendance:
    if b.status != "confirmed" or b.activity.status == "cancelled":
        return "not_applicable"
    if b.checked_in_at is not None:
        return "checked_in"
    return "no_show" if b.activity.ends_at <= now else "pending"


class BookingRead(BaseModel):
    """A booking as a viewer sees it: build it with `for_viewer` (the code only for the resident who
    booked; attendance as of `now`). `activity` must be loaded."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    activity_id: int
    facility_id: int = Field(validation_alias=AliasPath("activity", "facility_id"))
    activity_title: str = Field(validation_alias=AliasPath("activity", "title"))
    starts_at: LocalDateTime = Field(validation_alias=AliasPath("activity", "starts_at"))
    ends_at: LocalDateTime = Field(validation_alias=AliasPath("activity", "ends_at"))
    resident_sub: str
    resident_name: str
    seats: int
    status: BookingStatus
    waitlist_position: int | None = Field(None, description="1 = next to get seats (waitlisted bookings).")
    check_in_code: str | None = Field(None, description="Shown only to the resident who booked: show it at the door.")
    checked_in_at: datetime | None
    attendance: Attendance = Field(
        "not_applicable", description="no_show: confirmed, the activity is over, never checked in."
    )
    created_at: datetime
    cancelled_at: datetime | None
    cancel_reason: CancelReason | None = Field(
        None,
        description="Why it was cancelled: by the resident, by an official, or because the activity was cancelled.",
    )
    cancel_note: str = Field("", description="With activity_cancelled: the reason the organiser gave.")

    @classmethod
    def for_viewer(
        cls, booking: _Booking, *, viewer: Principal | None, now: datetime, waitlist_position: int | None = None
    ) -> BookingRead:
        read = cls.model_validate(booking)
        mine = viewer is not None and viewer.sub == booking.resident_sub
        cancelled = booking.status == "cancelled"
        return read.model_copy(
            update={
                "waitlist_position": waitlist_position if booking.status == "waitlisted" else None,
                "check_in_code": read.check_in_code if mine and not cancelled else None,
                "attendance": attendance(booking, now),
                "cancel_reason": read.cancel_reason if cancelled else None,
                "cancel_note": read.cancel_note if cancelled else "",
            }
        )
