"""Words several domains share: who a service or an activity is for, and time in the district."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal, overload

from pydantic import AfterValidator, BeforeValidator, Strict

from service_kit.clock import DISTRICT_TZ

TargetGroup = Literal[
    "all",
    "children",
    "teenagers",
    "elderly",
    "disabled",
    "low_income",
    "families",
    "migrant_workers",
]
TARGET_GROUPS: tuple[str, ...] = TargetGroup.__args__  # type: ignore[attr-defined]


def everyone() -> list[TargetGroup]:
    """The default audience of a service or an activity."""
    return ["all"]


def to_utc(value: datetime) -> datetime:
    """Every stored datetime is UTC (SQLite keeps no zone); a naive input is district local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=DISTRICT_TZ)
    return value.astimezone(UTC)


@overload
def as_local(value: datetime) -> datetime: ...
@overload
def as_local(value: None) -> None: ...
def as_local(value: datetime | None) -> datetime | None:
    """A stored datetime (naive UTC on SQLite) shown in Asia/Shanghai."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(DISTRICT_TZ)


def local_day_start(day: date) -> datetime:
    """00:00 of a district-local day, in UTC."""
    return datetime.combine(day, time(0), tzinfo=DISTRICT_TZ).astimezone(UTC)


def local_range(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) of district-local days, in UTC."""
    return local_day_start(start), local_day_start(end + timedelta(days=1))


def local_today(now: datetime) -> date:
    return now.astimezone(DISTRICT_TZ).date()


def _bounded_datetime(value: datetime) -> datetime:
    if not (2000 <= value.year <= 2100):
        raise ValueError("a time between the years 2000 and 2100")
    return to_utc(value)


def _bounded_date(value: date) -> date:
    if not (2000 <= value.year <= 2100):
        raise ValueError("a date between the years 2000 and 2100")
    return value


def _iso_text(pattern: str, what: str) -> BeforeValidator:
    """Only ISO 8601 text: no Unix timestamps, numbers or booleans slipping in as dates or times."""
    compiled = re.compile(pattern)

    def check(value: object) -> object:
        if isinstance(value, str):
            if not compiled.match(value):
                raise ValueError(f"{what} in ISO 8601")
        elif isinstance(value, (bool, int, float)):
            raise ValueError(f"{what} in ISO 8601")
        return value

    return BeforeValidator(check)


# A time from the API: ISO 8601 (a time without zone is Asia/Shanghai), kept as UTC.
DistrictDateTime = Annotated[
    datetime, _iso_text(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}", "a date and time"), AfterValidator(_bounded_datetime)
]
BoundedDate = Annotated[date, _iso_text(r"^\d{4}-\d{2}-\d{2}$", "a date (YYYY-MM-DD)"), AfterValidator(_bounded_date)]
WallClock = Annotated[time, _iso_text(r"^\d{2}:\d{2}", "a time (HH:MM)")]
# Integers and booleans in JSON bodies: true is not 1, and 1 is not true.
StrictInt = Annotated[int, Strict()]
StrictBool = Annotated[bool, Strict()]
