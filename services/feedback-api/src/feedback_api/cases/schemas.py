from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from feedback_api.cases.access import is_author, is_handler, is_overdue
from feedback_api.cases.categories import CATEGORIES, Category
from feedback_api.cases.models import CaseStep, ResidentCase
from feedback_api.text import (
    clean_optional,
    clean_required,
    mask_email,
    mask_name,
    mask_personal_data,
    mask_phone,
)
from service_kit.auth import Principal
from service_kit.params import INT32_MAX

CaseKind = Literal["complaint", "suggestion", "praise", "consultation"]
CaseStatus = Literal[
    "submitted", "accepted", "assigned", "responded", "reopened", "confirmed", "closed"
]
CategoryCode = Literal[
    "fee_overcharge",
    "service_quality",
    "opening_hours",
    "staff_conduct",
    "facility_condition",
    "accessibility",
    "activity_organisation",
    "suggestion",
    "praise",
    "consultation",
]
DESCRIPTION_MAX = 4000
AttributeValue = (
    Annotated[str, Field(max_length=500)]
    | Annotated[int, Field(ge=0, le=2_000_000_000)]
)


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=30, pattern=r"^\+?[0-9][0-9 -]{5,28}$")
    email: str | None = Field(
        None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    )

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return clean_optional(v)


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: CategoryCode
    target_type: Literal["facility", "activity", "service"] | None = Field(
        None, description="What it is about, if anything in particular."
    )
    target_id: int | None = Field(None, ge=1, le=INT32_MAX)
    facility_id: int | None = Field(
        None, ge=1, le=INT32_MAX, description="Required with a service target."
    )
    title: str | None = Field(None, max_length=200)
    description: str = Field(
        min_length=1,
        max_length=DESCRIPTION_MAX,
        examples=["周六下午按开放时间前往，但大门紧闭，也没有任何通知😞"],
    )
    photo_urls: list[HttpUrl] = Field(
        default_factory=list,
        max_length=9,
        description="Links to photos (uploaded elsewhere).",
    )
    attributes: dict[Annotated[str, Field(max_length=50)], AttributeValue] = Field(
        default_factory=dict,
        max_length=20,
        description="The category's extra fields (see GET /api/v1/cases/categories).",
    )
    address: str | None = Field(None, max_length=300)
    lat: float | None = Field(None, ge=-90, le=90, strict=True)
    lon: float | None = Field(None, ge=-180, le=180, strict=True)
    contact: Contact | None = None

    @field_validator("title", "address")
    @classmethod
    def _optional_text(cls, v: str | None) -> str | None:
        return clean_optional(v)

    @field_validator("description")
    @classmethod
    def _description(cls, v: str) -> str:
        return clean_required(v)

    @field_validator("photo_urls")
    @classmethod
    def _photos(cls, v: list[HttpUrl]) -> list[HttpUrl]:
        for url in v:
            if len(str(url)) > 500:
                raise ValueError("a photo URL may have at most 500 characters")
        return v


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(None, max_length=2000)

    @field_validator("note")
    @classmethod
    def _note(cls, v: str | None) -> str | None:
        return clean_optional(v)


class Assign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: Literal["operator", "official"]
    operator_id: int | None = Field(
        None,
        ge=1,
        le=INT32_MAX,
        description="Required when the assignee is an operator.",
    )
    note: str | None = Field(None, max_length=2000)

    @field_validator("note")
    @classmethod
    def _note(cls, v: str | None) -> str | None:
        return clean_optional(v)


class Respond(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=DESCRIPTION_MAX)

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        return clean_required(v)


class Confirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer_rating: int | None = Field(
        None, ge=1, le=5, description="How satisfied you are with the answer, 1–5."
    )
    note: str | None = Field(None, max_length=2000)

    @field_validator("note")
    @classmethod
    def _note(cls, v: str | None) -> str | None:
        return clean_optional(v)


class Reopen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)

    @field_validator("reason")
    @classmethod
    def _reason(cls, v: str) -> str:
        return clean_required(v)


