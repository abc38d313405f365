"""订单式需求: residents (or communities, through officials) ask for services; officials answer them;
the dashboard's "够不够" (is there enough) reads the aggregations by community, category and period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.clients.facilities import FacilitiesClient, FacilitiesUnavailable
from feedback_api.demand.models import DemandRequest, DemandStep
from feedback_api.demand.repository import DemandRepository
from feedback_api.demand.schemas import DemandAnswer, DemandCreate
from feedback_api.events import outbox
from feedback_api.exceptions import (
    TargetCheckUnavailable,
    TargetNotFound,
    TooManyRequests,
    WorkflowConflict,
)
from feedback_api.operations.repository import OperationRepository
from feedback_api.periods import quarter_of
from feedback_api.settings import Settings
from feedback_api.types import parse_moment
from service_kit.auth import Principal
from service_kit.clock import Clock, utcnow
from service_kit.etag import IfMatch
from service_kit.problems import Forbidden, NotFound, RuleViolation
from service_kit.repository import Slice

NEXT = {
    "submitted": ("planned", "declined", "delivered"),
    "planned": ("declined", "delivered"),
}


@dataclass(frozen=True, slots=True)
class DemandFigure:
    """Requests by status, and menu votes, for one community, category, subdistrict or period."""

    key: str | None
    requests: int
    submitted: int
    planned: int
    declined: int
    delivered: int
    menu_votes: int


@dataclass(frozen=True, slots=True)
class DemandFigures:
    group_by: str
    period: str | None
    rows: list[DemandFigure]


@dataclass(frozen=True, slots=True)
class DemandHistory:
    """A demand request and the steps it went through, oldest first."""

    demand: DemandRequest
    steps: Sequence[DemandStep]


def _step(
    d: DemandRequest,
    action: str,
    from_status: str | None,
    *,
    actor: Principal | None,
    note: str | None,
    at: datetime,
    activity_id: int | None = None,
) -> DemandStep:
    return DemandStep(
        demand_id=d.id,
        action=action,
        from_status=from_status,
        to_status=d.status,
        actor_role=actor.role if actor else "system",
        actor_sub=actor.sub if actor else None,
        activity_id=activity_id,
        note=note,
        at=at,
    )


def _official_in_area(d: DemandRequest, viewer: Principal) -> bool:
    return viewer.is_official and (
        viewer.subdistrict is None or viewer.subdistrict == d.subdistrict
    )


async def _can_see(session: AsyncSession, d: DemandRequest, viewer: Principal) -> bool:
    if viewer.role in ("auditor", "service") or _official_in_area(d, viewer):
        return True
    if viewer.role == "operator":
        # The operator running the request's facility now (the local map) reads it, masked.
        if viewer.operator_id is None or d.facility_id is None:
            return False
        return d.facility_id in set(
            await OperationRepository(session).facility_ids_of_operator(
                viewer.operator_id
            )
        )
    return (
        viewer.role == "resident"
        and d.resident_sub is not None
        and viewer.sub == d.resident_sub
    )


async def create(
    session: AsyncSession,
    *,
    principal: Principal,
    data: DemandCreate,
    facilities: FacilitiesClient,
    settings: Settings,
    clock: Clock,
) -> DemandRequest:
    if principal.role not in ("resident", "official"):
        raise Forbidden(
            "Residents ask for services; officials file a community's request."
        )
    if data.on_behalf_of_community and (
        not principal.is_official or not data.community
    ):
        raise RuleViolation(
            "on_behalf_of_community",
            "only officials file a community's request, naming the community",
            code="community-request",
        )
    if principal.is_official and not data.on_behalf_of_community:
        raise RuleViolation(
            "on_behalf_of_community",
            "officials file requests on behalf of a community",
            code="community-request",
        )
    now = clock.now()
    repo = DemandRepository(session)
    if (
        principal.role == "resident"
        and await repo.count_by_resident_since(principal.sub, now - timedelta(days=1))
        >= settings.demands_per_day
    ):
        raise TooManyRequests(
            f"At most {settings.demands_per_day} requests a day; nothing was saved.",
            retry_after_s=3600,
        )
    subdistrict = data.subdistrict
    if data.community and subdistrict is None:
        subdistrict = (
            data.community.rsplit("-", 1)[0] if "-" in data.community else None
        )
    if data.facility_id is not None:
        try:
            facility = await facilities.get_facility(data.facility_id)
        except FacilitiesUnavailable as exc:
            raise TargetCheckUnavailable() from exc
        if facility is None:
            raise TargetNotFound("facility", data.facility_id, field="facility_id")
        # The request is handled by the officials of the facility's subdistrict: it cannot be sent to
        # another subdistrict's officials by naming one.
        if data.subdistrict is not None and data.subdistrict != facility.subdistrict:
            raise RuleViolation(
                "subdistrict",
                f"facility {facility.id} is in {facility.subdistrict}, not {data.subdistrict}",
                code="outside-area",
            )
        subdistrict = facility.subdistrict
    if (
        principal.is_official
        and principal.subdistrict is not None
        and subdistrict != principal.subdistrict
    ):
        raise Forbidden(
            f"An official of {principal.subdistrict} files the requests of that subdistrict's communities only."
        )
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
    session.add(_step(d, "submit", None, actor=principal, note=None, at=now))
    await outbox.record(
        session,
        "demand.submitted",
        {
            "id": d.id,
            "requester": d.requester,
            "category": d.category,
            "subdistrict": d.subdistrict,
            "community": d.community,
            "facility_id": d.facility_id,
            "period": d.period,
        },
        subject=f"demand/{d.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return d


async def get(
    session: AsyncSession, *, demand_id: int, viewer: Principal
) -> DemandHistory:
    repo = DemandRepository(session)
    d = await repo.get(demand_id)
    if d is None or not await _can_see(session, d, viewer):
        raise NotFound(f"No demand request {demand_id}.")
    return DemandHistory(d, await repo.steps(d.id))


async def list_demands(
    session: AsyncSession,
    *,
    viewer: Principal,
    status: str | None,
    category: str | None,
    cursor: str | None,
    limit: int,
) -> Slice[DemandRequest]:
    scope: dict[str, Any] = {
        "resident_sub": None,
        "subdistrict": None,
        "facility_ids": None,
    }
    if viewer.role == "resident":
        scope["resident_sub"] = viewer.sub
    elif viewer.is_official:
        scope["subdistrict"] = viewer.subdistrict
    elif viewer.role == "operator":
        # The requests for the facilities the operator runs now (personal data masked).
        if viewer.operator_id is None:
            return Slice(items=[], next_cursor=None)
        scope["facility_ids"] = list(
            await OperationRepository(session).facility_ids_of_operator(
                viewer.operator_id
            )
        )
    elif viewer.role not in ("auditor", "service"):
        raise Forbidden(
            "Demand requests are read by their authors, officials, auditors and the operators of their facilities."
        )
    return await DemandRepository(session).list(
        status=status, category=category, cursor=cursor, limit=limit, **scope
    )


async def answer(
    session: AsyncSession,
    *,
    if_match: IfMatch,
    principal: Principal,
    demand_id: int,
    data: DemandAnswer,
    facilities: FacilitiesClient,
    clock: Clock,
) -> DemandRequest:
    repo = DemandRepository(session)
    d = await repo.get(demand_id, for_update=True)
    if d is None or not await _can_see(session, d, principal):
        raise NotFound(f"No demand request {demand_id}.")
    if not _official_in_area(d, principal):
        raise Forbidden("Officials of the request's area answer it.")
    if_match.check(d.version)
    if data.status not in NEXT.get(d.status, ()):
        raise WorkflowConflict(
            "demand request", from_status=d.status, to_status=data.status
        )
    if data.status == "declined" and not data.note:
        raise RuleViolation(
            "note", "a declined request needs the reason", code="reason-required"
        )
    if data.status == "delivered":
        if data.activity_id is None:
            raise RuleViolation(
                "activity_id",
                "a delivered request names the activity that met it",
                code="activity-required",
            )
        try:
            # As it stands now, not as remembered: an activity cancelled a moment ago delivers nothing.
            activity = await facilities.get_activity_now(data.activity_id)
        except FacilitiesUnavailable as exc:
            raise TargetCheckUnavailable() from exc
        if activity is None:
            raise TargetNotFound("activity", data.activity_id, field="activity_id")
        if not activity.held_by(clock.now()):
            why = (
                "was cancelled"
                if activity.status == "cancelled"
                else "has not been held yet"
                if activity.status != "draft"
                else "is a draft"
            )
            raise RuleViolation(
                "activity_id",
                f"activity {activity.id} {why}: a request is delivered by an activity that took place",
                code="activity-not-held",
            )
    now = clock.now()
    old = d.status
    d.status = data.status
    d.answer_note = data.note
    d.activity_id = data.activity_id if data.status == "delivered" else d.activity_id
    d.answered_by, d.answered_at = principal.sub, now
    await repo.flush()
    session.add(
        _step(
            d,
            "answer",
            old,
            actor=principal,
            note=data.note,
            at=now,
            activity_id=d.activity_id if d.status == "delivered" else None,
        )
    )
    await outbox.record(
        session,
        "demand.answered",
        {
            "id": d.id,
            "from": old,
            "to": d.status,
            "note": d.answer_note,
            "activity_id": d.activity_id,
            "category": d.category,
            "subdistrict": d.subdistrict,
            "community": d.community,
        },
        subject=f"demand/{d.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return d


async def on_activity_cancelled(session: AsyncSession, event: dict[str, Any]) -> None:
    """facilities-api cancelled an activity: the requests it delivered are open again (planned: the bureau
    had meant to meet them), with the reason in their history, and announced. Idempotent: a request no
    longer delivered by that activity is left as it is."""
    data = event["data"]
    activity_id = int(data["activity_id"])
    reason = str(data.get("reason") or "").strip()
    at = _event_time(event)
    repo = DemandRepository(session)
    for d in await repo.delivered_by(activity_id):
        d.status = "planned"
        d.activity_id = None
        note = f"activity {activity_id} that delivered it was cancelled" + (
            f": {reason}" if reason else ""
        )
        d.answer_note = note
        d.answered_by, d.answered_at = None, at
        await repo.flush()
        session.add(
            _step(
                d,
                "reopen",
                "delivered",
                actor=None,
                note=note,
                at=at,
                activity_id=activity_id,
            )
        )
        await outbox.record(
            session,
            "demand.reopened",
            {
                "id": d.id,
                "from": "delivered",
                "to": d.status,
                "activity_id": activity_id,
                "reason": reason,
                "category": d.category,
                "subdistrict": d.subdistrict,
                "community": d.community,
            },
            subject=f"demand/{d.id}",
            actor=None,
            at=at,
        )
    await repo.flush()


def _event_time(event: dict[str, Any]) -> datetime:
    try:
        return parse_moment(str(event["time"]))
    except (KeyError, ValueError):
        return utcnow()


async def stats(
    session: AsyncSession, *, group_by: str, period: str | None
) -> DemandFigures:
    repo = DemandRepository(session)
    requests = await repo.stats(group_by=group_by, period=period)
    votes = await repo.vote_stats(group_by=group_by, period=period)
    keys = sorted(set(requests) | set(votes), key=lambda k: (k is None, k or ""))
    empty = dict.fromkeys(
        ("requests", "submitted", "planned", "declined", "delivered"), 0
    )
    rows = [
        DemandFigure(key=k, **requests.get(k, empty), menu_votes=votes.get(k, 0))
        for k in keys
    ]
    return DemandFigures(group_by=group_by, period=period, rows=rows)
