from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from feedback_api.periods import PERIOD_PATTERN
from service_kit.params import INT32_MAX

# What can be rated. Activities and services join when feedback-api can check them with facilities-api.
TargetType = Literal["facility"]
Score = Annotated[int, Field(ge=1, le=5)]
Period = Annotated[str, Field(pattern=PERIOD_PATTERN, examples=["2026Q4"], description="A calendar quarter in Asia/Shanghai.")]
DecimalString = Annotated[str, Field(pattern=r"^[0-9]\.[0-9]{2}$", examples=["4.25"])]

COMMENT_MAX = 2000
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


def check_text(value: str) -> str:
    """Any script, CJK and emoji alike, but no control characters (tabs and line breaks aside) and no
    lone surrogates: neither can be stored faithfully."""
    for ch in value:
        code = ord(ch)
        if (code < 0x20 and ch not in _ALLOWED_CONTROLS) or code == 0x7F:
            raise ValueError(f"control character U+{code:04X} is not allowed")
        if 0xD800 <= code <= 0xDFFF:
            raise ValueError("the text contains an unpaired surrogate")
    return value


class Dimensions(BaseModel):
    """Scores per aspect, each 1–5 and each optional."""

    model_config = ConfigDict(extra="forbid")

    environment: Score | None = Field(None, description="环境: space, cleanliness, comfort.")
    content: Score | None = Field(None, description="内容: collections, programmes, activities.")
    staff: Score | None = Field(None, description="服务人员: helpfulness of the staff and volunteers.")
    convenience: Score | None = Field(None, description="便利: opening hours, access, booking.")


class RatingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_type: TargetType
    target_id: int = Field(ge=1, le=INT32_MAX, description="The facility's id in facilities-api.")
    overall: Score
    dimensions: Dimensions = Field(default_factory=Dimensions)
    comment: str | None = Field(None, max_length=COMMENT_MAX, examples=["阅览区很安静，工作人员很热情👍"])

    @field_validator("comment")
    @classmethod
    def _comment(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = check_text(v).strip()
        return v or None


class RatingRead(BaseModel):
    id: int
    target_type: TargetType
    target_id: int
    period: str = Field(examples=["2026Q4"])
    overall: int
    dimensions: Dimensions
    comment: str | None
    author: str = Field(description="A masked display: residents are never named publicly.", examples=["居民***"])
    mine: bool = Field(description="True when the caller wrote it.")
    live: bool = Field(description="False once its author rated the same target again in the same period.")
    replaced_by: int | None = Field(description="The rating that replaced this one.")
    created_at: datetime


class RatingSaved(RatingRead):
    replaced_id: int | None = Field(
        description="The caller's earlier rating of this target in this period that this one replaced (answer 200), or null (201)."
    )


class DimensionSummary(BaseModel):
    count: int = Field(description="Live ratings that scored this dimension.")
    mean: DecimalString | None = Field(description="Their mean, 2 decimal places (half up); null when none.")


class DimensionsSummary(BaseModel):
    environment: DimensionSummary
    content: DimensionSummary
    staff: DimensionSummary
    convenience: DimensionSummary


class OverallDistribution(BaseModel):
    """How many live ratings gave each overall score."""

    one: int = Field(alias="1")
    two: int = Field(alias="2")
    three: int = Field(alias="3")
    four: int = Field(alias="4")
    five: int = Field(alias="5")


class RatingSummary(BaseModel):
    target_type: TargetType
    target_id: int
    period: str = Field(examples=["2026Q4"])
    count: int = Field(description="Live ratings of the target in the period.")
    overall_mean: DecimalString | None = Field(description="Mean overall score, 2 decimal places (half up); null when count is 0.")
    distribution: OverallDistribution
    dimensions: DimensionsSummary
