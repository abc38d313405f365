"""订单式需求: residents (or communities, through officials) ask for services; officials answer them;
the dashboard's "够不够" (is there enough) reads the aggregations by community, category and period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.clients.facilities import FacilitiesClient, FacilitiesUnavailable
from feedback_api.demand.models import DemandRequest
from feedback_api.demand.repository import DemandRepository
from feedback_api.demand.schemas import DemandAnswer, DemandCreate
from feedback_api.events import outbox
from feedback_api.exceptions import (
    TargetCheckUnavailable,
    TargetNotFound,
    TooManyRequests,
    WorkflowConflict,
)
from feedback_api.pagination import id_cursor
from feedback_api.periods import quarter_of
from feedback_api.settings import Settings
from service_kit.auth import Principal
from service_kit.clock import Clock, as_aware
from service_kit.etag import check_if_match
from service_kit.pagination import encode_cursor
from service_kit.problems import Forbidden, NotFound, RuleViolation

NEXT = {"submitted": ("planned", "declined", "delivered"), "planned": ("declined", "delivered")}


def demand_read(d: DemandRequest, *, viewer: Principal | None) -> dict[str, Any]:
    return {
        "id": d.id,
        "requester": d.requester,
        "category": d.category,
        "title": d.title,
        "description": d.description,
        "subdistrict": d.subdistrict,
        "community": d.community,
        "facility_id": d.facility_id,
        "place": d.place,
        "preferred_from": d.preferred_from,
        "preferred_to": d.preferred_to,
        "period": d.period,
        "status": d.status,
        "answer_note": d.answer_note,
        "activity_id": d.activity_id,
        "answered_at": as_aware(d.answered_at),
        "mine": viewer is not None and d.resident_sub is not None and viewer.sub == d.resident_sub,
        "version": d.version,
        "created_at": as_aware(d.created_at),
    }


def _can_see(d: DemandRequest, viewer: Principal) -> bool:
    if viewer.role in ("auditor", "service") or (viewer.is_official and (viewer.subdistrict is None or viewer.subdistrict == d.subdistrict)):
        return True
    return d.resident_sub is not None and viewer.sub == d.resident_sub


async def create(
    session: AsyncSession, *, principal: Principal, data: DemandCreate, facilities: FacilitiesClient, settings: Settings, clock: Clock
) -> dict[str, Any]:
    if principal.role not in ("resident", "official"):
        raise Forbidden("Residents ask for services; officials file a community's request.")
    if data.on_behalf_of_community and (not principal.is_official or not data.community):
        raise RuleViolation("on_behalf_of_community", "only officials file a community's request, naming the community", code="community-request")
    if principal.is_official and not data.on_behalf_of_community:
        raise RuleViolation("on_behalf_of_community", "officials file requests on behalf of a community", code="community-request")
    now = clock.now()
    repo = DemandRepository(session)
    if principal.role == "resident" and await repo.count_by_resident_since(principal.sub, now - timedelta(days=1)) >= settings.demands_per_day:
        raise TooManyRequests(f"At most {settings.demands_per_day} requests a day; nothing was saved.", retry_after_s=3600)
    subdistrict = data.subdistrict
    if data.facility_id is not None:
        try:
            facility = await facilities.get_facility(data.facility_id)
        except FacilitiesUnavailable as exc:
            raise TargetCheckUnavailable() from exc
        if facility is None:
            raise TargetNotFound("facility", data.facility_id, field="facility_id")
        subdistrict = subdistrict or facility.subdistrict
    if data.community and subdistrict is None:
        subdistrict = data.community.rsplit("-", 1)[0] if "-" in data.community else None
    d = DemandRequest(
        requester="community" if data.on_behalf_of_community else "resident",
        resident_sub=principal.sub if principal.role == "resident" else None,
        category=data.category,
        title=data.title,
        description=data.description,
        subdistrict=subdistrict,
        community=data.community,
        facility_id=data.facility_id,
        place=data.place,
        preferred_from=data.preferred_from,
        preferred_to=data.preferred_to,
        period=quarter_of(now),
        status="submitted",
        created_at=now,
    )
    repo.add(d)
    await repo.flush()
    read = demand_read(d, viewer=principal)
    await outbox.record(
        session, "demand.submitted",
        {"id": d.id, "requester": d.requester, "category": d.category, "subdistrict": d.subdistrict, "community": d.community,
         "facility_id": d.facility_id, "period": d.period},
        subject=f"demand/{d.id}", actor=principal.sub, at=now,
    )
    await session.commit()
    return read


async def get(session: AsyncSession, *, demand_id: int, viewer: Principal) -> dict[str, Any]:
    d = await DemandRepository(session).get(demand_id)
    if d is None or not _can_see(d, viewer):
        raise NotFound(f"No demand request {demand_id}.")
    return demand_read(d, viewer=viewer)


async def list_demands(
    session: AsyncSession, *, viewer: Principal, status: str | None, category: str | None, cursor: str | None, limit: int
) -> dict[str, Any]:
    scope: dict[str, Any] = {"resident_sub": None, "subdistrict": None}
    if viewer.role == "resident":
        scope["resident_sub"] = viewer.sub
    elif viewer.is_official:
        scope["subdistrict"] = viewer.subdistrict
    elif viewer.role not in ("auditor", "service"):
        raise Forbidden("Demand requests are read by their authors, officials and auditors; the statistics are public.")
    rows = list(
        await DemandRepository(session).list(
            status=status, category=category, before_id=id_cursor(cursor), limit=limit + 1, **scope
        )
    )
    return {
        "items": [demand_read(d, viewer=viewer) for d in rows[:limit]],
        "next_cursor": encode_cursor(rows[limit - 1].id) if len(rows) > limit else None,
    }


async def answer(
    session: AsyncSession, request: Request, *, principal: Principal, demand_id: int, data: DemandAnswer,
    facilities: FacilitiesClient, clock: Clock,
) -> dict[str, Any]:
    repo = DemandRepository(session)
    d = await repo.get(demand_id, for_update=True)
    if d is None or not _can_see(d, principal):
        raise NotFound(f"No demand request {demand_id}.")
    if not principal.is_official:
        raise Forbidden("Officials answer demand requests.")
    check_if_match(request, d.version)
    if data.status not in NEXT.get(d.status, ()):
        raise WorkflowConflict("demand request", from_status=d.status, to_status=data.status)
    if data.status == "declined" and not data.note:
        raise RuleViolation("note", "a declined request needs the reason", code="reason-required")
    if data.status == "delivered":
        if data.activity_id is None:
            raise RuleViolation("activity_id", "a delivered request names the activity that met it", code="activity-required")
        try:
            activity = await facilities.get_activity(data.activity_id)
        except FacilitiesUnavailable as exc:
            raise TargetCheckUnavailable() from exc
        if activity is None:
            raise TargetNotFound("activity", data.activity_id, field="activity_id")
    now = clock.now()
    old = d.status
    d.status = data.status
    d.answer_note = data.note
    d.activity_id = data.activity_id if data.status == "delivered" else d.activity_id
    d.answered_by, d.answered_at = principal.sub, now
    await repo.flush()
    read = demand_read(d, viewer=principal)
    await outbox.record(
        session, "demand.answered",
        {"id": d.id, "from": old, "to": d.status, "note": d.answer_note, "activity_id": d.activity_id, "category": d.category,
         "subdistrict": d.subdistrict, "community": d.community},
        subject=f"demand/{d.id}", actor=principal.sub, at=now,
    )
    await session.commit()
    return read


async def stats(session: AsyncSession, *, group_by: str, period: str | None) -> dict[str, Any]:
    repo = DemandRepository(session)
    requests = await repo.stats(group_by=group_by, period=period)
    votes = await repo.vote_stats(group_by=group_by, period=period)
    keys = sorted(set(requests) | set(votes), key=lambda k: (k is None, k or ""))
    empty = dict.fromkeys(("requests", "submitted", "planned", "declined", "delivered"), 0)
    rows = [{"key": k, **requests.get(k, empty), "menu_votes": votes.get(k, 0)} for k in keys]
    return {"group_by": group_by, "period": period, "rows": rows}
