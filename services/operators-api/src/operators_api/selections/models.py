from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from operators_api.db import Base
from service_kit.db import AwareDateTime


class Selection(Base):
    """遴选: choosing an operator for one or more facilities: scope, budget, method, weighted
    scoring criteria (综合评分法) and a timeline, from draft to award or failure."""

    __tablename__ = "selection"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(Text, default="")
    # None: the district bureau buys; a subdistrict code: that subdistrict office (购买主体).
    purchaser_subdistrict: Mapped[str | None] = mapped_column(String(40), index=True)
    method: Mapped[str] = mapped_column(String(40))
    budget_fen: Mapped[int] = mapped_column(BigInteger)
    facility_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # [{key, name_zh, kind: price|quality, weight}]: weights sum to 100; a quality score is 0..weight.
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # {kind: lowest_price_base} or {kind: average_deviation, penalty_per_percent}
    price_formula: Mapped[dict[str, Any]] = mapped_column(JSON)
    trim_extremes: Mapped[bool] = mapped_column(Boolean, default=False)
    bids_open_at: Mapped[datetime] = mapped_column(AwareDateTime())
    bids_close_at: Mapped[datetime] = mapped_column(AwareDateTime())
    service_starts_on: Mapped[date] = mapped_column(Date)
    service_ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    awarded_bid_id: Mapped[int | None] = mapped_column(Integer)
    award_reason: Mapped[str | None] = mapped_column(Text)
    awarded_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    # The ranking as it stood at the award (or failure): kept so the record never changes afterwards.
    result: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())


class Bid(Base):
    """投标/响应: a qualified operator's offer: price, proposal summary, documents. Sealed until
    bidding closes."""

    __tablename__ = "bid"
    __table_args__ = (UniqueConstraint("selection_id", "operator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("selection.id", ondelete="CASCADE"), index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"), index=True)
    price_fen: Mapped[int] = mapped_column(BigInteger)
    proposal_summary: Mapped[str] = mapped_column(Text)
    # [{title, url}]
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20))
    status_reason: Mapped[str | None] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(AwareDateTime())
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)


class PanelMember(Base):
    """评审专家/评审小组成员: an evaluator on a selection's panel (an official or an invited expert),
    named by their sign-in subject; they declare conflicts of interest before scoring."""

    __tablename__ = "panel_member"
    __table_args__ = (UniqueConstraint("selection_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("selection.id", ondelete="CASCADE"), index=True)
    sub: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(AwareDateTime())
    declared_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    # The operators the member has a conflict of interest with (回避): they score none of their bids.
    conflicted_operator_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    declaration: Mapped[str] = mapped_column(Text, default="")


class BidScore(Base):
    """One evaluator's score of one bid on one quality criterion, in hundredths of a point."""

    __tablename__ = "bid_score"
    __table_args__ = (
        UniqueConstraint("bid_id", "member_id", "criterion_key"),
        Index("ix_bid_score_selection_id", "selection_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("selection.id", ondelete="CASCADE"))
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_member.id", ondelete="CASCADE"))
    criterion_key: Mapped[str] = mapped_column(String(40))
    score_centi: Mapped[int] = mapped_column(Integer)
    scored_at: Mapped[datetime] = mapped_column(AwareDateTime())
