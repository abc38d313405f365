from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from feedback_api.text import clean_optional


class CalendarDayRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    day: date
    kind: Literal["holiday", "workday"]
    name: str
    source: Literal["settings", "officials"]
    updated_at: datetime | None = None


class CalendarDayPut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["holiday", "workday"] = Field(
        description="holiday: a weekday off; workday: a weekend make-up working day."
    )
    name: str | None = Field(None, max_length=100, examples=["春节"])

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return clean_optional(v)
