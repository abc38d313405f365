"""The calendar the district reports by: months and quarters on its clock (Asia/Shanghai).

A moment belongs to the month and quarter of its Beijing date: 2026-12-31T16:30Z is already
2027-01-01 00:30 in Beijing, so it counts for 2027-01 and 2027Q1.

    Quarter.parse("2026Q4").first          # date(2026, 10, 1)
    Quarter.of(moment).next()              # the quarter after the moment's
    Month.parse("2026-05") in Quarter.parse("2026Q2").months()

`QuarterName` and `MonthName` are the request parameter types: a malformed value is a 422 problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from pydantic import AfterValidator, Field

from service_kit.clock import DISTRICT_TZ

MONTH_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"
QUARTER_PATTERN = r"^20[0-9]{2}Q[1-4]$"
_QUARTER = re.compile(r"(?P<year>[0-9]{4})-?Q(?P<quarter>[1-4])")
_MONTH = re.compile(r"(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])")


def local_date(moment: datetime) -> date:
    """The Beijing date of a moment (a naive one is read as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(DISTRICT_TZ).date()


def start_of_day(day: date) -> datetime:
    """Midnight at the start of a Beijing date, as an aware UTC datetime."""
    return datetime.combine(day, time.min, tzinfo=DISTRICT_TZ).astimezone(UTC)


def _day(value: date | datetime) -> date:
    return local_date(value) if isinstance(value, datetime) else value


@dataclass(frozen=True, order=True, slots=True)
class Month:
    """A calendar month: "2026-05"."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1 to 12")

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH.fullmatch(text)
        if match is None:
            raise ValueError(f"{text!r} is not a month: write 2026-05")
        return cls(int(match["year"]), int(match["month"]))

    @classmethod
    def of(cls, moment: date | datetime) -> Month:
        """The month of a date, or of a moment's Beijing date."""
        day = _day(moment)
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return self.next().first - timedelta(days=1)

    @property
    def quarter(self) -> Quarter:
        return Quarter(self.year, (self.month - 1) // 3 + 1)

    def contains(self, moment: date | datetime) -> bool:
        return Month.of(moment) == self

    def __contains__(self, moment: date | datetime) -> bool:
        return self.contains(moment)

    def next(self) -> Month:
        return Month(self.year + (self.month == 12), self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def start(self) -> datetime:
        """Its first instant, as aware UTC."""
        return start_of_day(self.first)

    @property
    def end(self) -> datetime:
        """The instant after it (exclusive), as aware UTC."""
        return start_of_day(self.next().first)


@dataclass(frozen=True, order=True, slots=True)
class Quarter:
    """A calendar quarter: "2026Q4" (parse also reads "2026-Q4")."""

    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter {self.quarter} is not 1 to 4")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER.fullmatch(text)
        if match is None:
            raise ValueError(f"{text!r} is not a quarter: write 2026Q4")
        return cls(int(match["year"]), int(match["quarter"]))

    @classmethod
    def of(cls, moment: date | datetime) -> Quarter:
        """The quarter of a date, or of a moment's Beijing date."""
        return Month.of(moment).quarter

    def __str__(self) -> str:
        return f"{self.year:04d}Q{self.quarter}"

    def months(self) -> list[Month]:
        first = 3 * (self.quarter - 1) + 1
        return [Month(self.year, m) for m in range(first, first + 3)]

    @property
    def first(self) -> date:
        return self.months()[0].first

    @property
    def last(self) -> date:
        return self.months()[-1].last

    def contains(self, moment: date | datetime) -> bool:
        return Quarter.of(moment) == self

    def __contains__(self, moment: date | datetime) -> bool:
        return self.contains(moment)

    def next(self) -> Quarter:
        return Quarter(self.year + (self.quarter == 4), self.quarter % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - (self.quarter == 1), (self.quarter - 2) % 4 + 1)

    @property
    def start(self) -> datetime:
        return start_of_day(self.first)

    @property
    def end(self) -> datetime:
        return start_of_day(self.next().first)


def months_between(first: date, last: date) -> Iterator[Month]:
    """Every month touching [first, last], in order."""
    month, end = Month.of(first), Month.of(last)
    while month <= end:
        yield month
        month = month.next()


def _valid_quarter(value: str) -> str:
    Quarter.parse(value)
    return value


def _valid_month(value: str) -> str:
    Month.parse(value)
    return value


QuarterName = Annotated[
    str,
    Field(pattern=QUARTER_PATTERN, max_length=6, description="A quarter: 2026Q4.", examples=["2026Q4"]),
    AfterValidator(_valid_quarter),
]
MonthName = Annotated[
    str,
    Field(pattern=MONTH_PATTERN, max_length=7, description="A month: 2026-05.", examples=["2026-05"]),
    AfterValidator(_valid_month),
]
