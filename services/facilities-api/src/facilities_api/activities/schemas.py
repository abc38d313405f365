from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AliasPath, BaseModel, ConfigDict, Field, computed_field

from facilities_api.offerings.schemas import MAX_FEE_FEN
from facilities_api.vocab import DistrictDateTime, StrictBool, StrictInt, TargetGroup, as_local, everyone
from service_kit.params import INT32_MAX

ActivityCategory = Literal[
    "reading",
    "lecture",
    "performance",
    "exhibition",
    "training",
    "film",
    "heritage",
    "festival",
    "sports",
    "children",
    "volunteer",
    "other",
]
ActivityStatus = Literal["draft", "published", "cancelled", "finished"]


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ActivityCreate(_Fields):
    facility_id: StrictInt = Field(ge=1, le=INT32_MAX)
    title: str = Field(min_length=1, max_length=200, examples=["书海听涛·周末读书会"])
    description: str = Field("", max_length=5000)
    category: ActivityCategory
    brand: str = Field("", max_length=100, description="A series or brand, e.g. 书海听涛.", examples=["书海听涛"])
    venue: str = Field("", max_length=200, description="Where inside the facility.")
    starts_at: DistrictDateTime = Field(description="ISO 8601; without a zone it is Asia/Shanghai time.")
    ends_at: DistrictDateTime
    capacity: StrictInt = Field(ge=1, le=100_000, description="Seats that can be booked.")
    fee_fen: StrictInt = Field(
        0, ge=0, le=MAX_FEE_FEN, description="0 unless a non-basic service with an approved fee backs it."
    )
    service_id: StrictInt | None = Field(
        None, ge=1, le=INT32_MAX, description="The service offered this activity delivers."
    )
    target_groups: list[TargetGroup] = Field(default_factory=everyone, min_length=1, max_length=8)
    booking_required: StrictBool = True
    booking_opens_at: DistrictDateTime | None = Field(None, description="Default: as soon as it is published.")
    booking_closes_at: DistrictDateTime | None = Field(None, description="Default: when it starts.")
    cancel_cutoff_minutes: StrictInt = Field(
        60, ge=0, le=10_080, description="Residents cancel up to this long before the start."
    )
    publish: StrictBool = Field(False, description="Publish at once instead of saving a draft.")


class ActivityUpdate(_Fields):
    """A merge patch; send If-Match."""

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    category: ActivityCategory | None = None
    brand: str | None = Field(None, max_length=100)
    venue: str | None = Field(None, max_length=200)
    starts_at: DistrictDateTime | None = None
    ends_at: DistrictDateTime | None = None
    capacity: StrictInt | None = Field(None, ge=1, le=100_000)
    fee_fen: StrictInt | None = Field(None, ge=0, le=MAX_FEE_FEN)
    service_id: StrictInt | None = Field(None, ge=1, le=INT32_MAX)
    target_groups: list[TargetGroup] | None = Field(None, min_length=1, max_length=8)
    booking_required: StrictBool | None = None
    booking_opens_at: DistrictDateTime | None = None
    booking_closes_at: DistrictDateTime | None = None
    cancel_cutoff_minutes: StrictInt | None = Field(None, ge=0, le=10_080)


class ActivityCancel(_Fields):
    reason: str = Field(min_length=1, max_length=500, examples=["因天气原因取消"])


# In answers an activity's times are the district's local time, with its offset.
LocalDateTime = Annotated[datetime, AfterValidator(as_local)]


def shown_status(status: str, ends_at: datetime, now: datetime) -> ActivityStatus:
    """What readers see: a published activity that is over is finished."""
    if status == "published" and ends_at <= now:
        return "finished"
    return status  # type: ignore[return-value]  # the stored statuses are ActivityStatus values


class ActivityRead(BaseModel):
    """An activity as read: build it with `as_of(activity, now)` (its status depends on the time).
    `facility` (and its subdistrict) must be loaded."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    facility_id: int
    facility_name_zh: str = Field(validation_alias=AliasPath("facility", "name_zh"))
    subdistrict: str = Field(validation_alias=AliasPath("facility", "subdistrict", "code"))
    title: str
    description: str
    category: ActivityCategory
    brand: str
    venue: str
    starts_at: LocalDateTime = Field(description="Asia/Shanghai time, with its offset.")
    ends_at: LocalDateTime
    capacity: int
    booked_seats: int = Field(validation_alias="booked_count")
    fee_fen: int
    service_id: int | None
    target_groups: list[str]
    booking_required: bool
    booking_opens_at: LocalDateTime | None
    booking_closes_at: LocalDateTime | None
    cancel_cutoff_minutes: int
    status: ActivityStatus = Field(description="finished: published and over.")
    cancel_reason: str
    version: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented form; mypy cannot see through it
    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.booked_seats, 0)

    @classmethod
    def as_of(cls, activity: Any, now: datetime) -> ActivityRead:
        read = cls.model_validate(activity)
        return read.model_copy(update={"status": shown_status(activity.status, activity.ends_at, now)})
