"""Selection rules (遴选), pure functions: the state machine, how many valid bids each method needs,
the price score formulas and the totals (optionally dropping each criterion's highest and lowest)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from operators_api.shared import round2

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"published", "cancelled"}),
    "published": frozenset({"bidding", "cancelled"}),
    "bidding": frozenset({"evaluating", "cancelled"}),
    "evaluating": frozenset({"awarded", "failed", "cancelled"}),
    "awarded": frozenset(),
    "failed": frozenset(),
    "cancelled": frozenset(),
}

# The fewest valid bids each method needs (政府采购: 公开招标 3; 竞争性磋商 for a government
# purchase of services may proceed with 2; 单一来源 1).
MIN_VALID_BIDS: dict[str, int] = {
    "public_tender": 3,
    "invited_tender": 3,
    "competitive_negotiation": 3,
    "competitive_consultation": 2,
    "inquiry": 3,
    "single_source": 1,
}

METHOD_NAMES_ZH: dict[str, str] = {
    "public_tender": "公开招标",
    "invited_tender": "邀请招标",
    "competitive_negotiation": "竞争性谈判",
    "competitive_consultation": "竞争性磋商",
    "inquiry": "询价",
    "single_source": "单一来源采购",
}

# OCDS procurementMethod (closed codelist) for each method.
OCDS_METHOD: dict[str, str] = {
    "public_tender": "open",
    "invited_tender": "selective",
    "competitive_negotiation": "selective",
    "competitive_consultation": "selective",
    "inquiry": "selective",
    "single_source": "direct",
}

# Bids are visible (to officials, auditors and the panel) once bidding has closed.
UNSEALED = frozenset({"evaluating", "awarded", "failed"})


def transition_allowed(old: str, new: str) -> bool:
    return new in TRANSITIONS[old]


def price_scores(formula: dict[str, Any], weight: int, prices: dict[int, int]) -> dict[int, Decimal]:
    """The price score of each valid bid (bid id → points out of `weight`).

    - lowest_price_base (低价优先法, the default): score = lowest price / bid price × weight.
    - average_deviation: the base is the mean of the valid prices; a bid loses `penalty_per_percent`
      points for each percent it lies above or below the base, never below 0.
    """
    if not prices:
        return {}
    w = Decimal(weight)
    if formula.get("kind") == "average_deviation":
        base = Decimal(sum(prices.values())) / len(prices)
        penalty = Decimal(str(formula.get("penalty_per_percent", 1)))
        out = {}
        for bid_id, price in prices.items():
            deviation = abs(Decimal(price) - base) / base * 100 if base else Decimal(0)
            out[bid_id] = round2(max(Decimal(0), w - deviation * penalty))
        return out
    lowest = Decimal(min(prices.values()))
    return {bid_id: round2(lowest / Decimal(price) * w) if price else w for bid_id, price in prices.items()}


# Trimming drops one highest and one lowest score only from this many evaluators up: with fewer, dropping
# two of three or four scores would let a single evaluator's sheet decide the criterion.
MIN_SCORES_TO_TRIM = 5


def criterion_mean(scores: list[Decimal], trim_extremes: bool) -> Decimal | None:
    """The evaluators' mean for one criterion; with trimming, the highest and the lowest are dropped
    first when at least five evaluators scored (fewer: the plain mean)."""
    if not scores:
        return None
    values = sorted(scores)
    if trim_extremes and len(values) >= MIN_SCORES_TO_TRIM:
        values = values[1:-1]
    return round2(sum(values, Decimal(0)) / len(values))


@dataclass(slots=True)
class Ranked:
    bid_id: int
    operator_id: int
    price_fen: int
    price_score: Decimal | None
    criteria: dict[str, Decimal | None]
    total: Decimal
    complete: bool
    rank: int = 0


def rank(rows: list[Ranked], submitted_order: dict[int, int]) -> list[Ranked]:
    """Highest total first; ties go to the lower price, then to the earlier bid."""
    ordered = sorted(rows, key=lambda r: (-r.total, r.price_fen, submitted_order.get(r.bid_id, 0)))
    for i, r in enumerate(ordered, start=1):
        r.rank = i
    return ordered
