"""What makes an activity publishable: a sensible time, a booking window inside it, and the fee rule."""

from __future__ import annotations

from datetime import datetime, timedelta

from service_kit.problems import RuleViolation

MAX_DURATION = timedelta(days=31)


def check_times(
    *,
    starts_at: datetime,
    ends_at: datetime,
    booking_opens_at: datetime | None,
    booking_closes_at: datetime | None,
    now: datetime,
    must_be_upcoming: bool,
) -> None:
    if ends_at <= starts_at:
        raise RuleViolation("ends_at", "The activity ends before it starts.", code="ends-before-start")
    if ends_at - starts_at > MAX_DURATION:
        raise RuleViolation("ends_at", "An activity lasts at most 31 days; make a series instead.", code="too-long")
    if must_be_upcoming and starts_at <= now:
        raise RuleViolation("starts_at", "The activity would start in the past.", code="in-the-past")
    if booking_closes_at is not None and booking_closes_at > ends_at:
        raise RuleViolation("booking_closes_at", "Booking cannot close after the activity ends.", code="booking-window")
    if booking_opens_at is not None:
        closes = booking_closes_at or starts_at
        if booking_opens_at >= closes:
            raise RuleViolation("booking_opens_at", "Booking would open after it closes.", code="booking-window")


def check_capacity(*, capacity: int, booked: int) -> None:
    if capacity < booked:
        raise RuleViolation(
            "capacity",
            f"{booked} seats are already booked; the capacity cannot go below that.",
            code="capacity-below-booked",
        )
