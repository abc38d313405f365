"""Use cases of cases (案件): file one (app or Open311), read them by role, move them through the
workflow, and sweep the overdue ones to an official.

    submitted → accepted → assigned → responded → confirmed → closed
                                ↑          ↓
                                └─ reopened (by the resident, with a reason; a new deadline)

Every step is written to the case's timeline (case_step) and announced (case.status_changed) in the
same transaction as the change; writes need If-Match (several people edit a case)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.cases.access import (
    about_operator,
    can_see,
    is_author,
    is_handler,
    official_in_area,
)
from feedback_api.cases.categories import (
    ABOUT_OPERATOR,
    CATEGORIES,
    Category,
    deadline_days,
)
from feedback_api.cases.models import CaseStep, ResidentCase
from feedback_api.cases.repository import AWAITING_ANSWER, CaseFilter, CaseRepository
from feedback_api.cases.schemas import CaseCreate
from feedback_api.clients.facilities import (
    ActivityRef,
    FacilitiesClient,
    FacilitiesUnavailable,
)
from feedback_api.events import outbox
from feedback_api.exceptions import (
    TargetCheckUnavailable,
    TargetNotFound,
    TooManyRequests,
    WorkflowConflict,
)
from feedback_api.operations.repository import OperationRepository
from feedback_api.operations.service import operation_for
from feedback_api.settings import Settings
from feedback_api.targets import resolve
from feedback_api.workdays.service import calendar_for
from service_kit.auth import Principal
from service_kit.clock import Clock
from service_kit.etag import IfMatch
from service_kit.problems import Conflict, Forbidden, NotFound, RuleViolation
from service_kit.repository import Slice

MAX_REOPENS = 2


@dataclass(frozen=True, slots=True)
class CaseTimeline:
    """A case and the steps it went through, oldest first."""

    case: ResidentCase
    steps: Sequence[CaseStep]


@dataclass(frozen=True, slots=True)
class SweepOutcome:
    escalated: list[int]
    overdue: int
    swept_at: datetime


@dataclass(frozen=True, slots=True)
class CategoryTerms:
    """A category with the deadline it has under the current settings."""

    category: Category
    deadline_working_days: int


# --- reading ----------------------------------------------------------------------------------------


async def _visible(
    session: AsyncSession, case_id: int, viewer: Principal, *, for_update: bool = False
) -> ResidentCase:
    c = await CaseRepository(session).get(case_id, for_update=for_update)
    if c is None or not can_see(c, viewer):
        raise NotFound(f"No case {case_id}.")
    return c


async def get_case(
    session: AsyncSession, *, case_id: int, viewer: Principal
) -> CaseTimeline:
    c = await _visible(session, case_id, viewer)
    return CaseTimeline(c, await CaseRepository(session).steps(c.id))


async def list_cases(
    session: AsyncSession,
    *,
    viewer: Principal,
    filters: CaseFilter,
    cursor: str | None,
    limit: int,
) -> Slice[ResidentCase]:
    scope: dict[str, Any] = {}
    if viewer.role == "resident":
        scope["resident_sub"] = viewer.sub
    elif viewer.role == "operator":
        if viewer.operator_id is None:
            return Slice(items=[], next_cursor=None)
        scope["operator_id"] = viewer.operator_id
        scope["not_categories"] = ABOUT_OPERATOR
    elif viewer.is_official and viewer.subdistrict is not None:
        scope["subdistrict"] = viewer.subdistrict
    elif viewer.role not in ("official", "auditor", "service"):
        raise Forbidden(
            "Cases are read by their authors, their handlers, officials and auditors."
        )
    return await CaseRepository(session).list_visible(
        filters, cursor=cursor, limit=limit, **scope
    )


# --- filing -----------------------------------------------------------------------------------------


def check_attributes(
    category: str, attributes: dict[str, Any], *, field: str = "attributes"
) -> dict[str, Any]:
    spec = {a.code: a for a in CATEGORIES[category].attributes}
    for code, value in attributes.items():
        attr = spec.get(code)
        if attr is None:
            raise RuleViolation(
                f"{field}.{code}",
                f"{code!r} is not a field of category {category}",
                code="unknown-attribute",
            )
        if attr.datatype == "number":
            if isinstance(value, str):
                if not value.strip().isdigit():
                    raise RuleViolation(
                        f"{field}.{code}",
                        f"{code} must be a whole number",
                        code="attribute-type",
                    )
                attributes[code] = int(value.strip())
        elif attr.datatype == "singlevaluelist" and str(value) not in {
            k for k, _ in attr.values
        }:
            raise RuleViolation(
                f"{field}.{code}",
                f"{code} must be one of {', '.join(k for k, _ in attr.values)}",
                code="attribute-value",
            )
        elif attr.datatype == "datetime":
            try:
                datetime.fromisoformat(str(value))
            except ValueError:
                raise RuleViolation(
                    f"{field}.{code}",
                    f"{code} must be an ISO 8601 date and time",
                    code="attribute-type",
                ) from None
    for attr in spec.values():
        if attr.required and attr.code not in attributes:
            raise RuleViolation(
                f"{field}.{attr.code}",
                f"{attr.code} is required for category {category}",
                code="attribute-required",
            )
    return attributes


def _step(
    c: ResidentCase,
    action: str,
    to_status: str,
    *,
    actor: Principal | None,
    actor_role: str,
    note: str | None,
    at: datetime,
) -> CaseStep:
    return CaseStep(
        case_id=c.id,
        action=action,
        from_status=c.status if action != "submit" else None,
        to_status=to_status,
        actor_role=actor_role,
        actor_sub=actor.sub if actor else None,
        note=note,
        at=at,
    )


def _event_data(c: ResidentCase, **extra: Any) -> dict[str, Any]:
    """A case as announced: no contact, no resident identity, the description with personal data masked."""
    return {
        "id": c.id,
        "kind": c.kind,
        "category": c.category,
        "status": c.status,
        "facility_id": c.facility_id,
        "subdistrict": c.subdistrict,
        "operator_id": c.operator_id,
        "assignee": {"type": c.assignee_type, "operator_id": c.assignee_operator_id}
        if c.assignee_type
        else None,
        "due_at": c.due_at.isoformat() if c.due_at else None,
        "source": c.source,
        **extra,
    }


async def _transition(
    session: AsyncSession,
    c: ResidentCase,
    action: str,
    to_status: str,
    *,
    actor: Principal | None,
    actor_role: str,
    note: str | None,
    now: datetime,
) -> None:
    from_status = c.status
    session.add(
        _step(
            c, action, to_status, actor=actor, actor_role=actor_role, note=note, at=now
        )
    )
    c.status = to_status
    c.updated_at = now
    await session.flush()
    await outbox.record(
        session,
        "case.status_changed",
        _event_data(c, action=action, **{"from": from_status, "to": to_status}),
        subject=f"case/{c.id}",
        actor=actor.sub if actor else None,
        at=now,
    )


async def _route(
    session: AsyncSession,
    c: ResidentCase,
    *,
    settings: Settings,
    now: datetime,
    actor: Principal | None,
    actor_role: str,
) -> None:
    """accepted → assigned: to the operator running the facility now, else to an official."""
    name = None
    if c.facility_id is not None:
        op = await OperationRepository(session).get(c.facility_id)
        if op is not None:
            c.operator_id = op.operator_id if op.mode == "social" else None
            name = op.operator_name if c.operator_id is not None else None
    operator_id = c.operator_id
    bureau = about_operator(c)
    if bureau:
        # The accused operator does not judge its own case (c.operator_id still names it, for its figures).
        operator_id, name = None, None
    c.assignee_type = "operator" if operator_id else "official"
    c.assignee_operator_id = operator_id
    c.assignee_name = name
    calendar = await calendar_for(session, settings, now)
    c.due_at = calendar.deadline(
        c.created_at, deadline_days(c.category, settings.case_deadlines)
    )
    if bureau:
        note = "routed to the culture bureau: a complaint about the operator's own charges or staff is not the operator's to answer"
    elif operator_id:
        note = f"routed to operator {operator_id}"
    else:
        note = "routed to the culture bureau (government-run or no facility)"
    await _transition(
        session,
        c,
        "assign",
        "assigned",
        actor=actor,
        actor_role=actor_role,
        note=note,
        now=now,
    )


async def file_case(
    session: AsyncSession,
    *,
    data: CaseCreate,
    facilities: FacilitiesClient,
    settings: Settings,
    now: datetime,
    resident: Principal | None,
    open311_client_id: int | None = None,
    actor_role: str = "resident",
) -> ResidentCase:
    """Check, save, route and announce a new case (the caller commits)."""
    attributes = check_attributes(data.category, dict(data.attributes))
    target_type, target_id, facility_id = (
        data.target_type,
        data.target_id,
        data.facility_id,
    )
    if target_type is None and (
        attributes.get("activity_id") or attributes.get("facility_id")
    ):
        target_type = "activity" if attributes.get("activity_id") else "facility"
        target_id = int(attributes.get("activity_id") or attributes["facility_id"])
    if target_type is None and facility_id is not None:
        target_type, target_id = "facility", facility_id
    if target_type is not None and target_id is None:
        raise RuleViolation(
            "target_id", "a target needs its id", code="target-id-required"
        )
    facility = None
    activity = None
    if target_type is not None and target_id is not None:
        target = await resolve(
            facilities,
            target_type=target_type,
            target_id=target_id,
            facility_id=facility_id,
            now=now,
            for_rating=False,
        )
        facility = target.facility
        activity = target.activity
    approved_fee_fen, approved_fee_basis = None, None
    if data.category == "fee_overcharge":
        approved_fee_fen, approved_fee_basis = await approved_price(
            facilities,
            target_type=target_type,
            target_id=target_id,
            facility_id=facility.id if facility else facility_id,
            activity=activity,
            attributes=attributes,
        )
    operation = (
        await operation_for(session, facility, now=now)
        if facility is not None
        else None
    )
    c = ResidentCase(
        kind=CATEGORIES[data.category].kind,
        category=data.category,
        target_type=target_type,
        target_id=target_id,
        facility_id=facility.id if facility else None,
        subdistrict=(operation.subdistrict or facility.subdistrict)
        if facility and operation
        else None,
        operator_id=operation.operator_id
        if operation and operation.mode == "social"
        else None,
        title=data.title,
        description=data.description,
        photo_urls=[str(u) for u in data.photo_urls],
        attributes=attributes,
        approved_fee_fen=approved_fee_fen,
        approved_fee_basis=approved_fee_basis,
        address=data.address,
        lat=data.lat,
        lon=data.lon,
        contact_name=data.contact.name if data.contact else None,
        contact_phone=data.contact.phone if data.contact else None,
        contact_email=data.contact.email if data.contact else None,
        resident_sub=resident.sub if resident else None,
        source="open311" if open311_client_id else "app",
        open311_client_id=open311_client_id,
        token=str(uuid.uuid4()),
        status="submitted",
        reopen_count=0,
        created_at=now,
        updated_at=now,
    )
    repo = CaseRepository(session)
    repo.add(c)
    await repo.flush()
    session.add(
        _step(
            c,
            "submit",
            "submitted",
            actor=resident,
            actor_role=actor_role,
            note=None,
            at=now,
        )
    )
    await outbox.record(
        session,
        "case.submitted",
        _event_data(c),
        subject=f"case/{c.id}",
        actor=resident.sub if resident else None,
        at=now,
    )
    if settings.cases_auto_accept:
        await _transition(
            session,
            c,
            "accept",
            "accepted",
            actor=None,
            actor_role="system",
            note="accepted automatically",
            now=now,
        )
        await _route(
            session, c, settings=settings, now=now, actor=None, actor_role="system"
        )
    await repo.flush()
    return c


async def approved_price(
    facilities: FacilitiesClient,
    *,
    target_type: str | None,
    target_id: int | None,
    facility_id: int | None,
    activity: ActivityRef | None,
    attributes: dict[str, Any],
) -> tuple[int | None, str | None]:
    """The price approved for what an overcharge complaint is about, and what it was read from: the
    service's record in facilities-api (a basic service is free; a non-basic one may charge its approved
    fee in force, else nothing), named as the target, as `service_id` or through the activity; else the
    activity's published fee. (None, None) when the complaint names neither."""
    service_id = target_id if target_type == "service" else attributes.get("service_id")
    try:
        if activity is None and attributes.get("activity_id") is not None:
            activity = await facilities.get_activity(int(attributes["activity_id"]))
            if activity is None:
                raise TargetNotFound(
                    "activity",
                    int(attributes["activity_id"]),
                    field="attributes.activity_id",
                )
        if (
            service_id is None
            and activity is not None
            and activity.service_id is not None
        ):
            service_id, facility_id = activity.service_id, activity.facility_id
        if service_id is not None:
            if facility_id is None:
                raise RuleViolation(
                    "facility_id",
                    "name the facility whose service charged too much",
                    code="facility-required",
                )
            price = await facilities.get_service_price(facility_id, int(service_id))
            if price is None:
                raise TargetNotFound(
                    "service",
                    int(service_id),
                    field="attributes.service_id"
                    if target_type != "service"
                    else "target_id",
                )
            if price.basic:
                basis = f"service {price.id} ({price.name_zh}): a basic service, free"
            elif price.approved_fee_fen is not None:
                basis = f"service {price.id} ({price.name_zh}): the fee approved by application {price.application_id}"
            else:
                basis = f"service {price.id} ({price.name_zh}): no approved fee in force, free"
            return price.approved_price_fen, basis
    except FacilitiesUnavailable as exc:
        raise TargetCheckUnavailable("facilities-api") from exc
    if activity is not None:
        return (
            activity.fee_fen,
            f"activity {activity.id} ({activity.title}): its published fee",
        )
    return None, None


