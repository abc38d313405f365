"""Volunteer hours and recognition, pure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


@dataclass(frozen=True, slots=True)
class Recognition:
    """How many thresholds (in hours) the verified hours reach, and the next one to reach."""

    level: int
    thresholds_hours: list[int]
    next_threshold_hours: int | None


def recognition(minutes: int, thresholds: list[int]) -> Recognition:
    h = Decimal(minutes) / 60
    reached = [t for t in sorted(thresholds) if h >= t]
    upcoming = [t for t in sorted(thresholds) if h < t]
    return Recognition(
        level=len(reached),
        thresholds_hours=sorted(thresholds),
        next_threshold_hours=upcoming[0] if upcoming else None,
    )
