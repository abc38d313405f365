from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Protocol

from pydantic import (
    AliasChoices,
    AliasPath,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    computed_field,
    field_serializer,
    field_validator,
)

from facilities_api.areas.schemas import Point
from facilities_api.facilities.hours import wall_time
from facilities_api.vocab import BoundedDate, StrictBool, StrictInt, WallClock
from service_kit.params import INT32_MAX

Kind = Literal[
    "public_library",
    "cultural_centre",
    "culture_sports_centre",
    "community_culture_room",
    "museum",
    "hutong_museum",
    "art_gallery",
    "theatre",
    "new_cultural_space",
    "service_point",
]
Level = Literal["national", "municipal", "district", "subdistrict", "community"]
Status = Literal["planned", "open", "temporarily_closed", "closed"]
Accessibility = Literal[
    "step_free_entrance",
    "accessible_toilet",
    "elevator",
    "braille",
    "hearing_loop",
    "sign_language",
    "large_print",
    "wheelchair_loan",
    "accessible_parking",
]


class OpeningSlot(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weekday: StrictInt = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    opens: WallClock = Field(description="Local time (Asia/Shanghai), HH:MM")
    closes: WallClock


# In answers a local wall-clock time is "HH:MM:SS" (no zone: the district's own time). JSON Schema's
# "time" format would demand an offset, so answers declare a pattern instead.
# Read from a stored "HH:MM" or a time.
WallTime = Annotated[
    str,
    BeforeValidator(wall_time),
    Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$", examples=["09:00:00"]),
]


class OpeningSlotRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    opens: WallTime
    closes: WallTime


class SlotRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    opens: WallTime
    closes: WallTime


def check_opening_hours(slots: list[OpeningSlot]) -> list[OpeningSlot]:
    by_day: dict[int, list[OpeningSlot]] = {}
    for slot in slots:
        if slot.closes <= slot.opens:
            raise ValueError(
                f"on weekday {slot.weekday} a slot closes ({slot.closes:%H:%M}) before it opens ({slot.opens:%H:%M})"
            )
        by_day.setdefault(slot.weekday, []).append(slot)
    for day, day_slots in by_day.items():
        day_slots.sort(key=lambda s: s.opens)
        for a, b in itertools.pairwise(day_slots):
            if b.opens < a.closes:
                raise ValueError(
                    f"on weekday {day} the slots {a.opens:%H:%M}–{a.closes:%H:%M} and {b.opens:%H:%M}–{b.closes:%H:%M} overlap"
                )
    return slots


class Operation(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    mode: Literal["government", "social"] = Field(description="Government-run or socially operated (社会化运营).")
    operator_id: int | None = Field(None, description="The operator (operators-api) running it under a contract.")
    contract_id: int | None = None
    operator_name: str | None = Field(None, description="The operator's name as the contract announced it.")


class _Operated(Protocol):
    @property
    def operation_mode(self) -> str: ...
    @property
    def operator_id(self) -> int | None: ...
    @property
    def contract_id(self) -> int | None: ...
    @property
    def operator_name(self) -> str | None: ...


def operation_of(facility: _Operated) -> Operation:
    """Who runs a facility, as answers and events show it."""
    return Operation.model_validate(
        {
            "mode": facility.operation_mode,
            "operator_id": facility.operator_id,
            "contract_id": facility.contract_id,
            "operator_name": facility.operator_name,
        }
    )


class _FacilityFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FacilityCreate(_FacilityFields):
    name_zh: str = Field(min_length=1, max_length=200, examples=["东城区第一图书馆"])
    name_en: str = Field("", max_length=300, examples=["Dongcheng District First Library"])
    kind: Kind
    level: Level
    parent_id: StrictInt | None = Field(
        None, ge=1, le=INT32_MAX, description="Parent in its main-branch system (总馆 → 分馆 → 服务点)."
    )
    subdistrict: str = Field(max_length=64, description="Subdistrict code.")
    community: str | None = Field(None, max_length=64, description="Community code, within the subdistrict.")
    address_zh: str = Field(min_length=1, max_length=300)
    location: Point
    floor_area_m2: StrictInt = Field(0, ge=0, le=1_000_000)
    seats: StrictInt = Field(0, ge=0, le=100_000)
    opening_hours: list[OpeningSlot] = Field(default_factory=list, max_length=50)
    accessibility: list[Accessibility] = Field(default_factory=list)
    contact_phone: str = Field("", max_length=40)
    contact_email: str = Field("", max_length=200)
    status: Status = "open"
    photos: list[HttpUrl] = Field(default_factory=list, max_length=20)
    description_zh: str = Field("", max_length=5000)

    @field_validator("opening_hours")
    @classmethod
    def _hours(cls, v: list[OpeningSlot]) -> list[OpeningSlot]:
        return check_opening_hours(v)


class FacilityUpdate(_FacilityFields):
    """A merge patch: only the fields sent change. Operation mode is not editable (contracts set it)."""

    name_zh: str | None = Field(None, min_length=1, max_length=200)
    name_en: str | None = Field(None, max_length=300)
    kind: Kind | None = None
    level: Level | None = None
    parent_id: StrictInt | None = Field(None, ge=1, le=INT32_MAX)
    subdistrict: str | None = Field(None, max_length=64)
    community: str | None = Field(None, max_length=64)
    address_zh: str | None = Field(None, min_length=1, max_length=300)
    location: Point | None = None
    floor_area_m2: StrictInt | None = Field(None, ge=0, le=1_000_000)
    seats: StrictInt | None = Field(None, ge=0, le=100_000)
    opening_hours: list[OpeningSlot] | None = Field(None, max_length=50)
    accessibility: list[Accessibility] | None = None
    contact_phone: str | None = Field(None, max_length=40)
    contact_email: str | None = Field(None, max_length=200)
    status: Status | None = None
    photos: list[HttpUrl] | None = Field(None, max_length=20)
    description_zh: str | None = Field(None, max_length=5000)

    @field_validator("opening_hours")
    @classmethod
    def _hours(cls, v: list[OpeningSlot] | None) -> list[OpeningSlot] | None:
        return None if v is None else check_opening_hours(v)


class FacilityRead(BaseModel):
    """A facility as read (from the ORM model)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name_zh: str
    name_en: str
    kind: Kind
    level: Level
    parent_id: int | None
    subdistrict: str = Field(validation_alias=AliasPath("subdistrict", "code"))
    community: str | None = Field(None, validation_alias=AliasPath("community", "code"))
    address_zh: str
    lat: float = Field(exclude=True)
    lon: float = Field(exclude=True)
    floor_area_m2: int
    seats: int
    opening_hours: list[OpeningSlotRead]
    accessibility: list[str]
    contact_phone: str
    contact_email: str
    status: Status
    operation_mode: Literal["government", "social"] = Field(exclude=True)
    operator_id: int | None = Field(exclude=True)
    contract_id: int | None = Field(exclude=True)
    operator_name: str | None = Field(exclude=True)
    photos: list[str]
    description_zh: str
    version: int
    created_at: datetime
    updated_at: datetime
    distance_m: float | None = Field(None, description="Metres from the `near` point, when one was given.")

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented form; mypy cannot see through it
    @property
    def location(self) -> Point:
        return Point(lat=self.lat, lon=self.lon)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def operation(self) -> Operation:
        return operation_of(self)

    @classmethod
    def of(cls, facility: object, *, distance_m: float | None = None) -> FacilityRead:
        read = cls.model_validate(facility)
        return read if distance_m is None else read.model_copy(update={"distance_m": distance_m})

    def event_data(self) -> dict[str, Any]:
        """The facility as events carry it (without the search's distance)."""
        return self.model_dump(exclude={"distance_m"})


class FacilityChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    actor: str
    action: str
    changes: dict[str, list[object]] = Field(description="field → [old value, new value]")
    changed_at: datetime


class OpeningExceptionCreate(BaseModel):
    """Closed (a holiday, a temporary closure) or other hours, over a run of days."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    starts_on: BoundedDate
    ends_on: BoundedDate
    closed: StrictBool = True
    opens: WallClock | None = Field(None, description="With closed=false: the hours that day (local time).")
    closes: WallClock | None = None
    reason_zh: str = Field("", max_length=200, examples=["春节闭馆"])


class OpeningExceptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    facility_id: int
    starts_on: date
    ends_on: date
    closed: bool
    opens: WallTime | None
    closes: WallTime | None
    reason_zh: str
    created_by: str
    created_at: datetime


class DayHours(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    date: date
    open: bool
    slots: list[SlotRead] = Field(description="Local time")
    exception: str | None = Field(None, description="The exception's reason, when one applies that day.")


class FacilitySchedule(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    facility_id: int
    weekly_hours: float = Field(description="Hours open in a usual week.")
    open_now: bool
    days: list[DayHours]


class RecordedOpenHours(BaseModel):
    """The hours a facility was scheduled to open over a range of local days, as the platform recorded
    them (weekly hours with their exceptions): the evidence for an evaluation's open-hours KPI."""

    model_config = ConfigDict(populate_by_name=True, from_attributes=True)

    facility_id: int
    from_: date = Field(validation_alias=AliasChoices("from", "from_"), serialization_alias="from")
    to: date
    hours: Decimal = Field(description="Open hours over the days, both included (2 decimals).")
    days_open: int = Field(description="Days with any open hours.")
    weekly_average_hours: Decimal = Field(description="hours × 7 / the number of days (2 decimals).")

    @field_serializer("hours", "weekly_average_hours")
    def _as_text(self, value: Decimal) -> str:
        return f"{value:.2f}"


class GeoPointGeometry(BaseModel):
    type: Literal["Point"] = "Point"
    coordinates: list[float] = Field(description="[lon, lat] (RFC 7946 order)")


class FacilityFeatureProperties(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name_zh: str
    name_en: str
    kind: Kind
    level: Level
    subdistrict: str = Field(validation_alias=AliasPath("subdistrict", "code"))
    community: str | None = Field(None, validation_alias=AliasPath("community", "code"))
    status: Status
    operation_mode: Literal["government", "social"]
    operator_id: int | None


class FacilityFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: int
    geometry: GeoPointGeometry
    properties: FacilityFeatureProperties

    @classmethod
    def of(cls, facility: Any) -> FacilityFeature:
        return cls(
            id=facility.id,
            geometry=GeoPointGeometry(coordinates=[facility.lon, facility.lat]),
            properties=FacilityFeatureProperties.model_validate(facility),
        )


class FacilityFeatureCollection(BaseModel):
    """RFC 7946 GeoJSON."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[FacilityFeature]

    @classmethod
    def of(cls, facilities: Iterable[Any]) -> FacilityFeatureCollection:
        return cls(features=[FacilityFeature.of(f) for f in facilities])