async def create_case(
    session: AsyncSession,
    *,
    principal: Principal,
    data: CaseCreate,
    facilities: FacilitiesClient,
    settings: Settings,
    clock: Clock,
) -> CaseTimeline:
    now = clock.now()
    since = now - timedelta(days=1)
    if (
        await CaseRepository(session).count_by_resident_since(principal.sub, since)
        >= settings.cases_per_day
    ):
        raise TooManyRequests(
            f"At most {settings.cases_per_day} cases a day; nothing was saved.",
            retry_after_s=3600,
        )
    c = await file_case(
        session,
        data=data,
        facilities=facilities,
        settings=settings,
        now=now,
        resident=principal,
    )
    timeline = CaseTimeline(c, await CaseRepository(session).steps(c.id))
    await session.commit()
    return timeline


# --- the workflow -----------------------------------------------------------------------------------


async def _for_step(
    session: AsyncSession, if_match: IfMatch, case_id: int, principal: Principal
) -> ResidentCase:
    c = await _visible(session, case_id, principal, for_update=True)
    if_match.check(c.version)
    return c


def _require(c: ResidentCase, allowed: tuple[str, ...], to_status: str) -> None:
    if c.status not in allowed:
        detail = None
        if to_status == "closed" and c.status in AWAITING_ANSWER:
            detail = f"Case {c.id} is {c.status}: an unanswered case cannot be closed; it must be responded to first."
        raise WorkflowConflict(
            "case", from_status=c.status, to_status=to_status, detail=detail
        )


