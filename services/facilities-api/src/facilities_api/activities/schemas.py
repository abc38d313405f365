from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from facilities_api.offerings.schemas import MAX_FEE_FEN
from facilities_api.vocab import DistrictDateTime, StrictBool, StrictInt, TargetGroup
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
    target_groups: list[TargetGroup] = Field(default_factory=lambda: ["all"], min_length=1, max_length=8)
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


class ActivityRead(BaseModel):
    id: int
    facility_id: int
    facility_name_zh: str
    subdistrict: str
    title: str
    description: str
    category: ActivityCategory
    brand: str
    venue: str
    starts_at: datetime = Field(description="Asia/Shanghai time, with its offset.")
    ends_at: datetime
    capacity: int
    booked_seats: int
    seats_left: int
    fee_fen: int
    service_id: int | None
    target_groups: list[str]
    booking_required: bool
    booking_opens_at: datetime | None
    booking_closes_at: datetime | None
    cancel_cutoff_minutes: int
    status: ActivityStatus = Field(description="finished: published and over.")
    cancel_reason: str
    version: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
