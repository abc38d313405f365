"""Evaluation rules (绩效考核), pure functions: the default scheme, KPI attainment, the four parts,
the weighted score, the grade, and what a grade leads to.

- KPI attainment of one target = min(actual / target, 1) × 100; the KPI part is the mean over the
  contract's targets whose figures are there.
- Inspection part: the mean score (percent of the checklist's points) of the period's inspections.
- Resident satisfaction part: feedback-api's smoothed mean (1–5) mapped linearly onto 0–100,
  25 × (mean − 1), per facility, averaged weighted by the number of ratings; a facility whose index
  says insufficient_data counts as no figure.
- Third-party / expert part: the score an official enters (0–100).
- Score = Σ weight × part / 100. A missing part leaves the score open, unless the publishing
  official accepts the gap: the weights of the parts present are then scaled up to 100.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from operators_api.shared import round2

GRADES = ("excellent", "good", "pass", "fail")
GRADE_NAMES_ZH = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
GRADE_RANK = {"fail": 0, "pass": 1, "good": 2, "excellent": 3}
PARTS = ("kpi", "inspection", "satisfaction", "expert")

DEFAULT_SCHEME: dict[str, Any] = {
    "id": None,
    "name": "默认考核方案（KPI 40 / 督查 20 / 居民满意度 30 / 第三方 10）",
    "weights": {"kpi": 40, "inspection": 20, "satisfaction": 30, "expert": 10},
    "thresholds": {"excellent": 90, "good": 80, "pass": 60},
    "payment_percent": {"excellent": 100, "good": 100, "pass": 90, "fail": 70},
    "credit_points": {"excellent": 5, "good": 2, "pass": 0, "fail": -5},
    "renewal_min_grade": "good",
    "consecutive_fails_for_termination": 2,
    "appeal_window_days": 10,
    "rectification_days": 30,
}

# KPI target key → (what it measures, unit, higher is better)
KPI_ITEMS: dict[str, str] = {
    "open_hours_per_week": "hours open per week per facility (service reports)",
    "activities_per_month": "activities held per month per facility (facilities-api)",
    "participants_per_month": "participants per month per facility (facilities-api)",
    "special_group_services_per_month": "special-group services per month per facility (facilities-api)",
    "complaint_on_time_percent": "complaints answered on time, percent (feedback-api)",
    "min_satisfaction_score": "resident satisfaction score 0–100 (feedback-api)",
}

D100 = Decimal(100)


def attainment(actual: Decimal, target: Decimal) -> Decimal:
    if target <= 0:
        return D100
    return round2(min(actual / target, Decimal(1)) * D100)


def satisfaction_score(smoothed_mean: Decimal) -> Decimal:
    """1–5 onto 0–100, linearly: 1 → 0, 3 → 50, 5 → 100 (clamped)."""
    return round2(min(max((smoothed_mean - 1) * 25, Decimal(0)), D100))


def grade_of(score: Decimal, thresholds: dict[str, int]) -> str:
    if score >= thresholds["excellent"]:
        return "excellent"
    if score >= thresholds["good"]:
        return "good"
    if score >= thresholds["pass"]:
        return "pass"
    return "fail"


@dataclass(frozen=True, slots=True)
class Total:
    score: Decimal | None
    reweighted: bool
    weights_used: dict[str, int]


def total(parts: dict[str, Decimal | None], weights: dict[str, int], *, accept_missing: bool) -> Total:
    present = {k: v for k, v in parts.items() if v is not None}
    if len(present) == len(PARTS):
        return Total(round2(sum(Decimal(weights[k]) * v for k, v in present.items()) / D100), False, dict(weights))
    if not accept_missing or not present:
        return Total(None, False, {})
    used = sum(weights[k] for k in present)
    if used == 0:
        return Total(None, False, {})
    score = round2(sum(Decimal(weights[k]) * v for k, v in present.items()) / Decimal(used))
    return Total(score, True, {k: weights[k] for k in present})


def weights_problem(weights: dict[str, int]) -> str | None:
    if set(weights) != set(PARTS):
        return f"The weights name exactly {', '.join(PARTS)}."
    if sum(weights.values()) != 100:
        return f"The weights sum to {sum(weights.values())}; they must sum to 100."
    return None


def thresholds_problem(t: dict[str, int]) -> str | None:
    if not 0 < t["pass"] < t["good"] < t["excellent"] <= 100:
        return "Thresholds must rise: 0 < pass < good < excellent ≤ 100."
    return None
