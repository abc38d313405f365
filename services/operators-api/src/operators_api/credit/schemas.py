from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from operators_api.periods import BoundedDate
from operators_api.reads import ReadModel
from operators_api.shared import StrictInt

BASE_SCORE = 100


class CreditEntryRead(ReadModel):
    id: int
    kind: Literal["evaluation", "rectification", "honour", "training", "appeal"]
    points: int
    description: str
    source_type: str
    source_id: int
    recorded_at: datetime


class CreditRecordRead(ReadModel):
    operator_id: int
    base: StrictInt = Field(BASE_SCORE, description="Every operator starts at 100.")
    score: StrictInt = Field(description="The base plus every entry's points.")
    entries: list[CreditEntryRead]


class HonourCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200, examples=["东城区优秀社会化运营单位"])
    awarded_by: str = Field(min_length=1, max_length=200, examples=["北京市东城区文化和旅游局"])
    awarded_on: BoundedDate
    points: StrictInt = Field(3, ge=0, le=20, description="Credit points the honour adds.")


class HonourRead(ReadModel):
    id: int
    operator_id: int
    title: str
    awarded_by: str
    awarded_on: date
    points: int
