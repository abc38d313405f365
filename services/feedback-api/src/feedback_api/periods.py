"""Reporting periods on the district's clock (Asia/Shanghai).

A rating belongs to the quarter in which it was made (the "one live rating per resident, target and
period" rule) and to the month in which it was made (the satisfaction index's aggregates), both read on
Beijing time: 2026-12-31T16:30Z is already 2027-01-01 00:30 in Beijing, so it counts for 2027Q1 and
2027-01.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from service_kit.periods import (
    MONTH_PATTERN,
    Month,
    Quarter,
    local_date,
    months_between,
    start_of_day,
)
from service_kit.periods import QUARTER_PATTERN as PERIOD_PATTERN

__all__ = [
    "MONTH_PATTERN",
    "PERIOD_PATTERN",
    "DateRange",
    "local_date",
    "month_of",
    "month_start",
    "next_month",
    "quarter_of",
    "quarter_range",
    "start_of_day",
]


def quarter_of(moment: datetime) -> str:
    return str(Quarter.of(moment))


def month_of(moment: datetime) -> str:
    return str(Month.of(moment))


def month_start(month: str) -> date:
    return Month.parse(month).first


def next_month(day: date) -> date:
    return Month.of(day).next().first


def quarter_range(period: str) -> tuple[date, date]:
    """First and last date of a quarter such as 2026Q4."""
    quarter = Quarter.parse(period)
    return quarter.first, quarter.last


@dataclass(frozen=True, slots=True)
class DateRange:
    """Inclusive Beijing dates, split into the whole months inside and the partial days at the edges."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return start_of_day(self.first)

    @property
    def end(self) -> datetime:
        """Exclusive end: midnight after the last day."""
        return start_of_day(self.last + timedelta(days=1))

    def whole_months(self) -> list[str]:
        months = []
        day = self.first if self.first.day == 1 else next_month(self.first)
        while True:
            after = next_month(day)
            if after - timedelta(days=1) > self.last:
                break
            months.append(str(Month.of(day)))
            day = after
        return months

    def partial_spans(self) -> list[tuple[datetime, datetime]]:
        """The [start, end) spans not covered by whole months (at most two)."""
        months = self.whole_months()
        if not months:
            return [(self.start, self.end)]
        spans = []
        first_whole = month_start(months[0])
        if self.first < first_whole:
            spans.append((self.start, start_of_day(first_whole)))
        after_last = next_month(month_start(months[-1]))
        if after_last <= self.last:
            spans.append((start_of_day(after_last), self.end))
        return spans

    def months(self) -> list[str]:
        """Every month the range touches, in order (for the trend)."""
        return [str(m) for m in months_between(self.first, self.last)]