async def _finish(session: AsyncSession, c: ResidentCase) -> CaseTimeline:
    await session.flush()
    timeline = CaseTimeline(c, await CaseRepository(session).steps(c.id))
    await session.commit()
    return timeline


def _role(principal: Principal) -> str:
    return principal.role


async def accept(
    session: AsyncSession,
    *,
    if_match: IfMatch,
    case_id: int,
    principal: Principal,
    note: str | None,
    settings: Settings,
    clock: Clock,
) -> CaseTimeline:
    c = await _for_step(session, if_match, case_id, principal)
    if not principal.is_official:
        raise Forbidden("Officials accept cases.")
    _require(c, ("submitted",), "accepted")
    now = clock.now()
    await _transition(
        session,
        c,
        "accept",
        "accepted",
        actor=principal,
        actor_role="official",
        note=note,
        now=now,
    )
    await _route(
        session, c, settings=settings, now=now, actor=principal, actor_role="official"
    )
    return await _finish(session, c)


async def assign(
    session: AsyncSession,
    *,
    if_match: IfMatch,
    case_id: int,
    principal: Principal,
    assignee: str,
    operator_id: int | None,
    note: str | None,
    settings: Settings,
    clock: Clock,
) -> CaseTimeline:
    c = await _for_step(session, if_match, case_id, principal)
    if not principal.is_official:
        raise Forbidden("Officials assign cases.")
    if c.assignee_type == "district" and not principal.is_district_official:
        raise Forbidden(
            f"Case {c.id} was escalated to the district; the district's officials assign it."
        )
    _require(c, ("accepted", "assigned", "reopened"), "assigned")
    if assignee == "operator" and operator_id is None:
        raise RuleViolation(
            "operator_id",
            "name the operator to assign the case to",
            code="operator-required",
        )
    if assignee == "operator" and about_operator(c):
        raise RuleViolation(
            "assignee",
            "a complaint about an operator's own charges or staff is the bureau's: it is not given to an operator",
            code="bureau-case",
        )
    now = clock.now()
    c.assignee_type = assignee
    c.assignee_operator_id = operator_id if assignee == "operator" else None
    c.assignee_name = (
        await OperationRepository(session).operator_name(operator_id)
        if assignee == "operator"
        else None
    )
    if c.due_at is None:
        calendar = await calendar_for(session, settings, now)
        c.due_at = calendar.deadline(
            now, deadline_days(c.category, settings.case_deadlines)
        )
    to_status = "reopened" if c.status == "reopened" else "assigned"
    await _transition(
        session,
        c,
        "assign",
        to_status,
        actor=principal,
        actor_role="official",
        note=note
        or (
            f"assigned to operator {operator_id}"
            if operator_id
            else "assigned to an official"
        ),
        now=now,
    )
    return await _finish(session, c)


