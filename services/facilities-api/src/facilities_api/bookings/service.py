"""Bookings: a resident books seats (never oversold: seats are taken by one conditional UPDATE), waits
in line when it is full, cancels before the cut-off (the line moves up in order), and is checked in
at the door with the code they show. Check-ins are the platform's own attendance record."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.access import check_may_manage, is_official_of, may_manage
from facilities_api.activities.models import Activity
from facilities_api.activities.repository import ActivityRepository
from facilities_api.activities.signals import ActivityCancelled, SeatsAdded, activity_cancelled, seats_added
from facilities_api.areas.repository import AreaRepository
from facilities_api.bookings.models import Booking
from facilities_api.bookings.repository import BookingRepository
from facilities_api.events import outbox
from facilities_api.settings import Settings
from facilities_api.signals import Announce
from facilities_api.vocab import as_local
from service_kit.auth import Principal
from service_kit.problems import Conflict, FieldError, Forbidden, NotFound, RuleViolation
from service_kit.repository import Slice

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return code.replace("-", "").replace(" ", "").upper()


@dataclass(frozen=True, slots=True)
class Placed:
    """A booking, and its place in the waitlist while it waits (1 = next to get seats)."""

    booking: Booking
    waitlist_position: int | None = None


@dataclass(frozen=True, slots=True)
class PlacedPage:
    items: list[Placed]
    next_cursor: str | None


def _event_data(b: Booking, a: Activity) -> dict[str, Any]:
    return {
        "booking_id": b.id,
        "activity_id": a.id,
        "facility_id": a.facility_id,
        "resident_sub": b.resident_sub,
        "seats": b.seats,
    }


def _bookable(a: Activity, seats: int, *, settings: Settings, now: datetime) -> None:
    if a.status == "cancelled":
        raise RuleViolation("activity_id", "The activity is cancelled.", code="activity-cancelled")
    if a.status != "published":
        raise NotFound(f"No activity {a.id}.")
    if a.starts_at <= now:
        raise RuleViolation("activity_id", "The activity has already started or is over.", code="activity-past")
    if not a.booking_required:
        raise RuleViolation("activity_id", "This activity needs no booking: just come.", code="no-booking-needed")
    opens = a.booking_opens_at
    if opens is not None and now < opens:
        raise RuleViolation("activity_id", f"Booking opens at {as_local(opens).isoformat()}.", code="booking-not-open")
    closes = a.booking_closes_at or a.starts_at
    if now >= closes:
        raise RuleViolation("activity_id", "Booking has closed.", code="booking-closed")
    if seats > settings.max_seats_per_booking:
        raise RuleViolation(
            "seats", f"At most {settings.max_seats_per_booking} seats per booking.", code="too-many-seats"
        )
    if seats > a.capacity:
        raise RuleViolation("seats", f"The activity has {a.capacity} seats in all.", code="above-capacity")


def _already_booked() -> Conflict:
    return Conflict(
        "You have already booked this activity.",
        slug="already-booked",
        errors=[
            FieldError(field="activity_id", message="One booking per resident per activity.", code="already-booked")
        ],
    )


async def book(
    session: AsyncSession, *, settings: Settings, principal: Principal, activity_id: int, seats: int, now: datetime
) -> Placed:
    if principal.role != "resident":
        raise Forbidden("Residents book seats; staff accounts do not.")
    activities = ActivityRepository(session)
    a = await activities.for_booking(activity_id)
    if a is None or a.status == "draft":
        raise NotFound(f"No activity {activity_id}.")
    _bookable(a, seats, settings=settings, now=now)
    repo = BookingRepository(session)
    b = await repo.of_resident(activity_id, principal.sub)
    if b is not None and b.status != "cancelled":
        raise _already_booked()
    # The seats first, then the booking with its final status: one write of the booking (an INSERT, or
    # the UPDATE of the resident's cancelled one), where a pending row and then its status took two. A
    # new booking does not jump residents already waiting.
    confirmed = await activities.take_seats(
        activity_id, seats, unless=BookingRepository.someone_waitlisted(activity_id)
    )
    if b is None:
        b = Booking(activity_id=activity_id, resident_sub=principal.sub, created_at=now)
        repo.add(b)
    b.resident_name = principal.name[:200]
    b.seats = seats
    b.status = "confirmed" if confirmed else "waitlisted"
    b.check_in_code = new_code()
    b.queued_at = now
    b.confirmed_at = now if confirmed else None
    b.cancelled_at = None
    b.cancel_reason = None
    b.cancel_note = ""
    b.checked_in_at = None
    b.checked_in_by = None
    b.updated_at = now
    try:
        await repo.flush()
    except IntegrityError as exc:  # the same resident, booking twice at once: the seats go back with it
        await session.rollback()
        raise _already_booked() from exc
    b.activity = a
    position = await repo.waitlist_position(b) if b.status == "waitlisted" else None
    await outbox.record(
        session,
        "booking.created",
        {**_event_data(b, a), "status": b.status, "created_at": now.astimezone(UTC).isoformat()},
        subject=f"booking/{b.id}",
        actor=principal.sub,
    )
    await session.commit()
    return Placed(b, position)


async def promote_waitlist(session: AsyncSession, a: Activity, *, now: datetime) -> list[Booking]:
    """Move waitlisted bookings up, in the order they queued, while their seats fit. The caller
    announces them (announce_promotions) after every row lock is taken, then commits."""
    if a.status != "published" or a.starts_at <= now:
        return []
    activities = ActivityRepository(session)
    repo = BookingRepository(session)
    promoted = []
    while True:
        b = await repo.first_waitlisted(a.id)
        if b is None or not await activities.take_seats(a.id, b.seats):
            break
        b.status = "confirmed"
        b.confirmed_at = now
        b.updated_at = now
        await repo.flush()
        promoted.append(b)
    return promoted


async def announce_promotions(session: AsyncSession, a: Activity, promoted: list[Booking]) -> None:
    # Events go last in a transaction: the outbox lock is taken after every row lock, in every use
    # case, so two writers never wait on each other crosswise.
    for b in promoted:
        await outbox.record(session, "booking.promoted", _event_data(b, a), subject=f"booking/{b.id}", actor="waitlist")


async def cancel_booking(session: AsyncSession, *, principal: Principal, booking_id: int, now: datetime) -> Placed:
    repo = BookingRepository(session)
    b = await repo.get(booking_id, for_update=True)
    if b is None or not _may_read(principal, b):
        raise NotFound(f"No booking {booking_id}.")
    a = b.activity
    mine = principal.sub == b.resident_sub
    if not mine and not is_official_of(principal, a.facility):
        raise Forbidden("Only the resident who booked, or an official of the area, cancels a booking.")
    if b.status == "cancelled":
        raise Conflict("This booking is already cancelled.", slug="already-cancelled")
    if a.starts_at <= now:
        raise RuleViolation("booking_id", "The activity has already started.", code="activity-past")
    cutoff = a.starts_at - timedelta(minutes=a.cancel_cutoff_minutes)
    if b.status == "confirmed" and mine and now > cutoff:
        raise RuleViolation(
            "booking_id",
            f"Bookings are cancelled up to {a.cancel_cutoff_minutes} minutes before the start.",
            code="past-cancellation-cutoff",
        )
    was = b.status
    b.status = "cancelled"
    b.cancelled_at = now
    b.cancel_reason = "resident" if mine else "official"
    b.updated_at = now
    await repo.flush()
    promoted = []
    if was == "confirmed":
        await ActivityRepository(session).release_seats(a.id, b.seats)
        promoted = await promote_waitlist(session, a, now=now)
    await outbox.record(
        session,
        "booking.cancelled",
        {**_event_data(b, a), "was": was, "reason": b.cancel_reason},
        subject=f"booking/{b.id}",
        actor=principal.sub,
    )
    await announce_promotions(session, a, promoted)
    await session.commit()
    return Placed(b)


async def cancel_for_activity(session: AsyncSession, a: Activity, *, actor: str, now: datetime) -> dict[str, int]:
    """The activity is cancelled: every confirmed and waitlisted booking is cancelled with the activity's
    reason (its code no longer checks in), its seats released, one booking.cancelled each. The caller
    commits, in the transaction that cancels the activity. Returns how many of each were cancelled."""
    repo = BookingRepository(session)
    bookings = await repo.open_of_activity(a.id)
    counts = {"confirmed": 0, "waitlisted": 0}
    was = [b.status for b in bookings]
    for b in bookings:
        counts[b.status] += 1
        b.status = "cancelled"
        b.cancelled_at = now
        b.cancel_reason = "activity_cancelled"
        b.cancel_note = a.cancel_reason
        b.updated_at = now
    await repo.flush()
    seats = sum(b.seats for b, w in zip(bookings, was, strict=True) if w == "confirmed")
    if seats:
        await ActivityRepository(session).release_seats(a.id, seats)
    for b, w in zip(bookings, was, strict=True):
        await outbox.record(
            session,
            "booking.cancelled",
            {**_event_data(b, a), "was": w, "reason": "activity_cancelled", "note": a.cancel_reason},
            subject=f"booking/{b.id}",
            actor=actor,
        )
    return counts


@seats_added.connect
async def _promote_into_added_seats(session: AsyncSession, event: SeatsAdded) -> Announce:
    promoted = await promote_waitlist(session, event.activity, now=event.now)

    async def announce() -> None:
        await announce_promotions(session, event.activity, promoted)

    return announce


@activity_cancelled.connect
async def _cancel_with_activity(session: AsyncSession, event: ActivityCancelled) -> dict[str, int]:
    return await cancel_for_activity(session, event.activity, actor=event.actor, now=event.now)


async def check_in(
    session: AsyncSession, *, settings: Settings, principal: Principal, activity_id: int, code: str, now: datetime
) -> Placed:
    a = await ActivityRepository(session).get(activity_id)
    if a is None or a.status == "draft":
        raise NotFound(f"No activity {activity_id}.")
    check_may_manage(principal, a.facility, "check residents in")
    if a.status == "cancelled":
        raise RuleViolation("activity_id", "The activity is cancelled.", code="activity-cancelled")
    opens = a.starts_at - timedelta(minutes=settings.check_in_opens_minutes)
    closes = a.ends_at
    if not (opens <= now <= closes):
        raise RuleViolation(
            "activity_id",
            f"Check-in is open from {settings.check_in_opens_minutes} minutes before the start until the end.",
            code="check-in-closed",
        )
    repo = BookingRepository(session)
    b = await repo.by_code(activity_id, normalise_code(code))
    if b is None:
        raise RuleViolation("code", "No booking at this activity has that code.", code="wrong-check-in-code")
    if b.status != "confirmed":
        why = " because the activity was cancelled" if b.cancel_reason == "activity_cancelled" else ""
        raise RuleViolation("code", f"That booking is {b.status}{why}, not confirmed.", code="booking-not-confirmed")
    if b.checked_in_at is not None:
        raise Conflict(f"Already checked in at {as_local(b.checked_in_at).isoformat()}.", slug="already-checked-in")
    b.checked_in_at = now
    b.checked_in_by = principal.sub
    b.updated_at = now
    await repo.flush()
    await outbox.record(
        session,
        "checkin.recorded",
        {
            "booking_id": b.id,
            "activity_id": a.id,
            "facility_id": a.facility_id,
            "resident_sub": b.resident_sub,
            "checked_in_at": now.astimezone(UTC).isoformat(),
        },
        subject=f"booking/{b.id}",
        actor=principal.sub,
    )
    await session.commit()
    return Placed(b)


def _may_read(principal: Principal, b: Booking) -> bool:
    return (
        principal.sub == b.resident_sub
        or principal.role in ("auditor", "service")
        or may_manage(principal, b.activity.facility)
    )


async def get_booking(session: AsyncSession, *, principal: Principal, booking_id: int) -> Placed:
    repo = BookingRepository(session)
    b = await repo.get(booking_id)
    if b is None or not _may_read(principal, b):
        raise NotFound(f"No booking {booking_id}.")
    position = await repo.waitlist_position(b) if b.status == "waitlisted" else None
    return Placed(b, position)


async def _page(repo: BookingRepository, rows: Slice[Booking]) -> PlacedPage:
    items = []
    for b in rows.items:
        position = await repo.waitlist_position(b) if b.status == "waitlisted" else None
        items.append(Placed(b, position))
    return PlacedPage(items=items, next_cursor=rows.next_cursor)


async def list_bookings(
    session: AsyncSession,
    *,
    principal: Principal,
    activity_id: int | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> PlacedPage:
    """Residents see their own; operators the bookings at facilities they run; officials those of their
    area; auditors and services all."""
    repo = BookingRepository(session)
    scope: dict[str, Any] = {}
    if principal.role in ("auditor", "service") or principal.is_district_official:
        pass
    elif principal.role == "official":
        sub = await AreaRepository(session).subdistrict_by_code(principal.subdistrict or "")
        scope["subdistrict_id"] = sub.id if sub is not None else -1
    elif principal.role == "operator":
        scope["operator_id"] = principal.operator_id if principal.operator_id is not None else -1
    else:
        scope["resident_sub"] = principal.sub
    rows = await repo.list(activity_id=activity_id, status=status, cursor=cursor, limit=limit, **scope)
    return await _page(repo, rows)


async def list_activity_bookings(
    session: AsyncSession,
    *,
    principal: Principal,
    activity_id: int,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> PlacedPage:
    a = await ActivityRepository(session).get_or_404(activity_id)
    if principal.role not in ("auditor", "service"):
        check_may_manage(principal, a.facility, "see who booked")
    repo = BookingRepository(session)
    rows = await repo.list(activity_id=activity_id, status=status, cursor=cursor, limit=limit)
    return await _page(repo, rows)
