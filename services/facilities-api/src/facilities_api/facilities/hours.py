"""Opening hours: the weekly slots, the exceptions over runs of days, and what they add up to on a
given day (local time, Asia/Shanghai)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any


def wall_time(value: object) -> object:
    """A local time as "HH:MM:SS" (stored as "HH:MM" in the facility's hours, or a time); anything
    else as it is, for validation to judge."""
    if isinstance(value, str):
        return value if len(value) == 8 else f"{value[:5]}:00"
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    return value


def to_minutes(value: time | str) -> int:
    if isinstance(value, str):
        hh, mm = value.split(":")[:2]
        return int(hh) * 60 + int(mm)
    return value.hour * 60 + value.minute


def slots_from_json(opening_hours: Iterable[dict[str, Any]]) -> list[tuple[int, int, int]]:
    """(weekday, opens_min, closes_min) for each weekly slot stored on the facility."""
    return [(int(s["weekday"]), to_minutes(s["opens"]), to_minutes(s["closes"])) for s in opening_hours]


@dataclass(frozen=True, slots=True)
class Exception_:
    starts_on: date
    ends_on: date
    closed: bool
    opens: time | None
    closes: time | None
    reason: str = ""


def day_hours(
    day: date, weekly: Sequence[tuple[int, int, int]], exceptions: Sequence[Exception_]
) -> tuple[list[tuple[int, int]], Exception_ | None]:
    """The (opens_min, closes_min) slots of one day, and the exception that set them (if any)."""
    for exc in exceptions:
        if exc.starts_on <= day <= exc.ends_on:
            if exc.closed or exc.opens is None or exc.closes is None:
                return [], exc
            return [(to_minutes(exc.opens), to_minutes(exc.closes))], exc
    weekday = day.weekday()
    return sorted((o, c) for w, o, c in weekly if w == weekday), None


def hours_over(
    start: date, end: date, weekly: Sequence[tuple[int, int, int]], exceptions: Sequence[Exception_]
) -> float:
    """Scheduled open hours from `start` to `end` (both included)."""
    total = 0
    day = start
    while day <= end:
        slots, _ = day_hours(day, weekly, exceptions)
        total += sum(c - o for o, c in slots)
        day += timedelta(days=1)
    return total / 60


def open_minutes_by_day(
    start: date, end: date, weekly: Sequence[tuple[int, int, int]], exceptions: Sequence[Exception_]
) -> dict[date, int]:
    """Open minutes of each local day from `start` to `end` (both included). A slot that closes at or
    before it opens runs past midnight: its hours before midnight count on its own day, the rest on the
    next one (so a slot opening the day before `start` adds its morning hours to `start`)."""
    minutes = {start + timedelta(days=i): 0 for i in range((end - start).days + 1)}
    day = start - timedelta(days=1)
    while day <= end:
        slots, _ = day_hours(day, weekly, exceptions)
        for opens, closes in slots:
            if closes > opens:
                if day in minutes:
                    minutes[day] += closes - opens
                continue
            if day in minutes:
                minutes[day] += 24 * 60 - opens
            following = day + timedelta(days=1)
            if following in minutes:
                minutes[following] += closes
        day += timedelta(days=1)
    return minutes


def weekly_hours(weekly: Sequence[tuple[int, int, int]]) -> float:
    return sum(c - o for _, o, c in weekly) / 60


def minutes_to_time(minute: int) -> time:
    minute = max(0, min(minute, 24 * 60 - 1))
    return time(minute // 60, minute % 60)
