"""Synthetic figures for the demo seed, in the shape facilities-api and feedback-api answer, so that
the seed computes evaluations and cross-checks with the real use cases and never calls another
service. Evidence made from them names its source as demo data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from operators_api.clients.base import Fetched
from operators_api.evaluations.compute import DAYS_PER_MONTH

# How well an operator does at each grade: share of its KPI targets reached, inspection score,
# smoothed satisfaction mean, complaints (received, answered on time), expert score.
LEVELS: dict[str, dict[str, Any]] = {
    "excellent": {
        "factor": Decimal("1.30"),
        "inspection": Decimal("0.95"),
        "smoothed": "4.70",
        "complaints": (10, 10),
        "expert": "92",
    },
    "good": {
        "factor": Decimal("0.90"),
        "inspection": Decimal("0.85"),
        "smoothed": "4.20",
        "complaints": (9, 8),
        "expert": "80",
    },
    "pass": {
        "factor": Decimal("0.70"),
        "inspection": Decimal("0.72"),
        "smoothed": "3.60",
        "complaints": (10, 6),
        "expert": "70",
    },
    "fail": {
        "factor": Decimal("0.40"),
        "inspection": Decimal("0.50"),
        "smoothed": "2.60",
        "complaints": (10, 2),
        "expert": "50",
    },
}
SOURCE_FACILITIES = "facilities-api (demo seed: synthetic figures)"
SOURCE_FEEDBACK = "feedback-api (demo seed: synthetic figures)"


class DemoInputs:
    """facility id → (KPI targets, grade level on a day); figures follow the level."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self.targets: dict[int, dict[str, int]] = {}
        self.level_on: dict[int, Callable[[date], str]] = {}

    def add(self, facility_ids: list[int], targets: dict[str, int], level_on: Callable[[date], str]) -> None:
        for fid in facility_ids:
            self.targets[fid] = targets
            self.level_on[fid] = level_on

    def _level(self, facility_id: int, end: date) -> dict[str, Any]:
        level_on = self.level_on.get(facility_id)
        return LEVELS[level_on(end) if level_on is not None else "good"]

    async def facility_stats(self, facility_id: int, start: date, end: date) -> Fetched:
        level, t = self._level(facility_id, end), self.targets.get(facility_id, {})
        months = Decimal((end - start).days + 1) / DAYS_PER_MONTH
        weeks = Decimal((end - start).days + 1) / 7

        def scaled(key: str, default: int) -> int:
            return int((Decimal(t.get(key, default)) * level["factor"] * months).to_integral_value())

        data = {
            "facility_id": facility_id,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "activities_held": scaled("activities_per_month", 8),
            "participants": scaled("participants_per_month", 200),
            "bookings": scaled("participants_per_month", 200) + 10,
            "no_shows": 10,
            "scheduled_open_hours": int(Decimal(t.get("open_hours_per_week", 40)) * weeks),
            "special_group_services_done": scaled("special_group_services_per_month", 10),
        }
        return Fetched(
            SOURCE_FACILITIES,
            f"demo: stats/operations?facility_id={facility_id}&from={start}&to={end}",
            self.now(),
            data=data,
        )

    async def facility_satisfaction(self, facility_id: int, start: date, end: date) -> Fetched:
        level = self._level(facility_id, end)
        received, on_time = level["complaints"]
        data = {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "ratings": {
                "count": 60 + facility_id % 90,
                "mean": level["smoothed"],
                "smoothed_mean": level["smoothed"],
                "share_satisfied": None,
                "wilson_low": None,
                "wilson_high": None,
                "insufficient_data": False,
            },
            "cases": {
                "complaints": received,
                "responded_on_time": on_time,
                "on_time_rate": None,
                "answer_satisfaction_mean": None,
            },
        }
        return Fetched(
            SOURCE_FEEDBACK, f"demo: satisfaction/facilities/{facility_id}?from={start}&to={end}", self.now(), data=data
        )

    async def facility_open_hours(self, facility_id: int, start: date, end: date) -> Fetched:
        """The platform's open hours: the same as the operator reports (see report_figures)."""
        days = (end - start).days + 1
        weekly = (
            sum(
                (
                    Decimal(self.report_figures(facility_id, m_start, m_end)["open_hours"])
                    for m_start, m_end in _months(start, end)
                ),
                Decimal(0),
            )
            / days
            * 7
        )
        hours = (weekly * days / 7).quantize(Decimal("0.1"))
        data = {
            "facility_id": facility_id,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "hours": str(hours),
            "days_open": days,
            "weekly_average_hours": str(weekly.quantize(Decimal("0.01"))),
        }
        return Fetched(
            SOURCE_FACILITIES, f"demo: facilities/{facility_id}/open-hours?from={start}&to={end}", self.now(), data=data
        )

    def report_figures(self, facility_id: int, month_start: date, month_end: date) -> dict[str, Any]:
        """What an operator at this level reports for a month (the same figures the platform shows)."""
        level, t = self._level(facility_id, month_end), self.targets.get(facility_id, {})
        days = (month_end - month_start).days + 1
        months = Decimal(days) / DAYS_PER_MONTH
        # Open hours: close to the schedule, except where the operator is failing.
        hours_factor = level["factor"] if level is LEVELS["fail"] else Decimal("0.96")
        hours = (Decimal(t.get("open_hours_per_week", 40)) * hours_factor * days / 7).quantize(Decimal("0.1"))

        def scaled(key: str, default: int) -> int:
            return int((Decimal(t.get(key, default)) * level["factor"] * months).to_integral_value())

        return {
            "facility_id": facility_id,
            "open_hours": str(hours),
            "activities": scaled("activities_per_month", 8),
            "participants": scaled("participants_per_month", 200),
            "special_group_services": scaled("special_group_services_per_month", 10),
            "incidents": 0,
            "notes": "",
        }


def _months(start: date, end: date) -> list[tuple[date, date]]:
    """The calendar months (clipped to [start, end]) the window covers."""
    out, day = [], start
    while day <= end:
        nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        out.append((day, min(end, nxt - timedelta(days=1))))
        day = nxt
    return out
