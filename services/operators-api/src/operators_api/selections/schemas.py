from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from operators_api.periods import BoundedDate, DistrictDateTime
from operators_api.selections.domain import BidView, SelectionView
from operators_api.selections.models import PanelMember, Selection
from operators_api.selections.rules import MIN_VALID_BIDS, UNSEALED
from operators_api.shared import FacilityId, OperatorId, PositiveFen, StrictInt, fields_of

Method = Literal[
    "public_tender", "invited_tender", "competitive_negotiation", "competitive_consultation", "inquiry", "single_source"
]
SelectionStatus = Literal["draft", "published", "bidding", "evaluating", "awarded", "failed", "cancelled"]
BidStatus = Literal["submitted", "withdrawn", "disqualified"]
SUBDISTRICT_PATTERN = r"^[a-z][a-z0-9_-]{1,39}$"
CRITERION_KEY = r"^[a-z][a-z0-9_]{0,39}$"


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Criterion(_Input):
    """One scoring criterion (评分因素) of 综合评分法: its points are its weight."""

    key: str = Field(pattern=CRITERION_KEY, examples=["service_plan"])
    name_zh: str = Field(min_length=1, max_length=100, examples=["服务方案"])
    kind: Literal["price", "quality"] = Field(
        description="price: scored by the price formula; quality: scored by each evaluator from 0 to the weight."
    )
    weight: StrictInt = Field(
        ge=1, le=100, description="Points of this criterion; the weights of a selection sum to 100."
    )


class PriceFormula(_Input):
    kind: Literal["lowest_price_base", "average_deviation"] = Field(
        "lowest_price_base",
        description=(
            "lowest_price_base (低价优先法): lowest valid price / bid price × price weight. average_deviation: "
            "the base is the mean valid price; penalty_per_percent points off for each percent away from it."
        ),
    )
    penalty_per_percent: Decimal = Field(Decimal("1"), ge=0, le=10, decimal_places=2)


class SelectionCreate(_Input):
    reference: str | None = Field(
        None,
        min_length=3,
        max_length=40,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$",
        description="Project number; made up if left out.",
    )
    title: str = Field(min_length=1, max_length=200, examples=["角楼图书馆等阅读空间社会化运营服务项目"])
    description: str = Field("", max_length=5000)
    scope: str = Field("", max_length=5000, description="服务内容: what the operator will do.")
    purchaser_subdistrict: str | None = Field(
        None, pattern=SUBDISTRICT_PATTERN, description="The subdistrict office that buys; none for the district bureau."
    )
    method: Method
    budget_fen: PositiveFen
    facility_ids: list[FacilityId] = Field(min_length=1, max_length=200)
    criteria: list[Criterion] = Field(min_length=1, max_length=20)
    price_formula: PriceFormula = Field(default_factory=PriceFormula)
    trim_extremes: bool = Field(
        False,
        description="Drop each criterion's highest and lowest score (with 5 or more evaluators; fewer are not trimmed).",
    )
    bids_open_at: DistrictDateTime
    bids_close_at: DistrictDateTime
    service_starts_on: BoundedDate
    service_ends_on: BoundedDate


class SelectionUpdate(_Input):
    """Merge patch of a draft; lists are replaced whole."""

    # Absent means unchanged and null is refused, so each type stays non-null with a default of None
    # that is never read (exclude_unset): hence the type ignores.
    title: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    description: str = Field(None, max_length=5000)  # type: ignore[assignment]
    scope: str = Field(None, max_length=5000)  # type: ignore[assignment]
    method: Method = Field(None)  # type: ignore[arg-type]
    budget_fen: PositiveFen = Field(None)  # type: ignore[assignment]
    facility_ids: list[FacilityId] = Field(None, min_length=1, max_length=200)  # type: ignore[arg-type]
    criteria: list[Criterion] = Field(None, min_length=1, max_length=20)  # type: ignore[arg-type]
    price_formula: PriceFormula = Field(None)  # type: ignore[assignment]
    trim_extremes: bool = Field(None)  # type: ignore[assignment]
    bids_open_at: DistrictDateTime = Field(None)  # type: ignore[assignment]
    bids_close_at: DistrictDateTime = Field(None)  # type: ignore[assignment]
    service_starts_on: BoundedDate = Field(None)  # type: ignore[assignment]
    service_ends_on: BoundedDate = Field(None)  # type: ignore[assignment]


class SelectionStatusChange(_Input):
    status: Literal["published", "bidding", "evaluating", "failed", "cancelled"] = Field(
        description="published, bidding (open for bids), evaluating (close bidding), failed or cancelled. Award with POST …/award."
    )
    reason: str = Field(min_length=1, max_length=2000)


class AwardCreate(_Input):
    bid_id: StrictInt | None = Field(
        None, ge=1, le=2_147_483_647, description="The bid to award; the top-ranked one if left out."
    )
    reason: str = Field(
        min_length=1, max_length=2000, description="Why this bid: it goes into the record and the event."
    )


