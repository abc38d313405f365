"""The local facility → operator map and the check-ins, both fed by facilities-api's event feed.

- `facility.operator_changed` replaces the facility's row in the map (cases are routed by it, and a new
  rating carries the operator running its facility at that moment).
- `checkin.recorded` stores the check-in (`record_checkin`); the ratings it verifies are marked by the
  ratings' own handler of the event (`ratings.verification.on_checkin`).
Both handlers are idempotent: a replayed event changes nothing more (FeedConsumer also skips it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.clients.facilities import FacilitiesClient, FacilityRef, operator_name
from feedback_api.operations.models import Checkin, FacilityOperation
from feedback_api.operations.repository import CheckinRepository, OperationRepository
from feedback_api.types import parse_moment
from service_kit.clock import utcnow


async def operation_for(
    session: AsyncSession, facility: FacilityRef, *, now: datetime
) -> FacilityOperation:
    """Who runs the facility now: the local map (kept by events) or, when the facility was never seen,
    what facilities-api just said (remembered, so later events and lookups agree)."""
    repo = OperationRepository(session)
    op = await repo.get(facility.id)
    if op is None:
        # Requests about a facility never seen arrive together (a new facility's first residents): each
        # inserts unless another did first, and all then read the one row.
        op = await repo.remember(
            {
                "facility_id": facility.id,
                "mode": facility.mode,
                "operator_id": facility.operator_id
                if facility.mode == "social"
                else None,
                "operator_name": facility.operator_name,
                "contract_id": facility.contract_id,
                "subdistrict": facility.subdistrict,
                "name_zh": facility.name_zh,
                "source": "lookup",
                "updated_at": now,
            }
        )
    elif op.subdistrict is None or op.name_zh is None:
        op.subdistrict = op.subdistrict or facility.subdistrict
        op.name_zh = op.name_zh or facility.name_zh
    return op


async def operations_for(
    session: AsyncSession, facilities: dict[int, FacilityRef], *, now: datetime
) -> dict[int, tuple[int | None, str | None]]:
    """operation_for() for several facilities at once, as (operator id, subdistrict): one query for the
    ones already in the local map; a facility never seen (or missing its subdistrict or name) goes
    through operation_for(), which remembers what facilities-api said."""
    rows = await OperationRepository(session).get_many(list(facilities))
    out: dict[int, tuple[int | None, str | None]] = {}
    for facility_id, facility in facilities.items():
        row = rows.get(facility_id)
        if row is not None and row.subdistrict is not None and row.name_zh is not None:
            out[facility_id] = (row.operator_id, row.subdistrict)
        else:
            op = await operation_for(session, facility, now=now)
            out[facility_id] = (op.operator_id, op.subdistrict)
    return out


async def operator_of(
    session: AsyncSession,
    facilities: FacilitiesClient,
    facility_id: int,
    *,
    now: datetime,
) -> int | None:
    """The operator running a facility (None: government-run), asking facilities-api only when unknown."""
    op = await OperationRepository(session).get(facility_id)
    if op is not None:
        return op.operator_id
    facility = await facilities.get_facility(facility_id)
    if facility is None:
        return None
    return (await operation_for(session, facility, now=now)).operator_id


async def on_operator_changed(session: AsyncSession, event: dict[str, Any]) -> None:
    data = event["data"]
    facility_id = int(data["facility_id"])
    operation = data.get("operation") or {}
    mode = str(operation.get("mode") or "government")
    operator_id = operation.get("operator_id")
    repo = OperationRepository(session)
    op = await repo.get(facility_id)
    if op is None:
        op = FacilityOperation(
            facility_id=facility_id, mode=mode, source="event", updated_at=utcnow()
        )
        repo.add(op)
    op.mode = mode
    op.operator_id = (
        int(operator_id) if operator_id is not None and mode == "social" else None
    )
    op.operator_name = operator_name(operation) if op.operator_id is not None else None
    op.contract_id = (
        int(operation["contract_id"])
        if operation.get("contract_id") is not None
        else None
    )
    op.source = "event"
    op.updated_at = utcnow()
    await repo.flush()


async def record_checkin(
    session: AsyncSession, event: dict[str, Any]
) -> Checkin | None:
    """Store a `checkin.recorded` event's check-in (None: it was stored already)."""
    data = event["data"]
    repo = CheckinRepository(session)
    booking_id = int(data["booking_id"])
    if await repo.get(booking_id) is not None:
        return None
    checked_in_at = (
        parse_moment(data["checked_in_at"]) if data.get("checked_in_at") else utcnow()
    )
    checkin = Checkin(
        booking_id=booking_id,
        activity_id=int(data["activity_id"]),
        facility_id=int(data["facility_id"]),
        resident_sub=str(data["resident_sub"]),
        checked_in_at=checked_in_at,
    )
    repo.add(checkin)
    await session.flush()
    return checkin
