"""What the selection use cases hand back besides bare records: a record with the figures and names
a reader needs beside it. The schemas decide how each is shown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from operators_api.selections.models import Bid, Selection
from operators_api.selections.rules import Ranked


@dataclass(frozen=True, slots=True)
class SelectionView:
    selection: Selection
    # How many bids came in (counted only once bids are unsealed; None in lists).
    bids_received: int | None
    # Operator id → legal name, for the award and the ranking.
    operator_names: Mapping[int, str]


@dataclass(frozen=True, slots=True)
class BidView:
    bid: Bid
    operator_name: str


@dataclass(frozen=True, slots=True)
class ScoreSheetView:
    bid_id: int
    member_id: int
    scores: dict[str, Decimal]
    scored_at: datetime


@dataclass(frozen=True, slots=True)
class RankedBid:
    """One line of the ranking, as shown and as kept in the selection's result at the award."""

    rank: int
    bid_id: int
    operator_id: int
    operator_name: str
    price_fen: int
    price_score: Decimal | None
    criteria: dict[str, Decimal | None]
    total: Decimal
    complete: bool

    @classmethod
    def named(cls, r: Ranked, names: Mapping[int, str]) -> RankedBid:
        return cls(
            rank=r.rank,
            bid_id=r.bid_id,
            operator_id=r.operator_id,
            operator_name=names.get(r.operator_id, ""),
            price_fen=r.price_fen,
            price_score=r.price_score,
            criteria=r.criteria,
            total=r.total,
            complete=r.complete,
        )


@dataclass(frozen=True, slots=True)
class RankingView:
    selection_id: int
    scoring_complete: bool
    # [{member_id, display_name, bid_id}]: the scores still to come.
    missing: Sequence[Mapping[str, int | str]]
    # Live lines, or the result kept at the award or failure (stored JSON).
    items: Sequence[RankedBid | Mapping[str, Any]]