async def respond(
    session: AsyncSession,
    *,
    if_match: IfMatch,
    case_id: int,
    principal: Principal,
    text: str,
    clock: Clock,
) -> CaseTimeline:
    c = await _for_step(session, if_match, case_id, principal)
    if not is_handler(c, principal):
        raise Forbidden(
            "Only the case's handler (its assigned operator or an official of the area) answers it."
        )
    _require(c, ("assigned", "reopened"), "responded")
    now = clock.now()
    if c.first_responded_at is None:
        c.first_responded_at = now
        # Measured against the first deadline: an escalated case was late whatever happens next.
        c.responded_on_time = c.escalated_at is None and (
            c.due_at is None or now <= c.due_at
        )
    c.response_text = text
    await _transition(
        session,
        c,
        "respond",
        "responded",
        actor=principal,
        actor_role=_role(principal),
        note=text,
        now=now,
    )
    return await _finish(session, c)


async def confirm(
    session: AsyncSession,
    *,
    if_match: IfMatch,
    case_id: int,
    principal: Principal,
    answer_rating: int | None,
    note: str | None,
    clock: Clock,
) -> CaseTimeline:
    c = await _for_step(session, if_match, case_id, principal)
    if not is_author(c, principal):
        raise Forbidden("Only the resident who filed the case confirms the answer.")
    _require(c, ("responded",), "confirmed")
    now = clock.now()
    if answer_rating is not None:
        c.answer_rating = answer_rating
    await _transition(
        session,
        c,
        "confirm",
        "confirmed",
        actor=principal,
        actor_role="resident",
        note=note,
        now=now,
    )
    return await _finish(session, c)


