from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Self

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from operators_api.inspections.models import Inspection, Rectification
from operators_api.inspections.rules import is_overdue
from operators_api.periods import BoundedDate
from operators_api.reads import ReadModel
from operators_api.shared import FacilityId, StrictInt, from_centi

RectificationStatus = Literal["open", "responded", "accepted", "reopened", "withdrawn"]
ChecklistKey = Literal[
    "opening_hours", "free_services", "safety", "hygiene", "staffing", "activities", "accessibility", "records"
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ChecklistItem(ReadModel):
    key: str
    name_zh: str
    max_score: int


class ItemScore(_Input):
    key: ChecklistKey
    score: Decimal = Field(ge=0, le=100, decimal_places=1, description="From 0 to the item's points.")
    finding: str = Field("", max_length=2000)


class RectificationOrder(_Input):
    finding: str = Field(min_length=1, max_length=2000)
    required_action: str = Field(min_length=1, max_length=2000)
    deadline_on: BoundedDate


class InspectionCreate(_Input):
    contract_id: StrictInt = Field(ge=1, le=2_147_483_647)
    facility_id: FacilityId
    inspected_on: BoundedDate
    announced: bool = Field(description="False: an unannounced visit (暗访).")
    summary: str = Field("", max_length=5000)
    items: list[ItemScore] = Field(min_length=1, max_length=20, description="Every checklist item, once.")
    rectifications: list[RectificationOrder] = Field(default_factory=list, max_length=20)


class InspectionRead(ReadModel):
    id: int
    contract_id: int
    operator_id: int
    facility_id: int
    inspected_on: date
    announced: bool
    inspector: str
    inspector_name: str
    items: list[dict[str, object]]
    score: Decimal = Field(description="Percent of the checklist's points.")
    summary: str
    rectification_ids: list[int]
    created_at: datetime

    @classmethod
    def with_orders(cls, inspection: Inspection, rectification_ids: Sequence[int]) -> Self:
        """The inspection, its score in percent, and the rectifications it ordered."""
        return cls.of(inspection, score=from_centi(inspection.score_centi), rectification_ids=list(rectification_ids))


class Document(_Input):
    title: str = Field(min_length=1, max_length=200)
    url: AnyHttpUrl


class RectificationResponse(_Input):
    response: str = Field(min_length=1, max_length=5000, description="What the operator did.")
    documents: list[Document] = Field(default_factory=list, max_length=20)


class RectificationReview(_Input):
    decision: Literal["accepted", "reopened"]
    reason: str = Field(min_length=1, max_length=2000)
    new_deadline_on: BoundedDate | None = Field(
        None, description="When reopening: a new deadline (default: unchanged)."
    )


class Reason(_Input):
    reason: str = Field(min_length=1, max_length=2000)


class RectificationRead(ReadModel):
    id: int
    contract_id: int
    operator_id: int
    facility_id: int | None
    source: Literal["inspection", "evaluation"]
    inspection_id: int | None
    evaluation_id: int | None
    finding: str
    required_action: str
    deadline_on: date
    status: RectificationStatus
    overdue: bool = Field(description="Still waiting for the operator after the deadline (today in Asia/Shanghai).")
    response: str | None
    response_documents: list[dict[str, str]]
    responded_at: datetime | None
    responded_late: bool
    review_reason: str | None
    reviewed_at: datetime | None
    ordered_at: datetime
    version: int

    @classmethod
    def as_of(cls, rectification: Rectification, today: date) -> Self:
        """The rectification as it stands on `today` (whether it is overdue)."""
        return cls.of(rectification, overdue=is_overdue(rectification.status, rectification.deadline_on, today))
