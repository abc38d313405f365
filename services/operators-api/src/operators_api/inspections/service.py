"""Use cases of inspections and rectifications (督查 / 整改): an official records an inspection against
the checklist, findings may order rectifications with deadlines; the operator responds; the official
accepts or reopens; overdue ones are flagged (and a late one costs credit when accepted)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from operators_api import access
from operators_api.audit import service as audit
from operators_api.contracts.models import Contract
from operators_api.contracts.repository import ContractRepository
from operators_api.contracts.rules import RUNNING
from operators_api.credit.service import add_entry
from operators_api.events import outbox
from operators_api.inspections import rules
from operators_api.inspections.models import Inspection, Rectification
from operators_api.inspections.repository import (
    InspectionFilter,
    InspectionRepository,
    RectificationFilter,
    RectificationRepository,
)
from operators_api.inspections.rules import CHECKLIST, LATE_POINTS, TRANSITIONS, CheckItem
from operators_api.inspections.schemas import InspectionCreate, RectificationResponse, RectificationReview
from operators_api.reads import Listing, oldest_first
from operators_api.shared import round2, state_conflict, to_centi, transition_conflict
from service_kit.auth import Principal
from service_kit.clock import Clock
from service_kit.pagination import decode_id_cursor
from service_kit.problems import Forbidden, RuleViolation


def checklist() -> list[CheckItem]:
    return rules.checklist()


@dataclass(frozen=True, slots=True)
class InspectionWithOrders:
    """An inspection and the ids of the rectifications it ordered."""

    inspection: Inspection
    rectification_ids: Sequence[int]


async def order_rectification(
    session: AsyncSession,
    *,
    principal: Principal,
    at: datetime,
    contract: Contract,
    facility_id: int | None,
    source: str,
    finding: str,
    required_action: str,
    deadline_on: date,
    inspection_id: int | None = None,
    evaluation_id: int | None = None,
) -> Rectification:
    """Order a rectification in the caller's transaction (audit entry and event included)."""
    repo = RectificationRepository(session)
    r = Rectification(
        contract_id=contract.id,
        operator_id=contract.operator_id,
        facility_id=facility_id,
        source=source,
        inspection_id=inspection_id,
        evaluation_id=evaluation_id,
        finding=finding,
        required_action=required_action,
        deadline_on=deadline_on,
        status="open",
        response_documents=[],
        responded_late=False,
        ordered_by=principal.sub,
        ordered_at=at,
        version=1,
    )
    repo.add(r)
    await repo.flush()
    audit.record(
        session,
        principal=principal,
        at=at,
        entity_type="rectification",
        entity_id=r.id,
        action="ordered",
        to_state="open",
        reason=finding,
        details={
            "source": source,
            "inspection_id": inspection_id,
            "evaluation_id": evaluation_id,
            "deadline_on": deadline_on,
        },
    )
    await outbox.record(
        session,
        "rectification.ordered",
        {
            "rectification_id": r.id,
            "contract_id": contract.id,
            "operator_id": contract.operator_id,
            "facility_id": facility_id,
            "source": source,
            "finding": finding,
            "deadline_on": deadline_on.isoformat(),
        },
        subject=f"rectification/{r.id}",
        actor=principal.sub,
        at=at,
    )
    return r


