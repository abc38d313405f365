"""Activities (活动): drafted and published by the facility's operator or the officials of its area,
listed and filtered for residents, exported as iCalendar."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.access import check_may_manage, may_manage
from facilities_api.activities.models import Activity
from facilities_api.activities.repository import ActivityFilter, ActivityRepository, DraftScope
from facilities_api.activities.rules import check_capacity, check_times
from facilities_api.activities.schemas import ActivityCreate, ActivityRead, ActivityUpdate
from facilities_api.activities.schemas import shown_status as _shown_status
from facilities_api.activities.signals import ActivityCancelled, SeatsAdded, activity_cancelled, seats_added
from facilities_api.events import outbox
from facilities_api.facilities.models import Facility
from facilities_api.facilities.repository import FacilityRepository
from facilities_api.offerings.repository import OfferingRepository
from facilities_api.offerings.rules import check_fee
from facilities_api.offerings.signals import FeeCapped, fee_capped
from facilities_api.serialize import jsonable
from facilities_api.vocab import local_today, to_utc
from service_kit.auth import Principal
from service_kit.etag import IfMatch
from service_kit.pagination import decode_cursor, encode_cursor
from service_kit.problems import NotFound, RuleViolation

_EDITABLE = (
    "title",
    "description",
    "category",
    "brand",
    "venue",
    "starts_at",
    "ends_at",
    "capacity",
    "fee_fen",
    "service_id",
    "target_groups",
    "booking_required",
    "booking_opens_at",
    "booking_closes_at",
    "cancel_cutoff_minutes",
)


def shown_status(a: Activity, now: datetime) -> str:
    return _shown_status(a.status, a.ends_at, now)


def _event_data(a: Activity, now: datetime) -> Any:
    """The activity as events carry it: as read."""
    return jsonable(ActivityRead.as_of(a, now).model_dump())


@dataclass(frozen=True, slots=True)
class Found:
    """A page of activities in start order, and the cursor after its last (None on the last page)."""

    items: Sequence[Activity]
    next_cursor: str | None


def draft_scope(principal: Principal | None) -> DraftScope:
    if principal is None:
        return DraftScope()
    if principal.role in ("auditor", "service") or principal.is_district_official:
        return DraftScope(all=True)
    if principal.role == "official":
        return DraftScope(subdistrict=principal.subdistrict)
    if principal.role == "operator" and principal.operator_id is not None:
        return DraftScope(operator_id=principal.operator_id)
    return DraftScope()


def _may_see(principal: Principal | None, a: Activity) -> bool:
    if a.status != "draft":
        return True
    if principal is None:
        return False
    return principal.role in ("auditor", "service") or may_manage(principal, a.facility)


async def _facility_for_activities(session: AsyncSession, principal: Principal, facility_id: int) -> Facility:
    facility = await FacilityRepository(session).get(facility_id)
    if facility is None:
        raise RuleViolation("facility_id", f"No facility {facility_id}.", code="unknown-facility")
    check_may_manage(principal, facility, "publish activities")
    return facility


async def _check_fee(
    session: AsyncSession, *, facility_id: int, service_id: int | None, fee_fen: int, starts_at: datetime
) -> None:
    repo = OfferingRepository(session)
    service = None
    if service_id is not None:
        service = await repo.offered(facility_id, service_id)
        if service is None:
            raise RuleViolation(
                "service_id", f"Facility {facility_id} offers no service {service_id}.", code="unknown-service"
            )
    if fee_fen == 0:
        return
    on = local_today(starts_at)
    approval = await repo.approval_in_force(facility_id, service_id, on) if service is not None and service_id else None
    check_fee(
        field="fee_fen",
        fee_fen=fee_fen,
        basic=service.basic if service is not None else None,
        approval=approval,
        on=on,
        what="activity",
    )


async def create_activity(
    session: AsyncSession, *, principal: Principal, data: ActivityCreate, now: datetime
) -> Activity:
    facility = await _facility_for_activities(session, principal, data.facility_id)
    if data.publish and facility.status == "closed":
        raise RuleViolation("facility_id", f"Facility {facility.id} is closed.", code="facility-closed")
    check_times(
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        booking_opens_at=data.booking_opens_at,
        booking_closes_at=data.booking_closes_at,
        now=now,
        must_be_upcoming=True,
    )
    await _check_fee(
        session, facility_id=facility.id, service_id=data.service_id, fee_fen=data.fee_fen, starts_at=data.starts_at
    )
    a = Activity(
        facility_id=facility.id,
        title=data.title,
        description=data.description,
        category=data.category,
        brand=data.brand,
        venue=data.venue,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        capacity=data.capacity,
        booked_count=0,
        fee_fen=data.fee_fen,
        service_id=data.service_id,
        target_groups=list(dict.fromkeys(data.target_groups)),
        booking_required=data.booking_required,
        booking_opens_at=data.booking_opens_at,
        booking_closes_at=data.booking_closes_at,
        cancel_cutoff_minutes=data.cancel_cutoff_minutes,
        status="published" if data.publish else "draft",
        cancel_reason="",
        created_by=principal.sub,
        version=1,
        created_at=now,
        updated_at=now,
        published_at=now if data.publish else None,
    )
    a.facility = facility
    repo = ActivityRepository(session)
    repo.add(a)
    await repo.flush()
    if data.publish:
        await outbox.record(
            session, "activity.published", _event_data(a, now), subject=f"activity/{a.id}", actor=principal.sub
        )
    await session.commit()
    return a


async def get_activity(session: AsyncSession, *, principal: Principal | None, activity_id: int) -> Activity:
    a = await ActivityRepository(session).get(activity_id)
    if a is None or not _may_see(principal, a):
        raise NotFound(f"No activity {activity_id}.")
    return a


async def list_activities(
    session: AsyncSession,
    *,
    principal: Principal | None,
    filters: ActivityFilter,
    cursor: str | None,
    limit: int,
    now: datetime,
) -> Found:
    after = None
    if cursor:
        starts, last_id = decode_cursor(cursor, 2)
        try:
            after = (datetime.fromisoformat(starts), int(last_id))
        except (TypeError, ValueError) as exc:
            raise RuleViolation("cursor", "The cursor is not one this API gave out.", code="invalid-cursor") from exc
        if after[0].tzinfo is None or isinstance(last_id, bool) or not isinstance(last_id, int):
            raise RuleViolation("cursor", "The cursor is not one this API gave out.", code="invalid-cursor")
        after = (to_utc(after[0]), after[1])
    rows = await ActivityRepository(session).list(
        filters, now=now, drafts=draft_scope(principal), after=after, limit=limit + 1
    )
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(last.starts_at.isoformat(), last.id)
    return Found(items=rows[:limit], next_cursor=next_cursor)


async def list_for_calendar(
    session: AsyncSession, *, principal: Principal | None, filters: ActivityFilter, limit: int, now: datetime
) -> list[Activity]:
    return list(
        await ActivityRepository(session).list(filters, now=now, drafts=draft_scope(principal), after=None, limit=limit)
    )


async def _editable(session: AsyncSession, principal: Principal, activity_id: int) -> Activity:
    repo = ActivityRepository(session)
    a = await repo.get(activity_id, for_update=True)
    if a is None or not _may_see(principal, a):
        raise NotFound(f"No activity {activity_id}.")
    check_may_manage(principal, a.facility, "change activities")
    return a


def _not_over(a: Activity, now: datetime) -> None:
    if a.status == "cancelled":
        raise RuleViolation("status", "The activity is cancelled.", code="activity-cancelled")
    if shown_status(a, now) == "finished":
        raise RuleViolation("status", "The activity is over.", code="activity-finished")


async def update_activity(
    session: AsyncSession,
    *,
    principal: Principal,
    activity_id: int,
    data: ActivityUpdate,
    if_match: IfMatch,
    now: datetime,
) -> Activity:
    a = await _editable(session, principal, activity_id)
    if_match.check(a.version)
    _not_over(a, now)
    patch = data.model_dump(exclude_unset=True)
    for field in (
        "title",
        "category",
        "starts_at",
        "ends_at",
        "capacity",
        "fee_fen",
        "target_groups",
        "booking_required",
        "cancel_cutoff_minutes",
    ):
        if field in patch and patch[field] is None:
            raise RuleViolation(field, f"{field} cannot be emptied.", code="required")
    merged = {f: patch.get(f, getattr(a, f)) for f in _EDITABLE}
    check_times(
        starts_at=merged["starts_at"],
        ends_at=merged["ends_at"],
        booking_opens_at=merged["booking_opens_at"],
        booking_closes_at=merged["booking_closes_at"],
        now=now,
        must_be_upcoming="starts_at" in patch,
    )
    if "capacity" in patch:
        check_capacity(capacity=merged["capacity"], booked=a.booked_count)
    if {"fee_fen", "service_id", "starts_at"} & patch.keys():
        await _check_fee(
            session,
            facility_id=a.facility_id,
            service_id=merged["service_id"],
            fee_fen=merged["fee_fen"],
            starts_at=merged["starts_at"],
        )
    changes: dict[str, list[Any]] = {}
    for field in _EDITABLE:
        if field not in patch:
            continue
        old = getattr(a, field)
        new = merged[field]
        if field == "target_groups":
            new = list(dict.fromkeys(new))
        if old != new:
            changes[field] = [jsonable(old), jsonable(new)]
            setattr(a, field, new)
    if not changes:
        return a
    a.version += 1
    a.updated_at = now
    repo = ActivityRepository(session)
    await repo.flush()
    announcements = []
    if "capacity" in changes and a.status == "published":
        announcements = await seats_added.send(session, SeatsAdded(activity=a, now=now))
        await repo.refresh(a)
    if a.status == "published":
        await outbox.record(
            session,
            "activity.updated",
            {"activity": _event_data(a, now), "changes": changes},
            subject=f"activity/{a.id}",
            actor=principal.sub,
        )
    for announce in announcements:
        await announce()
    await session.commit()
    return a


async def publish_activity(
    session: AsyncSession, *, principal: Principal, activity_id: int, if_match: IfMatch, now: datetime
) -> Activity:
    a = await _editable(session, principal, activity_id)
    if_match.check(a.version, required=False)
    if a.status != "draft":
        raise RuleViolation(
            "status", f"Only a draft is published; this activity is {shown_status(a, now)}.", code="not-a-draft"
        )
    if a.facility.status == "closed":
        raise RuleViolation("facility_id", f"Facility {a.facility_id} is closed.", code="facility-closed")
    check_times(
        starts_at=a.starts_at,
        ends_at=a.ends_at,
        booking_opens_at=a.booking_opens_at,
        booking_closes_at=a.booking_closes_at,
        now=now,
        must_be_upcoming=True,
    )
    await _check_fee(
        session, facility_id=a.facility_id, service_id=a.service_id, fee_fen=a.fee_fen, starts_at=a.starts_at
    )
    a.status = "published"
    a.published_at = now
    a.version += 1
    a.updated_at = now
    await ActivityRepository(session).flush()
    await outbox.record(
        session, "activity.published", _event_data(a, now), subject=f"activity/{a.id}", actor=principal.sub
    )
    await session.commit()
    return a


async def cancel_activity(
    session: AsyncSession, *, principal: Principal, activity_id: int, reason: str, if_match: IfMatch, now: datetime
) -> Activity:
    a = await _editable(session, principal, activity_id)
    if_match.check(a.version, required=False)
    _not_over(a, now)
    was = a.status
    a.status = "cancelled"
    a.cancel_reason = reason
    a.cancelled_at = now
    a.version += 1
    a.updated_at = now
    await ActivityRepository(session).flush()
    counts: dict[str, int] = {}
    if was == "published":
        for cancelled in await activity_cancelled.send(
            session, ActivityCancelled(activity=a, actor=principal.sub, now=now)
        ):
            for status, n in cancelled.items():
                counts[status] = counts.get(status, 0) + n
    await ActivityRepository(session).refresh(a)
    if was == "published":
        await outbox.record(
            session,
            "activity.cancelled",
            {
                "activity_id": a.id,
                "facility_id": a.facility_id,
                "reason": reason,
                "bookings": {"confirmed": counts.get("confirmed", 0), "waitlisted": counts.get("waitlisted", 0)},
            },
            subject=f"activity/{a.id}",
            actor=principal.sub,
        )
    await session.commit()
    return a


@fee_capped.connect
async def _cap_upcoming_fees(session: AsyncSession, event: FeeCapped) -> list[int]:
    """Activities of the service that have not started charge at most its new cap."""
    return await ActivityRepository(session).cap_upcoming_fees(event.service_id, event.cap_fen, now=event.now)
