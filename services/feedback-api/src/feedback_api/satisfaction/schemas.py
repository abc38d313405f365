from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

Dec = Annotated[str, Field(pattern=r"^[0-9]+\.[0-9]{2}$", examples=["4.12"])]


class RatingFigures(BaseModel):
    count: int = Field(
        description="Counted ratings: live, not hidden, not held in a suspected burst."
    )
    mean: Dec | None
    smoothed_mean: Dec | None = Field(
        description="(C·m + sum) / (C + count): m the district mean, C the prior strength."
    )
    share_satisfied: Dec | None = Field(
        description="Share of ratings with overall 4 or 5."
    )
    wilson_low: Dec | None = Field(
        description="Wilson 95 % interval of the share satisfied, lower end."
    )
    wilson_high: Dec | None
    insufficient_data: bool = Field(
        description="True below the minimum sample: then every figure is null."
    )


class CaseFigures(BaseModel):
    complaints: int = Field(description="Complaints filed in the period.")
    responded_on_time: int = Field(description="Of those, answered by their deadline.")
    on_time_rate: Dec | None = Field(
        description="responded_on_time / complaints already decided (answered, or past due)."
    )
    answer_satisfaction_mean: Dec | None = Field(
        description="Mean of the residents' ratings (1–5) of the answers."
    )


class SatisfactionSummary(BaseModel):
    """The figure operators-api stores as evaluation evidence."""

    from_: date = Field(alias="from")
    to: date
    ratings: RatingFigures
    cases: CaseFigures

    model_config = {"populate_by_name": True}


class DimensionFigure(BaseModel):
    count: int
    mean: Dec | None


class Dimensions(BaseModel):
    environment: DimensionFigure
    content: DimensionFigure
    staff: DimensionFigure
    convenience: DimensionFigure


class TrendPoint(BaseModel):
    month: str = Field(examples=["2026-11"])
    count: int
    mean: Dec | None
    smoothed_mean: Dec | None
    share_satisfied: Dec | None
    insufficient_data: bool


class Method(BaseModel):
    prior_mean: Dec | None = Field(
        description="The district mean of the same period and variant (the prior)."
    )
    prior_strength: int
    min_sample: int
    confidence: str = "95 % (Wilson score, z = 1.96)"


class RankingRow(BaseModel):
    rank: int | None = Field(description="null when there is not enough data to rank.")
    key: int | str = Field(
        description="The facility id, operator id (0: government-run) or subdistrict code."
    )
    name: str | None
    subdistrict: str | None = None
    operator_id: int | None = None
    ratings: RatingFigures


class SatisfactionReport(BaseModel):
    scope: Literal["district", "facility", "operator", "subdistrict"]
    key: int | str | None
    from_: date = Field(alias="from")
    to: date
    period: str | None = Field(description="The quarter, when the range is one.")
    ratings: RatingFigures
    verified: RatingFigures = Field(
        description="The same, over verified ratings only (prior: the district's verified mean)."
    )
    dimensions: Dimensions
    trend: list[TrendPoint]
    cases: CaseFigures
    method: Method

    model_config = {"populate_by_name": True}


class DistrictOverview(SatisfactionReport):
    ranking: list[RankingRow] = Field(
        description="Facilities, best smoothed mean first; those with insufficient data last."
    )


class Ranking(BaseModel):
    by: Literal["facility", "operator", "subdistrict"]
    from_: date = Field(alias="from")
    to: date
    rows: list[RankingRow]

    model_config = {"populate_by_name": True}


class ReconcileResult(BaseModel):
    months: list[str] | None = Field(description="The months checked (null: all).")
    rows_checked: int
    rows_fixed: int
    fixed: list[str] = Field(
        description="The first fixed rows (month/target_type/target_id/operator)."
    )
