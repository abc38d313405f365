"""Operations figures (activities held, participants, bookings, no-shows, scheduled open hours,
special-group services done) for one facility, or summed over the facilities an operator ran, each
over the days it ran them."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.access import operates
from facilities_api.facilities.hours import Exception_, hours_over, open_minutes_by_day, slots_from_json
from facilities_api.facilities.models import Facility
from facilities_api.facilities.repository import FacilityRepository
from facilities_api.facilities.service import exception_hours
from facilities_api.operations.repository import OperationRepository
from facilities_api.stats.repository import StatsRepository
from facilities_api.vocab import local_range
from service_kit.auth import Principal
from service_kit.problems import Forbidden, RuleViolation

MAX_DAYS = 1100
READERS = ("official", "auditor", "service")


@dataclass(frozen=True, slots=True)
class Figures:
    activities_held: int = 0
    participants: int = 0
    bookings: int = 0
    no_shows: int = 0
    scheduled_open_hours: float = 0.0
    special_group_services_done: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


@dataclass(frozen=True, slots=True)
class OperationsReport:
    """Figures of a facility, or summed over the facilities an operator ran, in [from_, to]."""

    facility_id: int | None
    operator_id: int | None
    facility_ids: list[int]
    from_: date
    to: date
    figures: Figures


async def _facility_figures(
    session: AsyncSession, facility: Facility, start: date, end: date, now: datetime
) -> Figures:
    t1, t2 = local_range(start, end)
    stats = StatsRepository(session)
    bookings, checkins, no_shows = await stats.booking_figures(facility.id, t1, t2, now)
    hours = 0.0
    if facility.status not in ("closed", "planned"):
        exceptions = [
            Exception_(e.starts_on, e.ends_on, e.closed, e.opens, e.closes)
            for e in await FacilityRepository(session).exceptions(facility.id, start=start, end=end)
        ]
        hours = hours_over(start, end, slots_from_json(facility.opening_hours), exceptions)
    return Figures(
        activities_held=await stats.activities_held(facility.id, t1, t2, now),
        participants=checkins,
        bookings=bookings,
        no_shows=no_shows,
        scheduled_open_hours=hours,
        special_group_services_done=await stats.special_done(facility.id, t1, t2),
    )


def _check_range(start: date, end: date) -> None:
    if end < start:
        raise RuleViolation("to", "The range ends before it starts.", code="ends-before-start")
    if (end - start).days > MAX_DAYS:
        raise RuleViolation("to", f"At most {MAX_DAYS} days at a time.", code="range-too-long")


async def operations_figures(
    session: AsyncSession,
    *,
    principal: Principal,
    facility_id: int | None,
    operator_id: int | None,
    start: date,
    end: date,
    now: datetime,
) -> OperationsReport:
    if (facility_id is None) == (operator_id is None):
        raise RuleViolation("facility_id", "Give facility_id or operator_id (one of them).", code="one-of")
    _check_range(start, end)
    # The gate let in only these roles, and integration keys holding stats:read.
    reader = principal.role in READERS or principal.role == "integration"
    if facility_id is not None:
        facility = await FacilityRepository(session).get_or_404(facility_id)
        if not reader and not operates(principal, facility):
            raise Forbidden(
                "Officials, auditors and services read these figures; operators for the facilities they run."
            )
        figures = await _facility_figures(session, facility, start, end, now)
        return OperationsReport(facility_id, None, [facility_id], start, end, figures)
    assert operator_id is not None
    if not reader and not (principal.role == "operator" and principal.operator_id == operator_id):
        raise Forbidden("Operators read their own figures only.")
    totals = Figures()
    facilities = FacilityRepository(session)
    ids: list[int] = []
    for period in await OperationRepository(session).periods_of_operator(operator_id, start, end):
        ran = await facilities.get(period.facility_id)
        if ran is None:
            continue
        p_start = max(start, period.starts_on)
        p_end = min(end, period.ends_on) if period.ends_on is not None else end
        if p_end < p_start:
            continue
        totals += await _facility_figures(session, ran, p_start, p_end, now)
        if ran.id not in ids:
            ids.append(ran.id)
    return OperationsReport(None, operator_id, sorted(ids), start, end, totals)


# -- recorded open hours (evidence for evaluations) --------------------------------------------------
OPEN_HOURS_MAX_DAYS = 1100
_CENTS = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class OpenHours:
    facility_id: int
    from_: date
    to: date
    hours: Decimal
    days_open: int
    weekly_average_hours: Decimal


async def _check_may_read_open_hours(
    session: AsyncSession, principal: Principal, facility: Facility, start: date, end: date
) -> None:
    """Officials, auditors and services read any facility's; an operator's staff those of a facility it
    runs now or ran during the days asked about (an evaluation comes after the period it judges)."""
    if principal.role != "operator" or operates(principal, facility):
        return
    if principal.operator_id is not None:
        periods = await OperationRepository(session).periods_of_operator(principal.operator_id, start, end)
        if any(p.facility_id == facility.id for p in periods):
            return
    raise Forbidden(f"Your operator did not run facility {facility.id} during these days.")


async def recorded_open_hours(
    session: AsyncSession, *, principal: Principal, facility_id: int, start: date, end: date
) -> OpenHours:
    """Open hours day by day in Asia/Shanghai from the weekly hours and the opening exceptions
    (closures, other hours), both dates included; none while the facility is closed or planned."""
    if end < start:
        raise RuleViolation("to", "The range ends before it starts.", code="ends-before-start")
    if (end - start).days >= OPEN_HOURS_MAX_DAYS:
        raise RuleViolation("to", f"At most {OPEN_HOURS_MAX_DAYS} days at a time.", code="range-too-long")
    facility = await FacilityRepository(session).get_or_404(facility_id)
    await _check_may_read_open_hours(session, principal, facility, start, end)
    minutes: dict[date, int] = {}
    if facility.status not in ("closed", "planned"):
        rows = await FacilityRepository(session).exceptions(facility_id, start=start - timedelta(days=1), end=end)
        minutes = open_minutes_by_day(
            start, end, slots_from_json(facility.opening_hours), [exception_hours(e) for e in rows]
        )
    total = sum(minutes.values())
    days = (end - start).days + 1
    return OpenHours(
        facility_id=facility_id,
        from_=start,
        to=end,
        hours=(Decimal(total) / 60).quantize(_CENTS, rounding=ROUND_HALF_UP),
        days_open=sum(1 for m in minutes.values() if m > 0),
        weekly_average_hours=(Decimal(total) * 7 / (60 * days)).quantize(_CENTS, rounding=ROUND_HALF_UP),
    )