class AnswerRating(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer_rating: int = Field(ge=1, le=5)


class ContactRead(BaseModel):
    name: str | None
    phone: str | None
    email: str | None
    masked: bool = Field(description="True unless you handle the case (or filed it).")

    @classmethod
    def for_viewer(cls, c: ResidentCase, *, full: bool) -> Self | None:
        """The resident's contact: in full for the case's author and handler, masked for others."""
        if not (c.contact_name or c.contact_phone or c.contact_email):
            return None
        if full:
            return cls(
                name=c.contact_name,
                phone=c.contact_phone,
                email=c.contact_email,
                masked=False,
            )
        return cls(
            name=mask_name(c.contact_name),
            phone=mask_phone(c.contact_phone),
            email=mask_email(c.contact_email),
            masked=True,
        )


class Assignee(BaseModel):
    type: Literal["operator", "official", "district"] = Field(
        description="operator: the operator running the facility; official: the officials of the case's area; "
        "district: the district's officials (escalated from the subdistrict)."
    )
    operator_id: int | None


class ChargeRead(BaseModel):
    charged_fen: int | None = Field(
        description="What the resident says was charged, in fen."
    )
    approved_fee_fen: int | None = Field(
        description="The price approved for it when the case was filed (0: it should have been free); null when the complaint names no service or activity."
    )
    basis: str | None = Field(
        description="What the approved price was read from (the service's record, or the activity)."
    )
    over_by_fen: int | None

    @classmethod
    def of(cls, c: ResidentCase) -> Self | None:
        """An overcharge complaint's charge as reported, beside the price approved for it (read from
        facilities-api's record when the case was filed)."""
        if c.category != "fee_overcharge":
            return None
        reported = (c.attributes or {}).get("charged_fen")
        charged = int(reported) if reported is not None else None
        approved = c.approved_fee_fen
        return cls(
            charged_fen=charged,
            approved_fee_fen=approved,
            basis=c.approved_fee_basis,
            over_by_fen=charged - approved
            if charged is not None and approved is not None
            else None,
        )


class CaseStored(BaseModel):
    """The fields of a case everyone who may see it reads as stored."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: CaseKind
    category: str
    target_type: str | None
    target_id: int | None
    facility_id: int | None
    subdistrict: str | None
    operator_id: int | None = Field(
        description="The operator running the facility when the case was routed."
    )
    title: str | None
    address: str | None
    lat: float | None
    lon: float | None
    source: Literal["app", "open311"]
    status: CaseStatus
    due_at: datetime | None = Field(
        description="When the answer is due (end of the Nth working day)."
    )
    escalated_at: datetime | None
    first_responded_at: datetime | None
    responded_on_time: bool | None
    reopen_count: int
    answer_rating: int | None
    closed_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class CaseRead(CaseStored):
    category_name: str
    description: str
    photo_urls: list[str]
    attributes: dict[str, str | int]
    charge: ChargeRead | None = Field(
        description="An overcharge complaint: the charge reported beside the approved price."
    )
    assignee: Assignee | None
    overdue: bool
    response: str | None
    contact: ContactRead | None
    mine: bool
    service_request_id: str = Field(
        description="The same case's id in Open311 GeoReport v2."
    )

    @classmethod
    def for_viewer(
        cls, c: ResidentCase, *, viewer: Principal, now: datetime, **extra: Any
    ) -> Self:
        """The case as `viewer` may read it at `now`: the resident's contact and the personal data in the
        description are masked for all but its author and handler (officials read the description)."""
        full = is_author(c, viewer) or is_handler(c, viewer)
        description = (
            c.description
            if full or viewer.is_official
            else mask_personal_data(c.description)[0]
        )
        stored = CaseStored.model_validate(c).model_dump()
        return cls(
            **stored,
            category_name=CATEGORIES[c.category].name_zh,
            description=description,
            photo_urls=list(c.photo_urls or []),
            attributes=dict(c.attributes or {}),
            charge=ChargeRead.of(c),
            assignee=Assignee(type=c.assignee_type, operator_id=c.assignee_operator_id)
            if c.assignee_type
            else None,
            overdue=is_overdue(c, now),
            response=c.response_text,
            contact=ContactRead.for_viewer(c, full=full),
            mine=is_author(c, viewer),
            service_request_id=str(c.id),
            **extra,
        )


class StepRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    from_status: str | None
    to_status: str
    actor_role: str
    note: str | None
    at: datetime


class CaseDetail(CaseRead):
    timeline: list[StepRead]

    @classmethod
    def of(
        cls,
        c: ResidentCase,
        steps: Sequence[CaseStep],
        *,
        viewer: Principal,
        now: datetime,
    ) -> Self:
        return cls.for_viewer(
            c,
            viewer=viewer,
            now=now,
            timeline=[StepRead.model_validate(s) for s in steps],
        )


class AttributeValueRead(BaseModel):
    key: str
    name: str


class AttributeRead(BaseModel):
    code: str
    datatype: Literal[
        "string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"
    ]
    required: bool
    description: str
    values: list[AttributeValueRead]


class CategoryRead(BaseModel):
    code: str
    kind: CaseKind
    name_zh: str
    name_en: str
    description: str
    deadline_working_days: int
    attributes: list[AttributeRead]

    @classmethod
    def of(cls, c: Category, *, deadline_working_days: int) -> Self:
        return cls.model_validate(
            {
                "code": c.code,
                "kind": c.kind,
                "name_zh": c.name_zh,
                "name_en": c.name_en,
                "description": c.description,
                "deadline_working_days": deadline_working_days,
                "attributes": [
                    {
                        "code": a.code,
                        "datatype": a.datatype,
                        "required": a.required,
                        "description": a.description,
                        "values": [{"key": k, "name": n} for k, n in a.values],
                    }
                    for a in c.attributes
                ],
            }
        )


class SweepResult(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    escalated: list[int] = Field(
        description="Cases taken from an operator that missed its deadline and given to an official."
    )
    overdue: int = Field(
        description="Cases past their deadline and still unanswered, after the sweep."
    )
    swept_at: datetime
