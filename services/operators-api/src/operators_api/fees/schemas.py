from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from operators_api.fees.models import FeeGuideline
from operators_api.fees.rules import DEFAULT_GUIDELINE
from operators_api.shared import FacilityId, Fen, PositiveFen, StrictInt

FeeStatus = Literal["submitted", "approved", "rejected", "withdrawn", "revoked", "expired"]
Category = Literal[
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


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class GuidelineUpdate(_Input):
    cap_percent_of_market: StrictInt = Field(
        ge=1, le=100, description="The fee is at most this share of the market reference price."
    )
    min_special_group_free_percent: StrictInt = Field(
        ge=0, le=100, description="At least this share of places is free for special groups."
    )
    max_special_group_price_percent: StrictInt = Field(
        ge=0, le=100, description="Special groups pay at most this share of the fee."
    )
    allowed_categories: list[Category] = Field(
        min_length=1, max_length=12, description="Service categories that may charge."
    )
    note: str = Field("", max_length=2000)


class GuidelineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: StrictInt = Field(description="0: the built-in default; each edit adds one.")
    cap_percent_of_market: int
    min_special_group_free_percent: int
    max_special_group_price_percent: int
    allowed_categories: list[str]
    note: str
    created_at: datetime | None = None

    @classmethod
    def of(cls, guideline: FeeGuideline | None) -> GuidelineRead:
        """The guideline in force: the district's latest, or the built-in default before any was set."""
        if guideline is None:
            return cls.model_validate({**DEFAULT_GUIDELINE, "created_at": None})
        return cls.model_validate(guideline)


class FeeApplicationCreate(_Input):
    contract_id: StrictInt = Field(ge=1, le=2_147_483_647)
    facility_id: FacilityId
    service_id: StrictInt = Field(
        ge=1, le=2_147_483_647, description="The non-basic service (facilities-api) the fee is for."
    )
    market_price_fen: PositiveFen = Field(
        description="Market reference price (市场参考价) per person and session, fen."
    )
    proposed_fee_fen: PositiveFen = Field(description="The preferential fee asked for, fen.")
    special_group_free_percent: StrictInt = Field(ge=0, le=100, description="Share of places free for special groups.")
    special_group_fee_fen: Fen = Field(0, description="What special groups pay beyond the free places, fen.")
    justification: str = Field(min_length=1, max_length=5000)


class Decision(_Input):
    decision: Literal["approved", "rejected"]
    reason: str = Field(min_length=1, max_length=2000)


class Reason(_Input):
    reason: str = Field(min_length=1, max_length=2000)


class FeeApplicationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    operator_id: int
    contract_id: int
    facility_id: int
    service_id: int
    service_name: str
    service_category: str
    market_price_fen: int
    proposed_fee_fen: int
    special_group_free_percent: int
    special_group_fee_fen: int
    justification: str
    guideline_version: int
    guideline_check: list[dict[str, Any]] = Field(
        description="Each rule of the guideline and whether the application met it."
    )
    status: FeeStatus
    decision_reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    expires_on: date | None = Field(description="An approval ends with the contract.")
    submitted_at: datetime
    updated_at: datetime
    version: int

    @field_validator("guideline_check", mode="before")
    @classmethod
    def _rules(cls, value: Any) -> Any:
        """Stored as {"rules": [...]}: the rules are what a reader sees."""
        return value.get("rules", []) if isinstance(value, dict) else value
