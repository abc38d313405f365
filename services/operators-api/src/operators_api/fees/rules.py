"""Preferential-fee rules (优惠收费): the built-in guideline, the automatic check of an application
against it, and the state machine."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from operators_api.shared import percent_of

TRANSITIONS: dict[str, frozenset[str]] = {
    "submitted": frozenset({"approved", "rejected", "withdrawn"}),
    "approved": frozenset({"revoked", "expired"}),
    "rejected": frozenset(),
    "withdrawn": frozenset(),
    "revoked": frozenset(),
    "expired": frozenset(),
}

# The guideline in force until an official sets one (version 0).
DEFAULT_GUIDELINE: dict[str, Any] = {
    "version": 0,
    "cap_percent_of_market": 50,
    "min_special_group_free_percent": 10,
    "max_special_group_price_percent": 50,
    "allowed_categories": ["training", "lecture", "exhibition", "performance", "venue", "heritage"],
    "note": "内置默认标准：收费不超过市场参考价的50%；至少10%名额向特殊群体免费；特殊群体收费不超过优惠价的50%。",
}

CATEGORIES = (
    "lending",
    "reading_room",
    "digital",
    "training",
    "lecture",
    "exhibition",
    "performance",
    "venue",
    "heritage",
    "consultation",
    "delivery",
    "other",
)


def check(
    guideline: dict[str, Any],
    *,
    category: str,
    market_price_fen: int,
    proposed_fee_fen: int,
    free_percent: int,
    special_fee_fen: int,
) -> list[dict[str, Any]]:
    """Each rule of the guideline, with whether the application meets it (field, code, message, ok)."""
    cap = percent_of(market_price_fen, guideline["cap_percent_of_market"])
    special_cap = percent_of(proposed_fee_fen, guideline["max_special_group_price_percent"])
    return [
        {
            "field": "service_id",
            "code": "category-not-allowed",
            "ok": category in guideline["allowed_categories"],
            "message": f"Services of category {category} may charge a preferential fee only if the guideline allows it "
            f"({', '.join(guideline['allowed_categories'])}).",
        },
        {
            "field": "proposed_fee_fen",
            "code": "fee-above-cap",
            "ok": proposed_fee_fen <= cap,
            "cap_fen": cap,
            "message": f"The fee may be at most {guideline['cap_percent_of_market']}% of the market reference price: {cap} fen.",
        },
        {
            "field": "special_group_free_percent",
            "code": "special-group-free-places",
            "ok": free_percent >= guideline["min_special_group_free_percent"],
            "message": f"At least {guideline['min_special_group_free_percent']}% of places are free for special groups.",
        },
        {
            "field": "special_group_fee_fen",
            "code": "special-group-price",
            "ok": special_fee_fen <= special_cap,
            "cap_fen": special_cap,
            "message": f"Special groups pay at most {guideline['max_special_group_price_percent']}% of the fee: {special_cap} fen.",
        },
    ]


class UnknownBasicHistory(ValueError):
    """facilities-api answered without a readable history of when the service was basic."""


def _instant(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise UnknownBasicHistory(f"{value!r} has no time zone")
    return moment


def basic_during(service: dict[str, Any], since: datetime, now: datetime) -> str | None:
    """Why a service counts as basic (基本公共文化服务, free whoever runs the facility) at some time in
    [since, now], or None when it never was. Basic now counts; so does any of its `basic_periods`
    ({from, until|null}) overlapping the window: an operator who switched its own service to non-basic
    during the contract gains no fee by it. Raises UnknownBasicHistory when the history is missing."""
    if service.get("basic") is True:
        return "the service is basic"
    periods = service.get("basic_periods")
    if not isinstance(periods, list):
        raise UnknownBasicHistory("the answer carries no basic_periods")
    for period in periods:
        if not isinstance(period, dict) or "from" not in period:
            raise UnknownBasicHistory(f"a basic period of an unknown shape: {period!r}")
        start = _instant(period["from"])
        end = None if period.get("until") is None else _instant(period["until"])
        if start <= now and (end is None or end > since):
            until = "now" if end is None else end.isoformat()
            return f"the service was basic from {start.isoformat()} until {until}"
    return None
