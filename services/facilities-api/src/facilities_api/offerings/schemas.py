from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AliasChoices, AliasPath, BaseModel, ConfigDict, Field

from facilities_api.vocab import StrictBool, StrictInt, TargetGroup, everyone

ServiceCategory = Literal[
    "lending",
    "reading_room",
    "digital",
    "training",
    "lecture",
    "exhibition",
    "performance",
    "venue",
    "heritage",
    "consultation",
    "delivery",
    "other",
]
Delivery = Literal["on_site", "home_delivery", "online"]
MAX_FEE_FEN = 10_000_000


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ServiceCreate(_Fields):
    name_zh: str = Field(min_length=1, max_length=200, examples=["图书借阅"])
    name_en: str = Field("", max_length=300)
    category: ServiceCategory
    basic: StrictBool = Field(description="A basic public cultural service (基本公共文化服务): always free.")
    fee_fen: StrictInt = Field(
        0, ge=0, le=MAX_FEE_FEN, description="Fee in fen; above 0 only with an approved application."
    )
    target_groups: list[TargetGroup] = Field(default_factory=everyone, max_length=8)
    delivery: Delivery = "on_site"
    description_zh: str = Field("", max_length=5000)


class ServiceUpdate(_Fields):
    """A merge patch; send If-Match."""

    name_zh: str | None = Field(None, min_length=1, max_length=200)
    name_en: str | None = Field(None, max_length=300)
    category: ServiceCategory | None = None
    basic: StrictBool | None = None
    fee_fen: StrictInt | None = Field(None, ge=0, le=MAX_FEE_FEN)
    target_groups: list[TargetGroup] | None = Field(None, max_length=8)
    delivery: Delivery | None = None
    description_zh: str | None = Field(None, max_length=5000)
    active: StrictBool | None = None


class FeeApprovalRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    application_id: int
    approved_fee_fen: int = Field(description="The cap the fee may reach.")
    expires_on: date
    status: Literal["active", "revoked", "expired"]


class BasicPeriod(BaseModel):
    """Read from a `ServiceBasicPeriod` (starts_at, ends_at)."""

    model_config = ConfigDict(populate_by_name=True, from_attributes=True)

    from_: datetime = Field(validation_alias=AliasChoices("from", "starts_at"), serialization_alias="from")
    until: datetime | None = Field(validation_alias=AliasChoices("until", "ends_at"), description="null: basic still.")


def _of(field: str) -> AliasPath:
    return AliasPath("service", field)


class ServiceRead(BaseModel):
    """Read from an offerings `Offered`: the service, the fee approval in force, its basic periods."""

    model_config = ConfigDict(from_attributes=True)

    id: int = Field(validation_alias=_of("id"))
    facility_id: int = Field(validation_alias=_of("facility_id"))
    name_zh: str = Field(validation_alias=_of("name_zh"))
    name_en: str = Field(validation_alias=_of("name_en"))
    category: ServiceCategory = Field(validation_alias=_of("category"))
    basic: bool = Field(validation_alias=_of("basic"))
    fee_fen: int = Field(validation_alias=_of("fee_fen"))
    target_groups: list[str] = Field(validation_alias=_of("target_groups"))
    delivery: Delivery = Field(validation_alias=_of("delivery"))
    description_zh: str = Field(validation_alias=_of("description_zh"))
    active: bool = Field(validation_alias=_of("active"))
    fee_approval: FeeApprovalRead | None = Field(
        validation_alias="approval", description="The approval in force (published on the facility page)."
    )
    basic_periods: list[BasicPeriod] = Field(
        validation_alias="periods",
        description="When it was basic (always free), oldest first: a fee application on a service basic at any time "
        "during the contract is refused.",
    )
    version: int = Field(validation_alias=_of("version"))
    created_at: datetime = Field(validation_alias=_of("created_at"))
    updated_at: datetime = Field(validation_alias=_of("updated_at"))


ProposalStatus = Literal["pending", "approved", "rejected"]


class ServiceProposalCreate(_Fields):
    """A change to the catalogue of a facility's services, for a district official to decide: a new
    service (no service_id: name_zh, category and basic are needed), or a change to one (service_id and
    the fields that change)."""

    service_id: StrictInt | None = Field(
        None, ge=1, le=2_147_483_647, description="The service to change; none: add one."
    )
    name_zh: str | None = Field(None, min_length=1, max_length=200)
    name_en: str | None = Field(None, max_length=300)
    category: ServiceCategory | None = None
    basic: StrictBool | None = Field(None, description="Basic (free whoever runs the facility) or non-basic.")
    description_zh: str | None = Field(None, max_length=5000)
    target_groups: list[TargetGroup] | None = Field(None, max_length=8)
    delivery: Delivery | None = None
    reason: str = Field(min_length=1, max_length=2000, description="Why: read by the official who decides.")


class ServiceProposalDecision(_Fields):
    note: str = Field("", max_length=2000, description="The decision's reasons (needed to reject).")


class ServiceProposalRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    facility_id: int
    service_id: int | None = Field(description="The service changed, or (once approved) the one added.")
    kind: Literal["add", "change"]
    changes: dict[str, object] = Field(description="The proposed values of the fields it changes.")
    reason: str
    status: ProposalStatus
    proposed_by: str
    proposer_operator_id: int | None
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
