"""A resident's personal data in facilities-api: read in full by the resident, erased when the account
is deleted.

Erasure keeps every count the registry's statistics and operators' evaluations rest on: a booking keeps
its activity, seats, status, check-in code and attendance, and only loses who made it (its subject
becomes a tombstone of its own, its name is erased). A special-group request loses everything that
describes the person (name, special group, description and health notes, address, phone, preferred
time, the staff's notes), as the retention sweep does; its kind, status and outcome stay, so
"special-group services done" is unchanged. A request still
open is cancelled: nobody is left to serve or to confirm it. The events already in the outbox lose the
resident's subject too (as actor, and in `booking.created` and `checkin.recorded`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.bookings.models import Booking
from facilities_api.events import outbox
from facilities_api.privacy.repository import TOMBSTONE, PersonalDataRepository
from facilities_api.special_requests.models import SpecialRequest
from facilities_api.special_requests.service import OPEN
from service_kit.auth import Principal

ERASED_BY = "account-deletion"


@dataclass(frozen=True, slots=True)
class PersonalData:
    """What facilities-api holds on one resident (bookings with their activity loaded)."""

    bookings: Sequence[Booking]
    special_requests: Sequence[SpecialRequest]

    @property
    def check_ins(self) -> list[Booking]:
        return [b for b in self.bookings if b.checked_in_at is not None]


async def export(session: AsyncSession, *, principal: Principal) -> PersonalData:
    repo = PersonalDataRepository(session)
    return PersonalData(
        bookings=await repo.bookings(principal.sub), special_requests=await repo.special_requests(principal.sub)
    )


async def erase_account(session: AsyncSession, *, account_id: str, now: datetime) -> dict[str, int]:
    """Erase what facilities-api holds on the account (within the caller's transaction; no commit).
    Applying it again finds nothing left to erase: it changes nothing and announces nothing."""
    if not account_id or account_id.startswith(TOMBSTONE):
        return {"bookings": 0, "special_requests": 0, "events": 0}
    repo = PersonalDataRepository(session)
    # The events already published first: the ones recorded below name no one.
    events = await repo.scrub_events(account_id)
    bookings = await repo.anonymise_bookings(account_id)
    requests = await repo.special_requests(account_id, for_update=True)
    for r in requests:
        old = r.status
        if old in OPEN:
            r.status = "cancelled"
        r.resident_sub = f"{TOMBSTONE}special_request:{r.id}"
        r.resident_name = ""
        r.special_group = None
        r.health_notes = ""
        r.description = ""
        r.address = ""
        r.phone = ""
        r.preferred_time = ""
        r.note = ""
        r.version += 1
        r.updated_at = now
        if r.status != old:
            await outbox.record(
                session,
                "special_request.status_changed",
                {
                    "request_id": r.id,
                    "facility_id": r.facility_id,
                    "old": old,
                    "new": r.status,
                    "assigned_operator_id": r.assigned_operator_id,
                    "reason": "account_deleted",
                },
                subject=f"special_request/{r.id}",
                actor=ERASED_BY,
                at=now,
            )
    await repo.flush()
    return {"bookings": bookings, "special_requests": len(requests), "events": events}
