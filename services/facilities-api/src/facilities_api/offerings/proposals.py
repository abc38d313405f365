"""The catalogue of a facility's services is the bureau's (DOMAIN.md, "Basic services stay free"): its
operator (or an official of its area) proposes a new service, or a change to one (basic or not, name,
description); a district official approves or rejects it. Only that decision changes whether a service
is basic; each decision is in the facility's history, with who proposed and who decided."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.access import check_may_manage, is_official_for, operates
from facilities_api.events import outbox
from facilities_api.facilities.models import Facility
from facilities_api.facilities.repository import FacilityFilter, FacilityRepository
from facilities_api.offerings.models import ServiceOffered, ServiceProposal
from facilities_api.offerings.repository import OfferingRepository, ProposalRepository
from facilities_api.offerings.schemas import ServiceProposalCreate, ServiceProposalRead
from facilities_api.offerings.service import (
    add_service,
    check_may_classify,
    classify,
    read_service,
    record_history,
    service_data,
)
from facilities_api.serialize import jsonable
from facilities_api.vocab import local_today
from service_kit.auth import Principal
from service_kit.problems import Conflict, Forbidden, NotFound, RuleViolation
from service_kit.repository import Slice

PROPOSABLE = ("name_zh", "name_en", "category", "basic", "description_zh", "target_groups", "delivery")


def _data(p: ServiceProposal) -> Any:
    """The proposal as events carry it: as read."""
    return jsonable(ServiceProposalRead.model_validate(p).model_dump())


async def _facility(session: AsyncSession, facility_id: int) -> Facility:
    facility = await FacilityRepository(session).get_or_404(facility_id)
    return facility


async def propose(
    session: AsyncSession, *, principal: Principal, facility_id: int, data: ServiceProposalCreate, now: datetime
) -> ServiceProposal:
    facility = await _facility(session, facility_id)
    check_may_manage(principal, facility, "propose changes to its services")
    fields = data.model_dump(exclude_unset=True, include=set(PROPOSABLE))
    for field, value in fields.items():
        if value is None:
            raise RuleViolation(field, f"{field} cannot be emptied; leave it out to keep it.", code="required")
    if "target_groups" in fields:
        fields["target_groups"] = list(dict.fromkeys(fields["target_groups"]))
    repo = ProposalRepository(session)
    if data.service_id is None:
        for field in ("name_zh", "category", "basic"):
            if field not in fields:
                raise RuleViolation(field, f"A new service needs {field}.", code="required")
        kind = "add"
    else:
        s = await OfferingRepository(session).offered(facility_id, data.service_id)
        if s is None:
            raise RuleViolation(
                "service_id", f"Facility {facility_id} offers no service {data.service_id}.", code="unknown-service"
            )
        fields = {k: v for k, v in fields.items() if getattr(s, k) != v}
        if not fields:
            raise RuleViolation(
                "service_id", "The proposal changes nothing: name the fields to change.", code="no-change"
            )
        kind = "change"
    p = ServiceProposal(
        facility_id=facility_id,
        service_id=data.service_id,
        kind=kind,
        changes=jsonable(fields),
        reason=data.reason,
        status="pending",
        proposed_by=principal.sub,
        proposer_operator_id=principal.operator_id if principal.role == "operator" else None,
        proposed_at=now,
        decision_note="",
    )
    repo.add(p)
    await repo.flush()
    await outbox.record(session, "service.proposed", _data(p), subject=f"facility/{facility_id}", actor=principal.sub)
    await session.commit()
    return p


def _may_read(principal: Principal, facility: Facility, p: ServiceProposal | None = None) -> bool:
    if principal.role in ("auditor", "service") or is_official_for(principal, facility.subdistrict.code):
        return True
    if principal.role == "operator" and principal.operator_id is not None:
        return operates(principal, facility) or (p is not None and p.proposer_operator_id == principal.operator_id)
    return False


async def list_for_facility(
    session: AsyncSession, *, principal: Principal, facility_id: int, status: str | None, cursor: str | None, limit: int
) -> Slice[ServiceProposal]:
    facility = await _facility(session, facility_id)
    if not _may_read(principal, facility):
        raise Forbidden(f"Officials, auditors and the operator running facility {facility_id} read its proposals.")
    rows = await ProposalRepository(session).list(facility_id=facility_id, status=status, cursor=cursor, limit=limit)
    return rows


async def list_all(
    session: AsyncSession, *, principal: Principal, status: str | None, cursor: str | None, limit: int
) -> Slice[ServiceProposal]:
    """The district's queue (officials: their area's; auditors all; an operator's staff: its own
    proposals and those about the facilities it runs)."""
    repo = ProposalRepository(session)
    if principal.role == "operator":
        operator_id = principal.operator_id if principal.operator_id is not None else -1
        run = await FacilityRepository(session).list(FacilityFilter(operator_id=operator_id), after_id=None, limit=None)
        rows = await repo.list(
            status=status,
            proposer_operator_id=operator_id,
            facility_ids=[f.id for f in run],
            cursor=cursor,
            limit=limit,
        )
    elif principal.role == "official" and principal.subdistrict is not None:
        mine = await FacilityRepository(session).list(
            FacilityFilter(subdistrict=principal.subdistrict), after_id=None, limit=None
        )
        rows = await repo.list(status=status, facility_ids=[f.id for f in mine], cursor=cursor, limit=limit)
    else:
        rows = await repo.list(status=status, cursor=cursor, limit=limit)
    return rows


async def _pending(
    session: AsyncSession, principal: Principal, facility_id: int, proposal_id: int
) -> tuple[Facility, ServiceProposal]:
    facility = await _facility(session, facility_id)
    p = await ProposalRepository(session).of_facility(facility_id, proposal_id, for_update=True)
    if p is None or not _may_read(principal, facility, p):
        raise NotFound(f"Facility {facility_id} has no service proposal {proposal_id}.")
    check_may_classify(principal)
    if p.proposed_by == principal.sub:
        raise Forbidden("The official who proposed a change does not decide it: another district official does.")
    if p.status != "pending":
        raise Conflict(f"This proposal was {p.status} already.", slug="already-decided")
    return facility, p


async def approve(
    session: AsyncSession, *, principal: Principal, facility_id: int, proposal_id: int, note: str, now: datetime
) -> ServiceProposal:
    facility, p = await _pending(session, principal, facility_id, proposal_id)
    repo = OfferingRepository(session)
    changes: dict[str, Any] = dict(p.changes)
    p.status, p.decided_by, p.decided_at, p.decision_note = "approved", principal.sub, now, note
    events: list[tuple[str, dict[str, Any], int]] = []
    if p.kind == "add":
        s = ServiceOffered(
            facility_id=facility_id,
            name_zh=changes["name_zh"],
            name_en=changes.get("name_en", ""),
            category=changes["category"],
            basic=bool(changes["basic"]),
            fee_fen=0,
            target_groups=changes.get("target_groups", ["all"]),
            delivery=changes.get("delivery", "on_site"),
            description_zh=changes.get("description_zh", ""),
            active=True,
            version=1,
            created_at=now,
            updated_at=now,
        )
        # add_service records service.created itself; the proposal's decision is announced after it.
        await add_service(session, facility, s, actor=principal.sub, proposal=p, now=now)
        p.service_id = s.id
    else:
        found = await repo.offered(facility_id, p.service_id or 0, for_update=True)
        if found is None:
            raise Conflict("The service this proposal changes is gone.", slug="service-gone")
        s = found
        diff: dict[str, list[Any]] = {}
        classified = None
        for field, value in changes.items():
            old = getattr(s, field)
            if old == value:
                continue
            diff[field] = [old, value]
            if field == "basic":
                classified = await classify(
                    session, s, basic=bool(value), decided_by=principal.sub, proposal_id=p.id, now=now
                )
            else:
                setattr(s, field, value)
        if diff:
            s.version += 1
            s.updated_at = now
            await repo.flush()
            record_history(
                session,
                facility,
                actor=principal.sub,
                action="service_reclassified" if classified is not None else "service_changed",
                changes={
                    "service_id": [s.id, s.id],
                    **diff,
                    "proposal": [None, {"id": p.id, "proposed_by": p.proposed_by}],
                },
                now=now,
            )
            read = await read_service(session, s, await repo.approval_in_force(facility_id, s.id, local_today(now)))
            events.append(("service.updated", {"service": service_data(read), "changes": jsonable(diff)}, s.id))
        if classified is not None:
            events.append(("service.basic_changed", jsonable(classified), s.id))
    await repo.flush()
    for event_type, data, service_id in events:
        await outbox.record(session, event_type, data, subject=f"service/{service_id}", actor=principal.sub)
    await outbox.record(
        session, "service.proposal_decided", _data(p), subject=f"facility/{facility_id}", actor=principal.sub
    )
    await session.commit()
    return p


async def reject(
    session: AsyncSession, *, principal: Principal, facility_id: int, proposal_id: int, note: str, now: datetime
) -> ServiceProposal:
    if not note:
        raise RuleViolation("note", "Say why the proposal is rejected.", code="required")
    facility, p = await _pending(session, principal, facility_id, proposal_id)
    p.status, p.decided_by, p.decided_at, p.decision_note = "rejected", principal.sub, now, note
    record_history(
        session,
        facility,
        actor=principal.sub,
        action="service_proposal_rejected",
        changes={"proposal": [None, {"id": p.id, "proposed_by": p.proposed_by, "changes": p.changes, "note": note}]},
        now=now,
    )
    await ProposalRepository(session).flush()
    await outbox.record(
        session, "service.proposal_decided", _data(p), subject=f"facility/{facility_id}", actor=principal.sub
    )
    await session.commit()
    return p
