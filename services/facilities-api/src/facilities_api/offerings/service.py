"""Services offered (服务项目): what a facility offers, basic (free) or non-basic with an approved fee;
and the fee approvals operators-api announces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.access import check_may_manage
from facilities_api.events import outbox
from facilities_api.facilities.models import Facility, FacilityChange
from facilities_api.facilities.repository import FacilityRepository
from facilities_api.offerings.models import FeeApproval, ServiceBasicPeriod, ServiceOffered
from facilities_api.offerings.repository import OfferingRepository
from facilities_api.offerings.rules import approval_in_force, check_fee
from facilities_api.offerings.schemas import ServiceCreate, ServiceRead, ServiceUpdate
from facilities_api.offerings.signals import FeeCapped, fee_capped
from facilities_api.serialize import jsonable as _jsonable
from facilities_api.vocab import local_today
from service_kit.auth import Principal
from service_kit.etag import IfMatch
from service_kit.problems import Forbidden, NotFound, RuleViolation


@dataclass(frozen=True, slots=True)
class Offered:
    """A service offered, with the fee approval in force and the periods it was basic (oldest first)."""

    service: ServiceOffered
    approval: FeeApproval | None
    periods: list[ServiceBasicPeriod]


def service_data(offered: Offered) -> Any:
    """The service as events carry it: as read."""
    return _jsonable(ServiceRead.model_validate(offered).model_dump(by_alias=True))


async def _cap_fees(session: AsyncSession, event: FeeCapped) -> list[int]:
    """Tell the domains that charge for the service (activities) of its new cap; the ids they lowered."""
    return sorted(i for ids in await fee_capped.send(session, event) for i in ids)


async def _facility_to_manage(session: AsyncSession, principal: Principal, facility_id: int) -> Facility:
    facility = await FacilityRepository(session).get_or_404(facility_id)
    check_may_manage(principal, facility, "manage the services offered")
    return facility


async def list_services(
    session: AsyncSession, *, facility_id: int, include_inactive: bool, now: datetime
) -> list[Offered]:
    await FacilityRepository(session).get_or_404(facility_id)
    repo = OfferingRepository(session)
    approvals = await repo.approvals_in_force(facility_id, local_today(now))
    services = await repo.list(facility_id, include_inactive=include_inactive)
    periods = await repo.basic_periods([s.id for s in services])
    return [Offered(s, approvals.get(s.id), periods[s.id]) for s in services]


async def get_service(session: AsyncSession, *, facility_id: int, service_id: int, now: datetime) -> Offered:
    repo = OfferingRepository(session)
    s = await repo.offered(facility_id, service_id)
    if s is None:
        raise NotFound(f"Facility {facility_id} offers no service {service_id}.")
    periods = await repo.basic_periods([s.id])
    return Offered(s, await repo.approval_in_force(facility_id, service_id, local_today(now)), periods[s.id])


async def read_service(session: AsyncSession, s: ServiceOffered, approval: FeeApproval | None) -> Offered:
    return Offered(s, approval, (await OfferingRepository(session).basic_periods([s.id]))[s.id])


def record_history(
    session: AsyncSession, facility: Facility, *, actor: str, action: str, changes: dict[str, list[Any]], now: datetime
) -> None:
    """A change to the facility's catalogue of services, in the facility's history (who decided)."""
    session.add(
        FacilityChange(
            facility_id=facility.id,
            version=facility.version,
            actor=actor,
            action=action,
            changes=changes,
            changed_at=now,
        )
    )


async def classify(
    session: AsyncSession, s: ServiceOffered, *, basic: bool, decided_by: str, proposal_id: int | None, now: datetime
) -> dict[str, Any] | None:
    """Set a service basic or not (a district official's decision, checked by the caller): the basic
    periods follow, a service made basic charges nothing (nor do its activities still to come). Returns
    the data of the service.basic_changed event to record last, or None if nothing changed."""
    repo = OfferingRepository(session)
    if s.basic == basic:
        return None
    s.basic = basic
    activity_ids: list[int] = []
    if basic:
        repo.add_period(ServiceBasicPeriod(service_id=s.id, starts_at=now, ends_at=None))
        s.fee_fen = 0
        activity_ids = await _cap_fees(session, FeeCapped(service_id=s.id, cap_fen=0, now=now))
    else:
        period = await repo.open_basic_period(s.id)
        if period is not None:
            period.ends_at = now
    await repo.flush()
    return {
        "facility_id": s.facility_id,
        "service_id": s.id,
        "basic": basic,
        "previous": not basic,
        "decided_by": decided_by,
        "proposal_id": proposal_id,
        "at": now,
        "activity_ids": activity_ids,
    }


# What a service is, in the facility's catalogue: the operator proposes changes to these, officials
# make them (and only a district official changes `basic`).
CATALOGUE_FIELDS = ("name_zh", "name_en", "category", "basic", "description_zh", "active")


def check_may_classify(principal: Principal) -> None:
    if not principal.is_district_official:
        raise Forbidden(
            "Whether a service is basic (基本公共文化服务, always free) is the bureau's decision: a district official "
            "decides it. Propose the change instead (POST /api/v1/facilities/{facility_id}/service-proposals)."
        )


async def create_service(
    session: AsyncSession, *, principal: Principal, facility_id: int, data: ServiceCreate, now: datetime
) -> Offered:
    facility = await _facility_to_manage(session, principal, facility_id)
    if not principal.is_district_official:
        raise Forbidden(
            "Services are added to a facility's catalogue by a district official: propose it "
            "(POST /api/v1/facilities/{facility_id}/service-proposals)."
        )
    # A new service has no approval yet (approvals name an existing service): only a free one can be added.
    check_fee(field="fee_fen", fee_fen=data.fee_fen, basic=data.basic, approval=None, on=local_today(now))
    s = ServiceOffered(
        facility_id=facility_id,
        name_zh=data.name_zh,
        name_en=data.name_en,
        category=data.category,
        basic=data.basic,
        fee_fen=0,
        target_groups=list(dict.fromkeys(data.target_groups)),
        delivery=data.delivery,
        description_zh=data.description_zh,
        active=True,
        version=1,
        created_at=now,
        updated_at=now,
    )
    read = await add_service(session, facility, s, actor=principal.sub, proposal=None, now=now)
    await session.commit()
    return read


async def add_service(
    session: AsyncSession, facility: Facility, s: ServiceOffered, *, actor: str, proposal: Any, now: datetime
) -> Offered:
    """Add a service to the catalogue (a district official's decision), with its basic period, the
    facility's history and service.created. The caller commits."""
    repo = OfferingRepository(session)
    repo.add(s)
    await repo.flush()
    if s.basic:
        repo.add_period(ServiceBasicPeriod(service_id=s.id, starts_at=now, ends_at=None))
        await repo.flush()
    changes: dict[str, list[Any]] = {"service_id": [None, s.id], "name_zh": [None, s.name_zh], "basic": [None, s.basic]}
    if proposal is not None:
        changes["proposal"] = [None, {"id": proposal.id, "proposed_by": proposal.proposed_by}]
    record_history(session, facility, actor=actor, action="service_added", changes=changes, now=now)
    read = await read_service(session, s, None)
    await outbox.record(session, "service.created", service_data(read), subject=f"service/{s.id}", actor=actor)
    return read


async def update_service(
    session: AsyncSession,
    *,
    principal: Principal,
    facility_id: int,
    service_id: int,
    data: ServiceUpdate,
    if_match: IfMatch,
    now: datetime,
) -> Offered:
    facility = await _facility_to_manage(session, principal, facility_id)
    repo = OfferingRepository(session)
    s = await repo.offered(facility_id, service_id, for_update=True)
    if s is None:
        raise NotFound(f"Facility {facility_id} offers no service {service_id}.")
    if_match.check(s.version)
    patch = data.model_dump(exclude_unset=True)
    for field in ("name_zh", "category", "basic", "fee_fen", "delivery", "active", "target_groups"):
        if field in patch and patch[field] is None:
            raise RuleViolation(field, f"{field} cannot be emptied.", code="required")
    if "basic" in patch and patch["basic"] != s.basic:
        check_may_classify(principal)
    if principal.role == "operator":
        touched = sorted(f for f in CATALOGUE_FIELDS if f in patch and patch[f] != getattr(s, f))
        if touched:
            raise Forbidden(
                f"What a service is ({', '.join(touched)}) is the bureau's catalogue: propose the change "
                "(POST /api/v1/facilities/{facility_id}/service-proposals); the operator sets fees, groups and delivery."
            )
    today = local_today(now)
    approval = await repo.approval_in_force(facility_id, service_id, today)
    basic = patch.get("basic", s.basic)
    fee = patch.get("fee_fen", s.fee_fen)
    if basic and "fee_fen" not in patch and fee > 0:
        fee = 0  # turning a service basic makes it free
        patch["fee_fen"] = 0
    check_fee(field="fee_fen", fee_fen=fee, basic=basic, approval=approval, on=today)
    changes: dict[str, list[Any]] = {}
    classified = None
    for field, value in patch.items():
        if field == "target_groups":
            value = list(dict.fromkeys(value))
        old = getattr(s, field)
        if old != value:
            changes[field] = [old, value]
            if field == "basic":
                classified = await classify(
                    session, s, basic=value, decided_by=principal.sub, proposal_id=None, now=now
                )
            else:
                setattr(s, field, value)
    if not changes:
        return await read_service(session, s, approval)
    s.version += 1
    s.updated_at = now
    await repo.flush()
    record_history(
        session,
        facility,
        actor=principal.sub,
        action="service_reclassified" if classified is not None else "service_changed",
        changes={"service_id": [s.id, s.id], **_jsonable(changes)},
        now=now,
    )
    read = await read_service(session, s, approval)
    await outbox.record(
        session,
        "service.updated",
        {"service": service_data(read), "changes": changes},
        subject=f"service/{s.id}",
        actor=principal.sub,
    )
    if classified is not None:
        await outbox.record(
            session, "service.basic_changed", _jsonable(classified), subject=f"service/{s.id}", actor=principal.sub
        )
    await session.commit()
    return read


# -- fee approvals from operators-api (applied by the feed consumer; the consumer commits) ----------
async def apply_fee_approved(session: AsyncSession, data: dict[str, Any], *, now: datetime) -> None:
    repo = OfferingRepository(session)
    expires_on = date.fromisoformat(str(data["expires_on"]))
    approval = await repo.approval(int(data["application_id"]), for_update=True)
    if approval is None:
        approval = FeeApproval(application_id=int(data["application_id"]))
        repo.add_approval(approval)
    elif (
        approval.status == "active"
        and approval.approved_fee_fen == int(data["approved_fee_fen"])
        and approval.expires_on == expires_on
    ):
        return  # already applied
    approval.operator_id = int(data["operator_id"])
    approval.contract_id = int(data["contract_id"])
    approval.facility_id = int(data["facility_id"])
    approval.service_id = int(data["service_id"])
    approval.approved_fee_fen = int(data["approved_fee_fen"])
    approval.expires_on = expires_on
    approval.status = "active"
    approval.updated_at = now
    await repo.flush()
    await outbox.record(
        session,
        "service.fee_approved",
        {
            "application_id": approval.application_id,
            "facility_id": approval.facility_id,
            "service_id": approval.service_id,
            "approved_fee_fen": approval.approved_fee_fen,
            "expires_on": approval.expires_on.isoformat(),
        },
        subject=f"service/{approval.service_id}",
        actor="operators-api",
    )


async def apply_fee_withdrawn(session: AsyncSession, data: dict[str, Any], *, status: str, now: datetime) -> None:
    """fee.revoked / fee.expired: the approval is gone. Unless another approval in force still covers
    it, the service's fee and its upcoming activities' fees return to 0."""
    repo = OfferingRepository(session)
    application_id = int(data["application_id"])
    facility_id, service_id = int(data["facility_id"]), int(data["service_id"])
    approval = await repo.approval(application_id, for_update=True)
    if approval is None:
        approval = FeeApproval(
            application_id=application_id,
            operator_id=0,
            contract_id=0,
            facility_id=facility_id,
            service_id=service_id,
            approved_fee_fen=0,
            expires_on=local_today(now),
        )
        repo.add_approval(approval)
    elif approval.status == status:
        return  # already applied
    approval.status = status
    approval.updated_at = now
    await repo.flush()
    today = local_today(now)
    other = await repo.approval_in_force(facility_id, service_id, today)
    cap = other.approved_fee_fen if approval_in_force(other, today) and other is not None else 0
    service = await repo.offered(facility_id, service_id, for_update=True)
    old_fee = service.fee_fen if service is not None else 0
    if service is not None and service.fee_fen > cap:
        service.fee_fen = cap
        service.version += 1
        service.updated_at = now
    activity_ids = await _cap_fees(session, FeeCapped(service_id=service_id, cap_fen=cap, now=now))
    if old_fee > cap or activity_ids:
        await outbox.record(
            session,
            "service.fee_changed",
            {
                "application_id": application_id,
                "facility_id": facility_id,
                "service_id": service_id,
                "old_fee_fen": old_fee,
                "new_fee_fen": min(old_fee, cap),
                "reason": f"fee.{status}",
                "activity_ids": activity_ids,
            },
            subject=f"service/{service_id}",
            actor="operators-api",
        )