async def record_inspection(
    session: AsyncSession, *, principal: Principal, clock: Clock, data: InspectionCreate
) -> InspectionWithOrders:
    contracts = ContractRepository(session)
    contract = await contracts.get_for_update(data.contract_id)
    if contract is None:
        raise RuleViolation("contract_id", f"No contract {data.contract_id}.", code="unknown-contract")
    access.require_manage(principal, contract.purchaser_subdistrict, "contract")
    if contract.status not in RUNNING:
        raise state_conflict(
            f"Contract {contract.id} is {contract.status}; inspections are of running contracts.",
            "contract-not-running",
            "contract_id",
        )
    under_contract: set[int] = set(await contracts.facility_ids(contract.id))
    if data.facility_id not in under_contract:
        raise RuleViolation(
            "facility_id",
            f"Facility {data.facility_id} is not under contract {contract.id}.",
            code="facility-not-in-contract",
        )
    today = clock.local_now().date()
    if data.inspected_on > today:
        raise RuleViolation("inspected_on", "An inspection is recorded once it has taken place.", code="date-in-future")
    if not contract.starts_on <= data.inspected_on <= contract.ends_on:
        raise RuleViolation(
            "inspected_on", f"{data.inspected_on} lies outside the contract period.", code="date-outside-contract"
        )
    keys = [i.key for i in data.items]
    if len(set(keys)) != len(keys):
        raise RuleViolation("items", "Each checklist item is scored once.", code="checklist-duplicate")
    missing = sorted(set(CHECKLIST) - set(keys))
    if missing:
        raise RuleViolation(
            "items", f"Score every checklist item; missing: {', '.join(missing)}.", code="checklist-incomplete"
        )
    items = []
    for n, item in enumerate(data.items):
        name, points = CHECKLIST[item.key]
        if item.score > points:
            raise RuleViolation(
                f"items.{n}.score",
                f"{item.key} is scored from 0 to {points}; {item.score} is outside that range.",
                code="score-out-of-range",
            )
        items.append(
            {"key": item.key, "name_zh": name, "max_score": points, "score": str(item.score), "finding": item.finding}
        )
    for n, order in enumerate(data.rectifications):
        if order.deadline_on < today:
            raise RuleViolation(
                f"rectifications.{n}.deadline_on", "A rectification deadline lies ahead.", code="deadline-past"
            )
    scored = sum((item.score for item in data.items), Decimal(0))
    score = round2(scored / sum(CHECKLIST[item.key][1] for item in data.items) * 100)
    now = clock.now()
    repo = InspectionRepository(session)
    inspection = Inspection(
        contract_id=contract.id,
        operator_id=contract.operator_id,
        facility_id=data.facility_id,
        inspected_on=data.inspected_on,
        announced=data.announced,
        inspector=principal.sub,
        inspector_name=principal.name,
        items=items,
        score_centi=to_centi(score),
        summary=data.summary,
        created_at=now,
    )
    repo.add(inspection)
    await repo.flush()
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="inspection",
        entity_id=inspection.id,
        action="recorded",
        details={
            "contract_id": contract.id,
            "facility_id": data.facility_id,
            "score": str(score),
            "announced": data.announced,
        },
    )
    await outbox.record(
        session,
        "inspection.recorded",
        {
            "inspection_id": inspection.id,
            "contract_id": contract.id,
            "operator_id": contract.operator_id,
            "facility_id": data.facility_id,
            "inspected_on": data.inspected_on.isoformat(),
            "announced": data.announced,
            "score": str(score),
        },
        subject=f"inspection/{inspection.id}",
        actor=principal.sub,
        at=now,
    )
    ids = []
    for order in data.rectifications:
        r = await order_rectification(
            session,
            principal=principal,
            at=now,
            contract=contract,
            facility_id=data.facility_id,
            source="inspection",
            finding=order.finding,
            required_action=order.required_action,
            deadline_on=order.deadline_on,
            inspection_id=inspection.id,
        )
        ids.append(r.id)
    await session.commit()
    return InspectionWithOrders(inspection, ids)


async def get_inspection(session: AsyncSession, *, viewer: Principal, inspection_id: int) -> InspectionWithOrders:
    i = await InspectionRepository(session).get_or_404(inspection_id)
    access.require_reader(viewer, i.operator_id, "inspection", inspection_id)
    return InspectionWithOrders(i, await RectificationRepository(session).ids_of_inspection(i.id))


def _own_filter(viewer: Principal, operator_id: int | None, what: str) -> int | None:
    if access.reads_all(viewer):
        return operator_id
    if viewer.role != "operator" or viewer.operator_id is None:
        raise Forbidden(f"{what} are shown to officials, auditors and the operator concerned.")
    return viewer.operator_id


async def list_inspections(
    session: AsyncSession, *, viewer: Principal, filters: InspectionFilter, cursor: str | None, limit: int
) -> Listing[InspectionWithOrders]:
    f = InspectionFilter(
        contract_id=filters.contract_id,
        facility_id=filters.facility_id,
        operator_id=_own_filter(viewer, filters.operator_id, "Inspections"),
    )
    repo = InspectionRepository(session)
    found = oldest_first(await repo.search(f, after_id=decode_id_cursor(cursor), limit=limit + 1), limit)
    rects = await RectificationRepository(session).ids_of_inspections([i.id for i in found.items])
    return Listing([InspectionWithOrders(i, rects.get(i.id, [])) for i in found.items], found.next_cursor)


async def list_rectifications(
    session: AsyncSession,
    *,
    viewer: Principal,
    clock: Clock,
    filters: RectificationFilter,
    overdue: bool,
    cursor: str | None,
    limit: int,
) -> Listing[Rectification]:
    today = clock.local_now().date()
    f = RectificationFilter(
        contract_id=filters.contract_id,
        status=filters.status,
        operator_id=_own_filter(viewer, filters.operator_id, "Rectifications"),
        overdue_on=today if overdue else None,
    )
    rows = await RectificationRepository(session).search(f, after_id=decode_id_cursor(cursor), limit=limit + 1)
    return oldest_first(rows, limit)


