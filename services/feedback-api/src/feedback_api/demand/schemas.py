from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from feedback_api.demand.models import DemandRequest, DemandStep
from feedback_api.menu.schemas import ServiceCategory
from feedback_api.text import clean_optional, clean_required, mask_personal_data
from feedback_api.types import IsoDate
from service_kit.auth import Principal
from service_kit.params import INT32_MAX

# What a resident asks for is one of the kinds of service the menus offer.
DemandCategory = ServiceCategory
DemandStatus = Literal["submitted", "planned", "declined", "delivered"]
AreaCode = str


class DemandCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: DemandCategory
    title: str = Field(
        min_length=1, max_length=200, examples=["希望社区开设老年人智能手机培训"]
    )
    description: str | None = Field(None, max_length=2000)
    subdistrict: str | None = Field(
        None, max_length=50, pattern=r"^[a-z0-9-]+$", examples=["jingshan"]
    )
    community: str | None = Field(
        None, max_length=50, pattern=r"^[a-z0-9-]+$", examples=["jingshan-1"]
    )
    facility_id: int | None = Field(
        None, ge=1, le=INT32_MAX, description="Where, if a facility is meant."
    )
    place: str | None = Field(None, max_length=200)
    preferred_from: IsoDate | None = None
    preferred_to: IsoDate | None = None
    on_behalf_of_community: bool = Field(
        False,
        strict=True,
        description="Officials only: the request is a community's, not their own.",
    )

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        return clean_required(v)

    @field_validator("description", "place")
    @classmethod
    def _text(cls, v: str | None) -> str | None:
        return clean_optional(v)

    @model_validator(mode="after")
    def _dates(self) -> DemandCreate:
        if (
            self.preferred_from
            and self.preferred_to
            and self.preferred_from > self.preferred_to
        ):
            raise ValueError("preferred_from is after preferred_to")
        return self


class DemandAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["planned", "declined", "delivered"]
    note: str | None = Field(
        None, max_length=2000, description="Required when declining: the reason."
    )
    activity_id: int | None = Field(
        None,
        ge=1,
        le=INT32_MAX,
        description="Required when delivered: the activity that met it.",
    )

    @field_validator("note")
    @classmethod
    def _note(cls, v: str | None) -> str | None:
        return clean_optional(v)


def _masked(text: str | None) -> str | None:
    return mask_personal_data(text)[0] if text else text


class DemandRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    requester: Literal["resident", "community"]
    category: DemandCategory
    title: str
    description: str | None
    subdistrict: str | None
    community: str | None
    facility_id: int | None
    place: str | None
    preferred_from: date | None
    preferred_to: date | None
    period: str
    status: DemandStatus
    answer_note: str | None
    activity_id: int | None
    answered_at: datetime | None
    mine: bool
    version: int
    created_at: datetime

    @classmethod
    def for_viewer(
        cls, d: DemandRequest, *, viewer: Principal | None, **extra: object
    ) -> Self:
        """The request as `viewer` reads it. The operator running the facility reads what residents ask
        of it, but not who they are: phone and ID numbers in the free text are masked (residents'
        identity is never shown to anyone)."""
        masked = viewer is not None and viewer.role == "operator"
        mine = (
            viewer is not None
            and d.resident_sub is not None
            and viewer.sub == d.resident_sub
        )
        # Every other field is the request's own column of the same name.
        fields = {n: getattr(d, n) for n in DemandRead.model_fields if n != "mine"}
        if masked:
            fields.update(
                title=_masked(d.title),
                description=_masked(d.description),
                place=_masked(d.place),
            )
        return cls.model_validate({**fields, "mine": mine, **extra})


class DemandStepRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: Literal["submit", "answer", "reopen"]
    from_status: DemandStatus | None
    to_status: DemandStatus
    actor_role: str
    activity_id: int | None
    note: str | None
    at: datetime


class DemandDetail(DemandRead):
    history: list[DemandStepRead] = Field(
        description="Filed, answered, and reopened when the activity that delivered it was cancelled."
    )

    @classmethod
    def of(
        cls, d: DemandRequest, steps: Sequence[DemandStep], *, viewer: Principal
    ) -> Self:
        return cls.for_viewer(
            d, viewer=viewer, history=[DemandStepRead.model_validate(s) for s in steps]
        )


class DemandStatRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str | None = Field(
        description="The community, category, subdistrict or period (null: not given)."
    )
    requests: int
    submitted: int
    planned: int
    declined: int
    delivered: int
    menu_votes: int = Field(
        description="Votes in menu rounds for this key (by the voter's community, the item's category, the round's area or period)."
    )


class DemandStats(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    group_by: Literal["community", "category", "subdistrict", "period"]
    period: str | None
    rows: list[DemandStatRow]
