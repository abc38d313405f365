from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from feedback_api.periods import PERIOD_PATTERN
from feedback_api.text import check_text, clean_optional, clean_required
from service_kit.params import INT32_MAX

TargetType = Literal["facility", "activity", "service"]
Score = Annotated[int, Field(ge=1, le=5)]
Period = Annotated[
    str,
    Field(
        pattern=PERIOD_PATTERN,
        examples=["2026Q4"],
        description="A calendar quarter in Asia/Shanghai.",
    ),
]
DecimalString = Annotated[str, Field(pattern=r"^[0-9]\.[0-9]{2}$", examples=["4.25"])]

COMMENT_MAX = 2000
REPLY_MAX = 1000

__all__ = ["check_text"]


class Dimensions(BaseModel):
    """Scores per aspect, each 1–5 and each optional."""

    model_config = ConfigDict(extra="forbid")

    environment: Score | None = Field(
        None, description="环境: space, cleanliness, comfort."
    )
    content: Score | None = Field(
        None, description="内容: collections, programmes, activities."
    )
    staff: Score | None = Field(
        None, description="服务人员: helpfulness of the staff and volunteers."
    )
    convenience: Score | None = Field(
        None, description="便利: opening hours, access, booking."
    )


class RatingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_type: TargetType
    target_id: int = Field(
        ge=1, le=INT32_MAX, description="The target's id in facilities-api."
    )
    facility_id: int | None = Field(
        None,
        ge=1,
        le=INT32_MAX,
        description="The facility a rated service belongs to (required for a service).",
    )
    overall: Score
    dimensions: Dimensions = Field(default_factory=Dimensions)
    comment: str | None = Field(
        None, max_length=COMMENT_MAX, examples=["阅览区很安静，工作人员很热情👍"]
    )

    @field_validator("comment")
    @classmethod
    def _comment(cls, v: str | None) -> str | None:
        return clean_optional(v)


class ReplyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1,
        max_length=REPLY_MAX,
        examples=["感谢您的建议，周一闭馆期间可预约自助还书。"],
    )

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        return clean_required(v)


class Reply(BaseModel):
    text: str
    operator_id: int
    replied_at: datetime


class RatingRead(BaseModel):
    id: int
    target_type: TargetType
    target_id: int
    facility_id: int
    period: str = Field(examples=["2026Q4"])
    overall: int
    dimensions: Dimensions
    comment: str | None = Field(
        description="Phone and ID numbers masked; null while it waits for moderation (except to its author and officials)."
    )
    comment_status: Literal["none", "published", "pending", "rejected"]
    status: Literal["visible", "held", "hidden"] = Field(
        description="held: part of a suspected burst, out of the index until reviewed."
    )
    verified: bool = Field(
        description="Its author checked in at the activity (or at the facility) according to facilities-api."
    )
    author: str = Field(
        description="A masked display: residents are never named publicly.",
        examples=["居民***"],
    )
    mine: bool = Field(description="True when the caller wrote it.")
    live: bool = Field(
        description="False once its author rated the same target again in the same period."
    )
    replaced_by: int | None = Field(description="The rating that replaced this one.")
    reply: Reply | None = Field(description="The operator's public reply, if any.")
    created_at: datetime


class RatingSaved(RatingRead):
    replaced_id: int | None = Field(
        description="The caller's earlier rating of this target in this period that this one replaced (answer 200), or null (201)."
    )


class DimensionSummary(BaseModel):
    count: int = Field(description="Live ratings that scored this dimension.")
    mean: DecimalString | None = Field(
        description="Their mean, 2 decimal places (half up); null when none."
    )


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
    count: int = Field(
        description="Counted ratings of the target in the period (live and visible)."
    )
    overall_mean: DecimalString | None = Field(
        description="Mean overall score, 2 decimal places (half up); null when count is 0."
    )
    distribution: OverallDistribution
    dimensions: DimensionsSummary
