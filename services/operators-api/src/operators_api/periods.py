"""Months, quarters and years as the district counts them (Asia/Shanghai)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from service_kit import periods
from service_kit.clock import DISTRICT_TZ
from service_kit.periods import Month, Quarter

MONTH_PATTERN = periods.MONTH_PATTERN
PERIOD_PATTERN = r"^20[0-9]{2}(-Q[1-4]|-(0[1-9]|1[0-2]))?$"
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True, slots=True)
class Period:
    """A named stretch of local days, both ends included: 2026-05, 2026-Q2 or 2026."""

    name: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def clip(self, start: date, end: date) -> Period | None:
        s, e = max(self.start, start), min(self.end, end)
        return Period(self.name, s, e) if s <= e else None


def month_end(year: int, month: int) -> date:
    return Month(year, month).last


def parse_period(name: str) -> Period:
    if not re.fullmatch(PERIOD_PATTERN, name):
        raise ValueError(f"{name!r} is not a period: write 2026-05, 2026-Q2 or 2026")
    year = int(name[:4])
    if len(name) == 4:
        return Period(name, date(year, 1, 1), date(year, 12, 31))
    span: Month | Quarter = Quarter.parse(name) if name[5] == "Q" else Month.parse(name)
    return Period(name, span.first, span.last)


def month_name(day: date) -> str:
    return str(Month.of(day))


def months_between(start: date, end: date) -> list[str]:
    """Every month touching [start, end], in order."""
    return [str(m) for m in periods.months_between(start, end)]


def _valid_period(value: str) -> str:
    parse_period(value)
    return value


PeriodName = Annotated[
    str,
    Field(
        pattern=PERIOD_PATTERN,
        max_length=7,
        description="A month (2026-05), a quarter (2026-Q2) or a year (2026).",
        examples=["2026-Q2"],
    ),
    AfterValidator(_valid_period),
]
MonthName = periods.MonthName


def _bounded(value: date) -> date:
    if not 2000 <= value.year <= 2100:
        raise ValueError("a date between the years 2000 and 2100")
    return value


BoundedDate = Annotated[date, AfterValidator(_bounded)]


def _district_datetime(value: datetime) -> datetime:
    """A time from the API: ISO 8601; one without a zone is Asia/Shanghai. Kept as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=DISTRICT_TZ)
    if not 2000 <= value.year <= 2100:
        raise ValueError("a time between the years 2000 and 2100")
    return value.astimezone(UTC)


DistrictDateTime = Annotated[datetime, AfterValidator(_district_datetime)]


def local_date(value: datetime) -> date:
    return periods.local_date(value)


def as_local(value: datetime | None) -> datetime | None:
    """A stored time (naive UTC on SQLite) shown in Asia/Shanghai."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(DISTRICT_TZ)
