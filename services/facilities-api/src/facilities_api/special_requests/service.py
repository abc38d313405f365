"""Special-group service requests (预约服务和上门服务): an elderly, minor, disabled or low-income
resident asks (or an official files it on behalf of an elder without a phone); an official verifies
the declared status and assigns it (to the facility's operator or one staff member); the assignee
schedules and does it; the resident confirms. Address, phone, the group and health notes are shown
only to the resident (or the filer), the assignee and the officials of its area; other readers see the
description with phone and ID numbers and health mentions masked. The group, health notes and contact
are erased a set number of days after the request is done, rejected or cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.access import is_official_of
from facilities_api.events import outbox
from facilities_api.facilities.repository import FacilityRepository
from facilities_api.offerings.repository import OfferingRepository
from facilities_api.special_requests.masking import mask_request_text
from facilities_api.special_requests.models import SpecialRequest
from facilities_api.special_requests.repository import SpecialRequestRepository
from facilities_api.special_requests.schemas import (
    SpecialRequestAssign,
    SpecialRequestCreate,
    SpecialRequestSchedule,
)
from service_kit.auth import Principal
from service_kit.etag import IfMatch
from service_kit.problems import Forbidden, NotFound, RuleViolation

OPEN = ("submitted", "assigned", "scheduled")


def _is_assignee(principal: Principal, r: SpecialRequest) -> bool:
    if r.assigned_to_sub is not None and principal.sub == r.assigned_to_sub:
        return True
    return (
        principal.role == "operator"
        and principal.operator_id is not None
        and r.assigned_operator_id == principal.operator_id
        and r.status != "submitted"
    )


def _is_requester(principal: Principal, r: SpecialRequest) -> bool:
    """The resident who asked, or the official who filed it on someone's behalf."""
    return principal.sub in {s for s in (r.resident_sub, r.filed_by_sub) if s is not None}


def _sees_personal_data(principal: Principal, r: SpecialRequest) -> bool:
    return _is_requester(principal, r) or is_official_of(principal, r.facility) or _is_assignee(principal, r)


def _may_read(principal: Principal, r: SpecialRequest) -> bool:
    return principal.role in ("auditor", "service") or _sees_personal_data(principal, r)


@dataclass(frozen=True, slots=True)
class Shown:
    """A request, and whether its viewer may see the person's data (contact, group, health)."""

    request: SpecialRequest
    sees_personal_data: bool


def shown(r: SpecialRequest, viewer: Principal) -> Shown:
    return Shown(r, _sees_personal_data(viewer, r))


@dataclass(frozen=True, slots=True)
class ShownPage:
    items: list[Shown]
    next_cursor: str | None


async def submit(session: AsyncSession, *, principal: Principal, data: SpecialRequestCreate, now: datetime) -> Shown:
    facility = await FacilityRepository(session).get(data.facility_id)
    if facility is None:
        raise RuleViolation("facility_id", f"No facility {data.facility_id}.", code="unknown-facility")
    if data.on_behalf_of is None:
        if principal.role != "resident":
            raise RuleViolation(
                "on_behalf_of",
                "Staff file a request on behalf of someone: name them (on_behalf_of).",
                code="on-behalf-required",
            )
        if not data.phone:
            raise RuleViolation("phone", "A phone number to arrange the service.", code="phone-required")
    else:
        if principal.role != "official":
            raise Forbidden("Only officials (community staff among them) file a request on someone's behalf.")
        if not is_official_of(principal, facility):
            raise Forbidden(
                f"You act for subdistrict {principal.subdistrict}; facility {facility.id} is not yours to act at."
            )
        if not data.address:
            raise RuleViolation("address", "The address of the person the request is for.", code="address-required")
    if facility.status in ("closed", "planned"):
        raise RuleViolation("facility_id", f"Facility {facility.id} is {facility.status}.", code="facility-not-open")
    if data.service_id is not None and await OfferingRepository(session).offered(facility.id, data.service_id) is None:
        raise RuleViolation(
            "service_id", f"Facility {facility.id} offers no service {data.service_id}.", code="unknown-service"
        )
    if data.kind == "home_delivery" and not data.address:
        raise RuleViolation("address", "Home delivery needs the address to deliver to.", code="address-required")
    on_behalf = data.on_behalf_of is not None
    r = SpecialRequest(
        resident_sub=None if on_behalf else principal.sub,
        filed_by_sub=principal.sub if on_behalf else None,
        resident_name=data.on_behalf_of.name if data.on_behalf_of is not None else principal.name[:200],
        special_group=data.special_group,
        health_notes=data.health_notes,
        group_verified=False,
        kind=data.kind,
        facility_id=facility.id,
        service_id=data.service_id,
        description=data.description,
        address=data.address,
        phone=data.phone or "",
        preferred_time=data.preferred_time,
        status="submitted",
        assigned_to_name="",
        note="",
        version=1,
        created_at=now,
        updated_at=now,
    )
    r.facility = facility
    repo = SpecialRequestRepository(session)
    repo.add(r)
    await repo.flush()
    await outbox.record(
        session,
        "special_request.submitted",
        # No personal data, and not the group: the feed is read by those the request hides it from.
        {"request_id": r.id, "facility_id": r.facility_id, "kind": r.kind, "status": r.status},
        subject=f"special_request/{r.id}",
        actor=principal.sub,
    )
    await session.commit()
    return shown(r, principal)


