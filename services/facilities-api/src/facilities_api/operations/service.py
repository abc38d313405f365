"""Who runs a facility: kept current from operators-api's contract events, never typed by hand.
Each change is written to the facility's history (actor operators-api), to an operation period (the
basis of per-operator figures), and announced as facility.operator_changed."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.events import outbox
from facilities_api.facilities.models import Facility, FacilityChange
from facilities_api.facilities.repository import FacilityRepository
from facilities_api.facilities.schemas import operation_of
from facilities_api.operations.models import OperationPeriod
from facilities_api.operations.repository import OperationRepository
from facilities_api.vocab import local_today

log = logging.getLogger("facilities_api.operations")
ACTOR = "operators-api"


def _operation(facility: Facility) -> dict[str, Any]:
    """Who runs the facility, as its history and events record it."""
    return operation_of(facility).model_dump()


def _ids(value: Any) -> list[int]:
    return sorted({int(v) for v in value or []})


async def _announce(session: AsyncSession, changed: list[tuple[Facility, dict[str, Any]]], reason: str) -> None:
    for facility, previous in changed:
        await outbox.record(
            session,
            "facility.operator_changed",
            {
                "facility_id": facility.id,
                "operation": _operation(facility),
                "previous": previous,
                "reason": reason,
            },
            subject=f"facility/{facility.id}",
            actor=ACTOR,
        )


def _record_change(session: AsyncSession, facility: Facility, previous: dict[str, Any], now: datetime) -> None:
    facility.version += 1
    facility.updated_at = now
    session.add(
        FacilityChange(
            facility_id=facility.id,
            version=facility.version,
            actor=ACTOR,
            action="operation_changed",
            changes={"operation": [previous, _operation(facility)]},
            changed_at=now,
        )
    )


async def apply_contract_started(session: AsyncSession, data: dict[str, Any], *, now: datetime) -> None:
    """contract.started: each facility becomes socially operated by that operator under that contract.
    Facilities unknown here are skipped (logged); re-applying the same event changes nothing."""
    contract_id, operator_id = int(data["contract_id"]), int(data["operator_id"])
    starts_on = date.fromisoformat(str(data["starts_on"]))
    name = str(data.get("operator_name") or "")[:200] or None
    ids = _ids(data.get("facility_ids"))
    facilities = await FacilityRepository(session).get_many_for_update(ids)
    missing = set(ids) - {f.id for f in facilities}
    if missing:
        log.warning("contract %s names facilities unknown here: %s", contract_id, sorted(missing))
    periods = OperationRepository(session)
    changed: list[tuple[Facility, dict[str, Any]]] = []
    for facility in facilities:
        if (facility.operation_mode, facility.operator_id, facility.contract_id) == (
            "social",
            operator_id,
            contract_id,
        ):
            continue
        previous = _operation(facility)
        current = await periods.open_period(facility.id)
        if current is not None and current.contract_id != contract_id:
            current.ends_on = max(current.starts_on, starts_on - timedelta(days=1))
            current.end_reason = f"replaced by contract {contract_id}"
        facility.operation_mode = "social"
        facility.operator_id = operator_id
        facility.contract_id = contract_id
        facility.operator_name = name
        _record_change(session, facility, previous, now)
        if await periods.period_of(facility.id, contract_id) is None:
            periods.add(
                OperationPeriod(
                    facility_id=facility.id,
                    operator_id=operator_id,
                    contract_id=contract_id,
                    starts_on=starts_on,
                    ends_on=None,
                    end_reason="",
                )
            )
        changed.append((facility, previous))
    await session.flush()
    await _announce(session, changed, f"contract {contract_id} started")


async def apply_contract_ended(session: AsyncSession, data: dict[str, Any], *, ended_on: date, now: datetime) -> None:
    """contract.ended: the facilities still on that contract go back to government operation."""
    contract_id = int(data["contract_id"])
    reason = str(data.get("reason") or "")[:200]
    facilities = await FacilityRepository(session).get_many_for_update(_ids(data.get("facility_ids")))
    periods = OperationRepository(session)
    changed: list[tuple[Facility, dict[str, Any]]] = []
    for facility in facilities:
        period = await periods.period_of(facility.id, contract_id)
        if period is not None and period.ends_on is None:
            period.ends_on = max(period.starts_on, ended_on)
            period.end_reason = reason or "contract ended"
        if facility.contract_id != contract_id:
            continue  # already moved on (another contract, or this event applied before)
        previous = _operation(facility)
        facility.operation_mode = "government"
        facility.operator_id = None
        facility.contract_id = None
        facility.operator_name = None
        _record_change(session, facility, previous, now)
        changed.append((facility, previous))
    await session.flush()
    await _announce(session, changed, f"contract {contract_id} ended" + (f": {reason}" if reason else ""))


def event_date(event: dict[str, Any], now: datetime) -> date:
    try:
        return local_today(datetime.fromisoformat(str(event["time"])))
    except (KeyError, ValueError):
        return local_today(now)
