from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from feedback_api.periods import PERIOD_PATTERN
from feedback_api.text import check_text, clean_optional, clean_required
from service_kit.auth import Principal
from service_kit.pagination import Page
from service_kit.params import INT32_MAX
from service_kit.repository import Slice

if TYPE_CHECKING:
    from feedback_api.ratings.models import Rating

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


# Residents are never named publicly; every rating shows the same masked author.
MASKED_AUTHOR = "居民***"


def is_author(rating: Rating, viewer: Principal | None) -> bool:
    return (
        viewer is not None
        and viewer.role == "resident"
        and viewer.sub == rating.resident_sub
    )


class RatingRead(BaseModel):
    """A rating as one viewer sees it: validated from the Rating with the viewer in the context
    (`RatingRead.of`). Its author and those who read everything see a comment waiting for moderation;
    nobody sees who wrote it."""

    model_config = ConfigDict(from_attributes=True)

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

    @classmethod
    def of(cls, rating: Rating, *, viewer: Principal | None, **extra: Any) -> Self:
        """The rating as `viewer` sees it (`extra`: the other fields of a subclass, e.g. replaced_id)."""
        return cls.model_validate(rating, context={"viewer": viewer, **extra})

    @classmethod
    def page_of(cls, found: Slice[Rating], *, viewer: Principal | None) -> Page[Self]:
        return Page[cls](  # type: ignore[valid-type]  # (a Page of this class, as the route declares)
            items=[cls.of(r, viewer=viewer) for r in found.items],
            next_cursor=found.next_cursor,
        )

    @model_validator(mode="before")
    @classmethod
    def _as_seen(cls, data: Any, info: ValidationInfo) -> Any:
        """From a Rating (anything else is validated as given): what depends on the viewer, the
        dimensions and the reply gathered from its columns."""
        if isinstance(data, dict) or info.context is None:
            return data
        viewer: Principal | None = info.context.get("viewer")
        mine = is_author(data, viewer)
        privileged = mine or (viewer is not None and viewer.can_read_all())
        replied = data.reply_text is not None
        return {
            **{name: getattr(data, name) for name in _COLUMNS},
            "dimensions": Dimensions.model_validate(data, from_attributes=True),
            "comment": data.comment
            if data.comment_status == "published" or privileged
            else None,
            "author": MASKED_AUTHOR,
            "mine": mine,
            "reply": Reply(
                text=data.reply_text,
                operator_id=data.reply_operator_id,
                replied_at=data.replied_at,
            )
            if replied
            else None,
            **{k: v for k, v in info.context.items() if k != "viewer"},
        }


_COLUMNS = (
    "id",
    "target_type",
    "target_id",
    "facility_id",
    "period",
    "overall",
    "comment_status",
    "status",
    "verified",
    "live",
    "replaced_by",
    "created_at",
)


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
    model_config = ConfigDict(from_attributes=True)

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
