"""Working days on the district's calendar (Asia/Shanghai): Monday to Friday, less public holidays, plus
make-up working days (调休) on weekends. Holidays and make-up days come from settings
(FEEDBACK_HOLIDAYS, FEEDBACK_MAKEUP_WORKDAYS) and from the calendar_day table officials keep.

A deadline of N working days runs to the end (24:00 Beijing time) of the Nth working day after the day
the clock started: a complaint filed on Friday afternoon with 2 working days is due at the end of Tuesday."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.periods import local_date, start_of_day
from feedback_api.settings import Settings
from feedback_api.workdays.models import CalendarDay
from feedback_api.workdays.repository import CalendarRepository
from service_kit.auth import Principal
from service_kit.clock import Clock
from service_kit.problems import NotFound, RuleViolation

HORIZON_DAYS = 400


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def deadline(self, start: datetime, working_days: int) -> datetime:
        """End of the `working_days`-th working day after the local date of `start`, as an aware UTC time."""
        day = local_date(start)
        counted = 0
        for _ in range(HORIZON_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
                if counted >= working_days:
                    return start_of_day(day + timedelta(days=1))
        raise ValueError("no working day within a year")

    def working_days_between(self, first: date, last: date) -> int:
        return sum(
            1
            for i in range((last - first).days + 1)
            if self.is_working_day(first + timedelta(days=i))
        )


async def calendar_for(
    session: AsyncSession, settings: Settings, start: datetime
) -> WorkCalendar:
    first = local_date(start)
    rows = await CalendarRepository(session).between(
        first, first + timedelta(days=HORIZON_DAYS - 1)
    )
    holidays = set(settings.holidays)
    workdays = set(settings.makeup_workdays)
    for row in rows:
        (holidays if row.kind == "holiday" else workdays).add(row.day)
        (workdays if row.kind == "holiday" else holidays).discard(row.day)
    return WorkCalendar(frozenset(holidays), frozenset(workdays))


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """A day that is not what its weekday says: from settings, or kept by officials (these win)."""

    day: date
    kind: str
    name: str
    source: str
    updated_at: datetime | None = None

    @classmethod
    def kept(cls, row: CalendarDay) -> CalendarEntry:
        return cls(row.day, row.kind, row.name, "officials", row.updated_at)


async def list_days(
    session: AsyncSession, settings: Settings, *, year: int
) -> list[CalendarEntry]:
    out: dict[date, CalendarEntry] = {}
    for day in settings.holidays:
        if day.year == year:
            out[day] = CalendarEntry(day, "holiday", "", "settings")
    for day in settings.makeup_workdays:
        if day.year == year:
            out[day] = CalendarEntry(day, "workday", "", "settings")
    rows = await CalendarRepository(session).between(
        date(year, 1, 1), date(year, 12, 31)
    )
    for row in rows:
        out[row.day] = CalendarEntry.kept(row)
    return [out[d] for d in sorted(out)]


async def set_day(
    session: AsyncSession,
    *,
    principal: Principal,
    day: date,
    kind: str,
    name: str,
    clock: Clock,
) -> CalendarEntry:
    if kind == "holiday" and day.weekday() >= 5:
        raise RuleViolation(
            "kind",
            f"{day} is a weekend day already: only weekdays can be holidays",
            code="holiday-on-weekend",
        )
    if kind == "workday" and day.weekday() < 5:
        raise RuleViolation(
            "kind",
            f"{day} is a weekday already: only weekend days can be make-up working days",
            code="workday-on-weekday",
        )
    repo = CalendarRepository(session)
    row = await repo.get(day)
    now = clock.now()
    if row is None:
        row = repo.add(
            CalendarDay(
                day=day, kind=kind, name=name, updated_by=principal.sub, updated_at=now
            )
        )
    else:
        row.kind, row.name, row.updated_by, row.updated_at = (
            kind,
            name,
            principal.sub,
            now,
        )
    await repo.flush()
    entry = CalendarEntry.kept(row)
    await session.commit()
    return entry


async def delete_day(session: AsyncSession, *, day: date) -> None:
    repo = CalendarRepository(session)
    row = await repo.get(day)
    if row is None:
        raise NotFound(f"{day} is not in the officials' calendar.")
    await repo.delete(row)
    await session.commit()