async def reopen(
    session: AsyncSession,
    *,
    if_match: IfMatch,
    case_id: int,
    principal: Principal,
    reason: str,
    settings: Settings,
    clock: Clock,
) -> CaseTimeline:
    c = await _for_step(session, if_match, case_id, principal)
    if not is_author(c, principal):
        raise Forbidden("Only the resident who filed the case reopens it.")
    _require(c, ("responded",), "reopened")
    if c.reopen_count >= MAX_REOPENS:
        raise WorkflowConflict(
            "case",
            from_status=c.status,
            to_status="reopened",
            detail=f"Case {c.id} was reopened {c.reopen_count} times already; an official will follow up.",
        )
    now = clock.now()
    c.reopen_count += 1
    calendar = await calendar_for(session, settings, now)
    c.due_at = calendar.deadline(
        now, deadline_days(c.category, settings.case_deadlines)
    )
    await _transition(
        session,
        c,
        "reopen",
        "reopened",
        actor=principal,
        actor_role="resident",
        note=reason,
        now=now,
    )
    return await _finish(session, c)


async def close(
    session: AsyncSession,
    *,
    if_match: IfMatch,
    case_id: int,
    principal: Principal,
    note: str | None,
    clock: Clock,
) -> CaseTimeline:
    c = await _for_step(session, if_match, case_id, principal)
    if not (principal.is_official and official_in_area(c, principal)) and not is_author(
        c, principal
    ):
        raise Forbidden(
            "Officials of the area, or the resident who filed it, close a case."
        )
    _require(c, ("responded", "confirmed"), "closed")
    now = clock.now()
    c.closed_at = now
    await _transition(
        session,
        c,
        "close",
        "closed",
        actor=principal,
        actor_role=_role(principal),
        note=note,
        now=now,
    )
    return await _finish(session, c)