async def _rectification(
    session: AsyncSession, viewer: Principal, rectification_id: int, *, for_update: bool
) -> Rectification:
    r = await RectificationRepository(session).get_or_404(rectification_id, for_update=for_update)
    access.require_reader(viewer, r.operator_id, "rectification", rectification_id)
    return r


async def get_rectification(session: AsyncSession, *, viewer: Principal, rectification_id: int) -> Rectification:
    return await _rectification(session, viewer, rectification_id, for_update=False)


def _move(r: Rectification, new: str) -> str:
    old = r.status
    if new not in TRANSITIONS[old]:
        raise transition_conflict("rectification", old, new, TRANSITIONS)
    r.status = new
    r.version += 1
    return old


async def respond(
    session: AsyncSession, *, principal: Principal, clock: Clock, rectification_id: int, data: RectificationResponse
) -> Rectification:
    r = await _rectification(session, principal, rectification_id, for_update=True)
    if not access.is_staff_of(principal, r.operator_id):
        raise Forbidden("Only the operator's own staff report on its rectifications.")
    old = _move(r, "responded")
    now = clock.now()
    today = clock.local_now().date()
    r.response = data.response
    r.response_documents = [d.model_dump(mode="json") for d in data.documents]
    r.responded_at = now
    r.responded_late = today > r.deadline_on
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="rectification",
        entity_id=r.id,
        action="responded",
        from_state=old,
        to_state="responded",
        reason=data.response,
        details={"late": r.responded_late},
    )
    await outbox.record(
        session,
        "rectification.responded",
        {"rectification_id": r.id, "operator_id": r.operator_id, "late": r.responded_late},
        subject=f"rectification/{r.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return r


async def review(
    session: AsyncSession, *, principal: Principal, clock: Clock, rectification_id: int, data: RectificationReview
) -> Rectification:
    r = await _rectification(session, principal, rectification_id, for_update=True)
    contract = await ContractRepository(session).get(r.contract_id)
    assert contract is not None
    access.require_manage(principal, contract.purchaser_subdistrict, "contract")
    today = clock.local_now().date()
    if data.decision == "reopened" and data.new_deadline_on is not None and data.new_deadline_on < today:
        raise RuleViolation("new_deadline_on", "A new deadline lies ahead.", code="deadline-past")
    old = _move(r, data.decision)
    now = clock.now()
    r.review_reason, r.reviewed_by, r.reviewed_at = data.reason, principal.sub, now
    if data.decision == "reopened" and data.new_deadline_on is not None:
        r.deadline_on = data.new_deadline_on
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="rectification",
        entity_id=r.id,
        action=data.decision,
        from_state=old,
        to_state=data.decision,
        reason=data.reason,
        details={"deadline_on": r.deadline_on},
    )
    if data.decision == "accepted" and r.responded_late:
        await add_entry(
            session,
            principal=principal,
            at=now,
            operator_id=r.operator_id,
            kind="rectification",
            points=LATE_POINTS,
            description=f"整改逾期完成（整改单 {r.id}，期限 {r.deadline_on}）",
            source_type="rectification",
            source_id=r.id,
        )
    await outbox.record(
        session,
        f"rectification.{data.decision}",
        {"rectification_id": r.id, "operator_id": r.operator_id, "reason": data.reason},
        subject=f"rectification/{r.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return r


async def withdraw_rectification(
    session: AsyncSession, r: Rectification, *, principal: Principal, at: datetime, reason: str
) -> None:
    """In the caller's transaction: the cause of a rectification fell away (e.g. an upheld appeal)."""
    old = _move(r, "withdrawn")
    audit.record(
        session,
        principal=principal,
        at=at,
        entity_type="rectification",
        entity_id=r.id,
        action="withdrawn",
        from_state=old,
        to_state="withdrawn",
        reason=reason,
    )
    await outbox.record(
        session,
        "rectification.withdrawn",
        {"rectification_id": r.id, "operator_id": r.operator_id, "reason": reason},
        subject=f"rectification/{r.id}",
        actor=principal.sub,
        at=at,
    )


async def withdraw(
    session: AsyncSession, *, principal: Principal, clock: Clock, rectification_id: int, reason: str
) -> Rectification:
    r = await _rectification(session, principal, rectification_id, for_update=True)
    contract = await ContractRepository(session).get(r.contract_id)
    assert contract is not None
    access.require_manage(principal, contract.purchaser_subdistrict, "contract")
    await withdraw_rectification(session, r, principal=principal, at=clock.now(), reason=reason)
    await session.commit()
    return r
