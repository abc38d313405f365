"""Reporting periods on the district's clock (Asia/Shanghai).

A rating belongs to the quarter in which it was made (the "one live rating per resident, target and
period" rule) and to the month in which it was made (the satisfaction index's aggregates), both read on
Beijing time: 2026-12-31T16:30Z is already 2027-01-01 00:30 in Beijing, so it counts for 2027Q1 and
2027-01.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from service_kit.clock import DISTRICT_TZ

PERIOD_PATTERN = r"^20[0-9]{2}Q[1-4]$"
MONTH_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"


def _aware(moment: datetime) -> datetime:
    """The moment as an aware datetime (SQLite gives back naive UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local_date(moment: datetime) -> date:
    return _aware(moment).astimezone(DISTRICT_TZ).date()


def quarter_of(moment: datetime) -> str:
    local = _aware(moment).astimezone(DISTRICT_TZ)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def month_of(moment: datetime) -> str:
    local = _aware(moment).astimezone(DISTRICT_TZ)
    return f"{local.year}-{local.month:02d}"


def start_of_day(day: date) -> datetime:
    """Midnight at the start of a Beijing date, as an aware UTC datetime."""
    return datetime.combine(day, time.min, tzinfo=DISTRICT_TZ).astimezone(UTC)


def month_start(month: str) -> date:
    year, mon = month.split("-")
    return date(int(year), int(mon), 1)


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def quarter_range(period: str) -> tuple[date, date]:
    """First and last date of a quarter such as 2026Q4."""
    year, q = int(period[:4]), int(period[5])
    first = date(year, 3 * (q - 1) + 1, 1)
    last = next_month(next_month(next_month(first))) - timedelta(days=1)
    return first, last


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
            months.append(f"{day.year}-{day.month:02d}")
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
        out = []
        day = date(self.first.year, self.first.month, 1)
        while day <= self.last:
            out.append(f"{day.year}-{day.month:02d}")
            day = next_month(day)
        return out
