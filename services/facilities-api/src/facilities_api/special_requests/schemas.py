from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from facilities_api.special_requests.masking import mask_address, mask_request_text
from facilities_api.vocab import DistrictDateTime, StrictInt, as_local
from service_kit.params import INT32_MAX
from service_kit.text import mask_phone

SpecialGroup = Literal["elderly", "minor", "disabled", "low_income"]
RequestKind = Literal["appointment", "home_delivery"]
RequestStatus = Literal["submitted", "assigned", "scheduled", "done", "confirmed", "rejected", "cancelled"]


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OnBehalfOf(_Fields):
    """The person a request is filed for, by an official (community staff among them), when they have no
    account or phone of their own: the request's address and, if they have one, phone are theirs."""

    name: str = Field(min_length=1, max_length=200, examples=["王秀英"])


class SpecialRequestCreate(_Fields):
    facility_id: StrictInt = Field(ge=1, le=INT32_MAX, description="The facility asked to serve.")
    service_id: StrictInt | None = Field(None, ge=1, le=INT32_MAX, description="The service offered asked for, if one.")
    special_group: SpecialGroup = Field(description="Declared by the resident; an official verifies it.")
    kind: RequestKind
    description: str = Field(
        min_length=1,
        max_length=2000,
        examples=["希望每月送两次大字版图书上门"],
        description="Shown in full to the resident and the handler; others read phone and ID numbers and health mentions masked.",
    )
    health_notes: str = Field(
        "",
        max_length=2000,
        description="What the staff should know of the person's health: shown only to the resident and the handler.",
    )
    address: str = Field(
        "", max_length=300, description="Needed for home delivery. Shown only to the assigned staff and officials."
    )
    phone: str | None = Field(
        None,
        min_length=5,
        max_length=40,
        pattern=r"^[0-9+\-() ]+$",
        description="Needed, unless filed on behalf of someone without one.",
    )
    preferred_time: str = Field("", max_length=200, examples=["工作日上午"])
    on_behalf_of: OnBehalfOf | None = Field(
        None,
        description="Officials only: filed for this person (address needed, phone if they have one); the filer is recorded.",
    )


class SpecialRequestAssign(_Fields):
    operator_id: StrictInt | None = Field(
        None,
        ge=1,
        le=INT32_MAX,
        description="Assign to this operator's staff (default: the facility's operator, if any).",
    )
    assigned_to_sub: str | None = Field(
        None, min_length=1, max_length=200, description="Or to one staff member (their user id)."
    )
    assigned_to_name: str = Field("", max_length=200)


class SpecialRequestSchedule(_Fields):
    scheduled_for: DistrictDateTime
    note: str = Field("", max_length=2000)


class SpecialRequestNote(_Fields):
    note: str = Field("", max_length=2000)


class SpecialRequestReject(_Fields):
    reason: str = Field(min_length=1, max_length=2000)


class SpecialRequestRead(BaseModel):
    """A request as a viewer sees it: build it with `of(shown)`; contact, health and group are masked
    unless the service found the viewer may see the person's data."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    resident_sub: str | None = Field(description="null: filed on behalf of someone without an account.")
    filed_by: str | None = Field(
        None, validation_alias="filed_by_sub", description="Who filed it on the person's behalf."
    )
    resident_name: str
    special_group: SpecialGroup | None = Field(description="null when hidden from the viewer, or erased.")
    health_notes: str | None = Field(None, description="null when hidden from the viewer.")
    group_verified: bool
    kind: RequestKind
    facility_id: int
    service_id: int | None
    description: str = Field(
        description="Phone and ID numbers and health mentions masked unless the viewer handles it or asked."
    )
    address: str = Field(description="Masked unless the viewer is the resident, the assigned staff or an official.")
    phone: str = Field(description="Masked likewise.")
    preferred_time: str
    status: RequestStatus
    assigned_operator_id: int | None
    assigned_to_name: str
    scheduled_for: Annotated[datetime | None, AfterValidator(as_local)]
    done_at: datetime | None
    confirmed_at: datetime | None
    note: str
    personal_data_erased_at: datetime | None = Field(
        None, description="When the group, health notes and contact were erased (the request no longer needed them)."
    )
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, shown: Shown) -> SpecialRequestRead:
        read = cls.model_validate(shown.request)
        if shown.sees_personal_data:
            return read
        name = read.resident_name
        return read.model_copy(
            update={
                "resident_name": name[:1] + "**" if name else "",
                "special_group": None,
                "health_notes": None,
                "description": mask_request_text(read.description),
                "address": mask_address(read.address),
                "phone": mask_phone(read.phone),
                "note": mask_request_text(read.note),
            }
        )


class Shown(Protocol):
    """A request and whether its viewer may see the person's data (the service decides)."""

    @property
    def request(self) -> Any: ...
    @property
    def sees_personal_data(self) -> bool: ...
