from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from operators_api.periods import MonthName
from operators_api.reads import ReadModel
from operators_api.shared import FacilityId, StrictInt


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReportLine(_Input):
    facility_id: FacilityId
    open_hours: Decimal = Field(ge=0, le=744, decimal_places=1, description="Hours the facility was open in the month.")
    activities: StrictInt = Field(ge=0, le=10_000)
    participants: StrictInt = Field(ge=0, le=10_000_000)
    special_group_services: StrictInt = Field(
        ge=0, le=1_000_000, description="Services for the elderly, minors, disabled and low-income residents."
    )
    incidents: StrictInt = Field(0, ge=0, le=1000, description="Safety or service incidents.")
    notes: str = Field("", max_length=2000)


class ReportCreate(_Input):
    contract_id: StrictInt = Field(ge=1, le=2_147_483_647)
    month: MonthName
    lines: list[ReportLine] = Field(min_length=1, max_length=200, description="One line per facility of the contract.")
    summary: str = Field("", max_length=5000)


class ReportUpdate(_Input):
    # Absent: unchanged. The None default is never validated, so null is refused like any other wrong type.
    lines: list[ReportLine] = Field(None, min_length=1, max_length=200)  # type: ignore[arg-type]
    summary: str = Field(None, max_length=5000)  # type: ignore[assignment]


class FigureCheck(BaseModel):
    figure: str
    reported: Decimal
    recorded: Decimal | None
    source: str
    difference: Decimal | None
    difference_percent: Decimal | None
    flagged: bool


class LineCheck(BaseModel):
    facility_id: int
    figures: list[FigureCheck]
    complaints_recorded: StrictInt | None = Field(
        description="Complaints feedback-api recorded for the facility that month."
    )


class CrossCheck(BaseModel):
    checked_at: datetime | None = None
    tolerance_percent: int | None = None
    lines: list[LineCheck] = Field(default_factory=list)
    missing: list[dict[str, Any]] = Field(
        default_factory=list, description="Figures the platform could not give, and why."
    )


class ReportRead(ReadModel):
    id: int
    contract_id: int
    operator_id: int
    month: str
    lines: list[dict[str, Any]]
    summary: str
    cross_check: CrossCheck
    flagged: bool = Field(description="A figure differs from the platform's record by more than the tolerance.")
    filed_by: str
    filed_at: datetime
    updated_at: datetime
    version: int
