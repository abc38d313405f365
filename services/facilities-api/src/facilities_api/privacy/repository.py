from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import String, literal, or_, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import selectinload

from facilities_api.bookings.models import Booking
from facilities_api.db import infra
from facilities_api.special_requests.models import SpecialRequest
from service_kit.repository import RepositoryBase

# A record whose resident deleted their account names no one: its own tombstone, unique per record, so
# two records of the same person cannot be linked together again.
TOMBSTONE = "erased:"


class PersonalDataRepository(RepositoryBase[Booking]):
    """What facilities-api holds on one resident, across bookings and special-group requests."""

    model = Booking
    noun = "booking"

    async def bookings(self, resident_sub: str) -> Sequence[Booking]:
        stmt = (
            select(Booking)
            .where(Booking.resident_sub == resident_sub)
            .options(selectinload(Booking.activity))
            .order_by(Booking.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def special_requests(self, resident_sub: str, *, for_update: bool = False) -> Sequence[SpecialRequest]:
        stmt = select(SpecialRequest).where(SpecialRequest.resident_sub == resident_sub).order_by(SpecialRequest.id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalars().all()

    async def anonymise_bookings(self, resident_sub: str) -> int:
        """Unlink the resident's bookings from them; seats, status and attendance stay as recorded."""
        tombstone = literal(TOMBSTONE + "booking:", String).concat(sql_cast(Booking.id, String))
        result = await self.session.execute(
            update(Booking)
            .where(Booking.resident_sub == resident_sub)
            .values(resident_sub=tombstone, resident_name="")
            .execution_options(synchronize_session=False)
        )
        return cast(CursorResult[Any], result).rowcount or 0

    async def scrub_events(self, resident_sub: str) -> int:
        """The outbox keeps the events already published: those the resident caused (`actor`) and those naming
        them (`booking.created`, `checkin.recorded` carry `resident_sub`) lose who they were. A scan of the
        outbox, once per deleted account."""
        ev = infra.event
        stmt = select(ev.c.seq, ev.c.actor, ev.c.data).where(
            or_(ev.c.actor == resident_sub, ev.c.data["resident_sub"].as_string() == resident_sub)
        )
        rows = (await self.session.execute(stmt)).all()
        for row in rows:
            data = dict(row.data)
            if data.get("resident_sub") == resident_sub:
                data["resident_sub"] = f"{TOMBSTONE}booking:{data['booking_id']}" if "booking_id" in data else TOMBSTONE
            actor = None if row.actor == resident_sub else row.actor
            await self.session.execute(ev.update().where(ev.c.seq == row.seq).values(actor=actor, data=data))
        return len(rows)