class AwardRead(BaseModel):
    bid_id: int
    operator_id: int
    operator_name: str
    price_fen: int
    total_score: Decimal | None
    reason: str
    awarded_at: datetime

    @classmethod
    def of(cls, sel: Selection, names: Mapping[int, str]) -> AwardRead | None:
        """The awarded bid's line of the result, or None before the award."""
        if sel.status != "awarded" or sel.awarded_bid_id is None:
            return None
        row = next((r for r in sel.result or [] if r["bid_id"] == sel.awarded_bid_id), None)
        if row is None:
            return None
        return cls.model_validate(
            {
                "bid_id": row["bid_id"],
                "operator_id": row["operator_id"],
                "operator_name": names.get(row["operator_id"], row.get("operator_name", "")),
                "price_fen": row["price_fen"],
                "total_score": row["total"],
                "reason": sel.award_reason or "",
                "awarded_at": sel.awarded_at,
            }
        )


class RankedBidRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    rank: int
    bid_id: int
    operator_id: int
    operator_name: str
    price_fen: int
    price_score: Decimal | None
    criteria: dict[str, Decimal | None] = Field(description="Criterion key → the evaluators' (trimmed) mean.")
    total: Decimal
    complete: bool = Field(description="Every evaluator without a conflict scored every quality criterion.")


class SelectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str
    title: str
    description: str
    scope: str
    purchaser_subdistrict: str | None
    method: Method
    min_valid_bids: int
    budget_fen: int
    facility_ids: list[int]
    criteria: list[Criterion]
    price_formula: PriceFormula
    trim_extremes: bool
    bids_open_at: datetime
    bids_close_at: datetime
    service_starts_on: date
    service_ends_on: date
    status: SelectionStatus
    status_reason: str | None
    bids_received: StrictInt | None = Field(description="How many bids came in; null while bids are sealed.")
    award: AwardRead | None
    result: list[RankedBidRead] | None = Field(description="The ranking at the award or failure (bids summary).")
    published_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: SelectionView) -> SelectionRead:
        """The selection as anyone who may see it reads it: bids counted only once unsealed, the
        result only once awarded or failed."""
        sel = view.selection
        return cls.model_validate(
            fields_of(sel, cls)
            | {
                "min_valid_bids": MIN_VALID_BIDS[sel.method],
                "bids_received": view.bids_received if sel.status in UNSEALED else None,
                "award": AwardRead.of(sel, view.operator_names),
                "result": sel.result if sel.status in ("awarded", "failed") else None,
            }
        )


class Document(_Input):
    title: str = Field(min_length=1, max_length=200)
    url: AnyHttpUrl


class BidCreate(_Input):
    price_fen: PositiveFen
    proposal_summary: str = Field(min_length=1, max_length=5000)
    documents: list[Document] = Field(default_factory=list, max_length=20)


class BidUpdate(_Input):
    # Absent means unchanged and null is refused, so each type stays non-null with a default of None
    # that is never read (exclude_unset): hence the type ignores.
    price_fen: PositiveFen = Field(None)  # type: ignore[assignment]
    proposal_summary: str = Field(None, min_length=1, max_length=5000)  # type: ignore[assignment]
    documents: list[Document] = Field(None, max_length=20)  # type: ignore[arg-type]


class BidRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    selection_id: int
    operator_id: int
    operator_name: str
    price_fen: int
    proposal_summary: str
    documents: list[dict[str, str]]
    status: BidStatus
    status_reason: str | None
    submitted_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, view: BidView) -> BidRead:
        return cls.model_validate(fields_of(view.bid, cls) | {"operator_name": view.operator_name})


class Reason(_Input):
    reason: str = Field(min_length=1, max_length=2000)


class PanelMemberCreate(_Input):
    sub: str = Field(min_length=1, max_length=200, description="The evaluator's sign-in subject (the token's sub).")
    display_name: str = Field(min_length=1, max_length=100)
    kind: Literal["official", "expert"]


class Declaration(_Input):
    """利益冲突声明: the operators the evaluator has a conflict of interest with (none: an empty list)."""

    conflicted_operator_ids: list[OperatorId] = Field(default_factory=list, max_length=50)
    statement: str = Field(min_length=1, max_length=2000, examples=["本人与各投标人均无利害关系。"])


class PanelMemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    selection_id: int
    sub: str
    display_name: str
    kind: Literal["official", "expert"]
    declared: bool
    declared_at: datetime | None
    conflicted_operator_ids: list[int]
    declaration: str

    @classmethod
    def of(cls, member: PanelMember) -> PanelMemberRead:
        return cls.model_validate(fields_of(member, cls) | {"declared": member.declared_at is not None})


ScoreValue = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]


class ScoreSheet(_Input):
    scores: dict[Annotated[str, Field(pattern=CRITERION_KEY)], ScoreValue] = Field(
        description="Quality criterion key → points from 0 to the criterion's weight, two decimals at most.",
        max_length=20,
    )


class ScoreSheetRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    bid_id: int
    member_id: int
    scores: dict[str, Decimal]
    scored_at: datetime


class RankingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    selection_id: int
    scoring_complete: bool
    missing: list[dict[str, int | str]] = Field(description="[{member_id, display_name, bid_id}] still to score.")
    items: list[RankedBidRead]