async def rate_answer(
    session: AsyncSession,
    *,
    if_match: IfMatch,
    case_id: int,
    principal: Principal,
    answer_rating: int,
    clock: Clock,
) -> CaseTimeline:
    c = await _for_step(session, if_match, case_id, principal)
    if not is_author(c, principal):
        raise Forbidden("Only the resident who filed the case rates its answer.")
    _require(c, ("responded", "confirmed", "closed"), c.status)
    if c.answer_rating is not None:
        raise Conflict(
            f"The answer to case {c.id} is rated already.", slug="answer-rated"
        )
    now = clock.now()
    c.answer_rating = answer_rating
    c.updated_at = now
    session.add(
        _step(
            c,
            "rate_answer",
            c.status,
            actor=principal,
            actor_role="resident",
            note=f"{answer_rating}/5",
            at=now,
        )
    )
    await session.flush()
    await outbox.record(
        session,
        "case.answer_rated",
        {
            "id": c.id,
            "answer_rating": answer_rating,
            "operator_id": c.operator_id,
            "facility_id": c.facility_id,
        },
        subject=f"case/{c.id}",
        actor=principal.sub,
        at=now,
    )
    return await _finish(session, c)


# --- the overdue sweep ------------------------------------------------------------------------------


async def sweep(
    session: AsyncSession, *, settings: Settings, now: datetime
) -> dict[str, Any]:
    """sweep_overdue() as a mapping, for the background loop (which reads `result["escalated"]`)."""
    return dataclasses.asdict(await sweep_overdue(session, settings=settings, now=now))


async def sweep_overdue(
    session: AsyncSession,
    *,
    settings: Settings,
    now: datetime,
    actor: Principal | None = None,
) -> SweepOutcome:
    """Escalate every case not answered by its deadline: an operator's to the officials of its area; a
    complaint about an operator, which the subdistrict's officials had, to the district."""
    repo = CaseRepository(session)
    escalated = []
    calendar = await calendar_for(session, settings, now)
    for c in await repo.overdue_to_escalate(now, bureau_categories=ABOUT_OPERATOR):
        missed = c.due_at
        if missed is None:  # overdue_to_escalate() reads only cases with a deadline
            continue
        operator_id = c.assignee_operator_id
        if c.assignee_type == "operator":
            c.assignee_type = "official"
            note = f"operator {operator_id} missed the deadline {missed.isoformat()}; escalated to the culture bureau"
        else:
            c.assignee_type = "district"
            note = f"the officials of {c.subdistrict} missed the deadline {missed.isoformat()}; escalated to the district"
        c.assignee_operator_id = None
        c.assignee_name = None
        c.escalated_at = now
        c.due_at = calendar.deadline(now, settings.escalation_working_days)
        c.updated_at = now
        session.add(
            _step(
                c,
                "escalate",
                c.status,
                actor=actor,
                actor_role=actor.role if actor else "system",
                note=note,
                at=now,
            )
        )
        await session.flush()
        await outbox.record(
            session,
            "case.escalated",
            _event_data(
                c, missed_due_at=missed.isoformat(), from_operator_id=operator_id
            ),
            subject=f"case/{c.id}",
            actor=actor.sub if actor else None,
            at=now,
        )
        escalated.append(c.id)
    overdue = await repo.count_overdue(now)
    await session.commit()
    return SweepOutcome(escalated=escalated, overdue=overdue, swept_at=now)


def categories(settings: Settings) -> list[CategoryTerms]:
    return [
        CategoryTerms(c, deadline_days(c.code, settings.case_deadlines))
        for c in CATEGORIES.values()
    ]