async def get_request(session: AsyncSession, *, principal: Principal, request_id: int) -> Shown:
    r = await SpecialRequestRepository(session).get(request_id)
    if r is None or not _may_read(principal, r):
        raise NotFound(f"No special-group request {request_id}.")
    return shown(r, principal)


async def list_requests(
    session: AsyncSession,
    *,
    principal: Principal,
    facility_id: int | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> ShownPage:
    scope: dict[str, Any] = {}
    if principal.role in ("auditor", "service") or principal.is_district_official:
        pass
    elif principal.role == "official":
        scope["subdistrict"] = principal.subdistrict
    elif principal.role == "operator":
        scope["operator_id"] = principal.operator_id if principal.operator_id is not None else -1
        scope["assigned"] = True
    else:
        scope["resident_sub"] = principal.sub
    rows = await SpecialRequestRepository(session).list(
        facility_id=facility_id, status=status, cursor=cursor, limit=limit, **scope
    )
    return ShownPage(items=[shown(r, principal) for r in rows.items], next_cursor=rows.next_cursor)


async def _load(session: AsyncSession, principal: Principal, request_id: int) -> SpecialRequest:
    r = await SpecialRequestRepository(session).get(request_id, for_update=True)
    if r is None or not _may_read(principal, r):
        raise NotFound(f"No special-group request {request_id}.")
    return r


def _expect(r: SpecialRequest, *statuses: str, action: str) -> None:
    if r.status not in statuses:
        raise RuleViolation(
            "status",
            f"A {r.status} request cannot be {action} (it must be {' or '.join(statuses)}).",
            code="wrong-status",
        )


def _official(principal: Principal, r: SpecialRequest, action: str) -> None:
    if not is_official_of(principal, r.facility):
        raise Forbidden(f"Only an official of {r.facility.subdistrict.code} {action}.")


async def _save(session: AsyncSession, r: SpecialRequest, *, old: str, principal: Principal, now: datetime) -> Shown:
    r.version += 1
    r.updated_at = now
    await SpecialRequestRepository(session).flush()
    if r.status != old:
        await outbox.record(
            session,
            "special_request.status_changed",
            {
                "request_id": r.id,
                "facility_id": r.facility_id,
                "old": old,
                "new": r.status,
                "assigned_operator_id": r.assigned_operator_id,
            },
            subject=f"special_request/{r.id}",
            actor=principal.sub,
        )
    await session.commit()
    return shown(r, principal)


async def verify(
    session: AsyncSession, *, principal: Principal, request_id: int, if_match: IfMatch, now: datetime
) -> Shown:
    r = await _load(session, principal, request_id)
    if_match.check(r.version, required=False)
    _official(principal, r, "verifies a resident's special-group status")
    _expect(r, *OPEN, action="verified")
    r.group_verified = True
    r.verified_by = principal.sub
    return await _save(session, r, old=r.status, principal=principal, now=now)


async def assign(
    session: AsyncSession,
    *,
    principal: Principal,
    request_id: int,
    data: SpecialRequestAssign,
    if_match: IfMatch,
    now: datetime,
) -> Shown:
    r = await _load(session, principal, request_id)
    if_match.check(r.version, required=False)
    _official(principal, r, "assigns special-group requests")
    _expect(r, "submitted", "assigned", action="assigned")
    if not r.group_verified:
        raise RuleViolation(
            "special_group", "Verify the resident's special-group status before assigning.", code="group-not-verified"
        )
    operator_id = data.operator_id
    if operator_id is None and data.assigned_to_sub is None:
        if r.facility.operation_mode != "social" or r.facility.operator_id is None:
            raise RuleViolation(
                "operator_id",
                "The facility is government-run: name the staff member (assigned_to_sub) or an operator.",
                code="assignee-required",
            )
        operator_id = r.facility.operator_id
    old = r.status
    r.assigned_operator_id = operator_id
    r.assigned_to_sub = data.assigned_to_sub
    r.assigned_to_name = data.assigned_to_name
    r.status = "assigned"
    return await _save(session, r, old=old, principal=principal, now=now)


def _doer(principal: Principal, r: SpecialRequest, action: str) -> None:
    if not (_is_assignee(principal, r) or is_official_of(principal, r.facility)):
        raise Forbidden(f"Only the assigned staff or an official {action}.")


async def schedule(
    session: AsyncSession,
    *,
    principal: Principal,
    request_id: int,
    data: SpecialRequestSchedule,
    if_match: IfMatch,
    now: datetime,
) -> Shown:
    r = await _load(session, principal, request_id)
    if_match.check(r.version, required=False)
    _doer(principal, r, "schedules the service")
    _expect(r, "assigned", "scheduled", action="scheduled")
    if data.scheduled_for <= now:
        raise RuleViolation("scheduled_for", "Schedule it for a time still to come.", code="in-the-past")
    old = r.status
    r.scheduled_for = data.scheduled_for
    if data.note:
        r.note = data.note
    r.status = "scheduled"
    return await _save(session, r, old=old, principal=principal, now=now)


async def complete(
    session: AsyncSession, *, principal: Principal, request_id: int, note: str, if_match: IfMatch, now: datetime
) -> Shown:
    r = await _load(session, principal, request_id)
    if_match.check(r.version, required=False)
    _doer(principal, r, "records the service as done")
    _expect(r, "scheduled", action="marked done")
    old = r.status
    r.done_at = now
    r.closed_at = now
    if note:
        r.note = note
    r.status = "done"
    return await _save(session, r, old=old, principal=principal, now=now)


async def confirm(
    session: AsyncSession, *, principal: Principal, request_id: int, if_match: IfMatch, now: datetime
) -> Shown:
    r = await _load(session, principal, request_id)
    if_match.check(r.version, required=False)
    if not _is_requester(principal, r):
        raise Forbidden("Only the resident who asked (or who filed it for them) confirms the service was done.")
    _expect(r, "done", action="confirmed")
    old = r.status
    r.confirmed_at = now
    r.status = "confirmed"
    return await _save(session, r, old=old, principal=principal, now=now)


async def reject(
    session: AsyncSession, *, principal: Principal, request_id: int, reason: str, if_match: IfMatch, now: datetime
) -> Shown:
    r = await _load(session, principal, request_id)
    if_match.check(r.version, required=False)
    _official(principal, r, "rejects a request")
    _expect(r, *OPEN, action="rejected")
    old = r.status
    r.note = reason
    r.status = "rejected"
    r.closed_at = now
    return await _save(session, r, old=old, principal=principal, now=now)


async def cancel(
    session: AsyncSession, *, principal: Principal, request_id: int, if_match: IfMatch, now: datetime
) -> Shown:
    r = await _load(session, principal, request_id)
    if_match.check(r.version, required=False)
    if not _is_requester(principal, r):
        raise Forbidden("Only the resident who asked (or who filed it for them) cancels a request.")
    _expect(r, *OPEN, action="cancelled")
    old = r.status
    r.status = "cancelled"
    r.closed_at = now
    return await _save(session, r, old=old, principal=principal, now=now)


async def erase_expired(session: AsyncSession, *, retention_days: int, now: datetime) -> list[int]:
    """Erase the sensitive data (special-group status, health notes, address, phone; phone and ID
    numbers and health mentions in the description and note) of requests done, rejected or cancelled
    more than `retention_days` ago. Status, times and counts stay. Returns the ids erased."""
    repo = SpecialRequestRepository(session)
    erased = []
    for r in await repo.closed_before(now - timedelta(days=retention_days)):
        r.special_group = None
        r.health_notes = ""
        r.address = ""
        r.phone = ""
        r.description = mask_request_text(r.description)
        r.note = mask_request_text(r.note)
        r.personal_data_erased_at = now
        r.version += 1
        r.updated_at = now
        erased.append(r.id)
    await repo.flush()
    await session.commit()
    return erased
