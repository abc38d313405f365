"""Use cases of a contract (合同): draft it from an award (or directly, for single source), edit the
draft, activate, suspend, resume, terminate, expire, renew, and record payments. Starting and
ending announce contract.started / contract.ended for facilities-api; ending also expires the
contract's fee approvals (fee.expired) in the same transaction."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from operators_api import access
from operators_api.audit import service as audit
from operators_api.contracts.domain import ContractView
from operators_api.contracts.models import Contract, Instalment
from operators_api.contracts.repository import ContractFilter, ContractRepository
from operators_api.contracts.rules import RUNNING, TRANSITIONS, transition_allowed
from operators_api.contracts.schemas import (
    ContractCreate,
    ContractStatusChange,
    ContractUpdate,
    InstalmentIn,
    PaymentCreate,
    RenewalCreate,
)
from operators_api.contracts.signals import ContractEnded, contract_ended, evaluations
from operators_api.events import outbox
from operators_api.facility_refs import (
    FacilitySubdistricts,
    UnknownFacilities,
    require_registered,
    require_within_subdistrict,
)
from operators_api.operators.repository import OperatorRepository
from operators_api.periods import parse_period
from operators_api.reads import Listing, oldest_first
from operators_api.selections.repository import SelectionRepository
from operators_api.shared import (
    end_read_transaction,
    jsonable,
    state_conflict,
    transition_conflict,
)
from service_kit.auth import Principal
from service_kit.clock import Clock
from service_kit.etag import IfMatch
from service_kit.pagination import decode_id_cursor
from service_kit.problems import Conflict, FieldError, Forbidden, NotFound, RuleViolation

ENTITY = "contract"


# -- reading ----------------------------------------------------------------------------------------
async def read(session: AsyncSession, c: Contract) -> ContractView:
    """The contract with its facilities, instalments and operator's name."""
    repo = ContractRepository(session)
    names = await OperatorRepository(session).names([c.operator_id])
    return ContractView(
        c,
        facility_ids=await repo.facility_ids(c.id),
        instalments=await repo.instalments(c.id),
        operator_name=names.get(c.operator_id, ""),
    )


def may_see(viewer: Principal | None, c: Contract) -> bool:
    return c.status != "draft" or access.reads_all(viewer) or access.is_staff_of(viewer, c.operator_id)


async def get_visible(
    session: AsyncSession, *, contract_id: int, viewer: Principal | None, for_update: bool = False
) -> Contract:
    repo = ContractRepository(session)
    c = await repo.get(contract_id, for_update=for_update)
    if c is None or not may_see(viewer, c):
        raise NotFound(f"No contract {contract_id}.")
    return c


async def get_contract(session: AsyncSession, *, contract_id: int, viewer: Principal | None) -> ContractView:
    return await read(session, await get_visible(session, contract_id=contract_id, viewer=viewer))


async def list_contracts(
    session: AsyncSession, *, viewer: Principal | None, filters: ContractFilter, cursor: str | None, limit: int
) -> Listing[ContractView]:
    f = ContractFilter(
        operator_id=filters.operator_id,
        facility_id=filters.facility_id,
        status=filters.status,
        selection_id=filters.selection_id,
        include_drafts=access.reads_all(viewer),
        drafts_of_operator=viewer.operator_id if viewer is not None and viewer.role == "operator" else None,
    )
    repo = ContractRepository(session)
    found = oldest_first(await repo.find(f, after_id=decode_id_cursor(cursor), limit=limit + 1), limit)
    ids = [c.id for c in found.items]
    facilities = await repo.facilities_of(ids)
    instalments = await repo.instalments_of(ids)
    names = await OperatorRepository(session).names({c.operator_id for c in found.items})
    return Listing(
        items=[
            ContractView(
                c,
                facility_ids=facilities.get(c.id, []),
                instalments=instalments.get(c.id, []),
                operator_name=names.get(c.operator_id, ""),
            )
            for c in found.items
        ],
        next_cursor=found.next_cursor,
    )


# -- rules that read the database -------------------------------------------------------------------
def _instalment_rows(
    contract_id: int, items: list[InstalmentIn], amount_fen: int, starts_on: date, ends_on: date
) -> list[Instalment]:
    total = sum(i.amount_fen for i in items)
    if total != amount_fen:
        raise RuleViolation(
            "instalments",
            f"The instalments add up to {total} fen; the contract amount is {amount_fen} fen.",
            code="instalments-sum",
        )
    linked = [i.linked_period for i in items if i.linked_period]
    if len(set(linked)) != len(linked):
        raise RuleViolation(
            "instalments", "Each evaluation period adjusts one instalment at most.", code="linked-period-duplicate"
        )
    rows = []
    for seq, item in enumerate(sorted(items, key=lambda i: i.due_on), start=1):
        if item.linked_period:
            period = parse_period(item.linked_period)
            if period.end < starts_on or period.start > ends_on:
                raise RuleViolation(
                    f"instalments.{seq - 1}.linked_period",
                    f"{item.linked_period} lies outside the contract period.",
                    code="linked-period-outside",
                )
        rows.append(
            Instalment(
                contract_id=contract_id,
                seq=seq,
                due_on=item.due_on,
                amount_fen=item.amount_fen,
                linked_period=item.linked_period,
            )
        )
    return rows


async def _check_overlap(
    repo: ContractRepository, facility_ids: list[int], starts_on: date, ends_on: date, exclude_id: int | None
) -> None:
    await repo.lock_facilities(facility_ids)
    clashes = await repo.overlapping(facility_ids, starts_on, ends_on, exclude_id=exclude_id)
    if clashes:
        other, facility = clashes[0]
        message = (
            f"Facility {facility} is already held by contract {other} for part of {starts_on}–{ends_on}; "
            "a facility has one contract at a time."
        )
        raise Conflict(
            message,
            slug="contract-overlap",
            errors=[FieldError(field="facility_ids", message=message, code="contract-overlap")],
            overlapping=[{"contract_id": c, "facility_id": f} for c, f in clashes],
        )


async def _check_scheme(session: AsyncSession, scheme_id: int | None) -> None:
    if scheme_id is not None and not await evaluations().scheme_exists(session, scheme_id):
        raise RuleViolation("evaluation_scheme_id", f"No evaluation scheme {scheme_id}.", code="unknown-scheme")


def _check_period(starts_on: date, ends_on: date) -> None:
    if starts_on > ends_on:
        raise RuleViolation("ends_on", "A contract ends on or after the day it starts.", code="period-order")


async def create_contract(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    data: ContractCreate,
    unknown_facilities: UnknownFacilities,
    subdistricts_of: FacilitySubdistricts | None = None,
) -> ContractView:
    if principal.role != "official":
        raise Forbidden("Only officials draw up contracts.")
    if data.selection_id is None and data.facility_ids:  # a selection's facilities were checked when it was drawn up
        await require_registered(unknown_facilities, data.facility_ids)
    if principal.subdistrict is not None:
        named = list(data.facility_ids or [])
        if data.selection_id is not None and not named:
            sel = await SelectionRepository(session).get(data.selection_id)
            named = list(sel.facility_ids) if sel is not None else []
            await end_read_transaction(session)
        await require_within_subdistrict(subdistricts_of, named, principal, "contract")
    repo = ContractRepository(session)
    _check_period(data.starts_on, data.ends_on)
    bid_id = None
    if data.selection_id is not None:
        sel = await SelectionRepository(session).get_for_update(data.selection_id)
        if sel is None:
            raise RuleViolation("selection_id", f"No selection {data.selection_id}.", code="unknown-selection")
        access.require_manage(principal, sel.purchaser_subdistrict, "selection")
        if sel.status != "awarded" or sel.awarded_bid_id is None:
            raise state_conflict(
                f"Selection {sel.id} is {sel.status}; a contract follows an award.",
                "selection-not-awarded",
                "selection_id",
            )
        bid = await SelectionRepository(session).bid(sel.awarded_bid_id)
        assert bid is not None
        if data.operator_id not in (None, bid.operator_id):
            raise RuleViolation(
                "operator_id", f"The award went to operator {bid.operator_id}.", code="operator-not-awarded"
            )
        existing = await repo.of_award(bid.id)
        if existing is not None:
            raise state_conflict(
                f"Contract {existing.id} already follows this award.",
                "award-already-contracted",
                "selection_id",
                existing={"id": existing.id},
            )
        if data.amount_fen != bid.price_fen:
            raise RuleViolation(
                "amount_fen",
                f"The awarded price is {bid.price_fen} fen; the contract is signed at it.",
                code="amount-differs-from-award",
            )
        facility_ids = list(data.facility_ids or sel.facility_ids)
        outside = sorted(set(facility_ids) - set(sel.facility_ids))
        if outside:
            raise RuleViolation(
                "facility_ids",
                f"Facilities {outside} were not part of selection {sel.id}.",
                code="facility-not-in-selection",
            )
        operator_id, method, purchaser, bid_id = bid.operator_id, sel.method, sel.purchaser_subdistrict, bid.id
    else:
        if data.procurement_method not in (None, "single_source"):
            raise RuleViolation(
                "selection_id",
                f"A {data.procurement_method} contract follows a selection's award: name the selection.",
                code="selection-required",
            )
        if data.operator_id is None:
            raise RuleViolation(
                "operator_id", "Name the operator of a single-source contract.", code="operator-required"
            )
        if not data.justification:
            raise RuleViolation(
                "justification", "A single-source contract states why (单一来源理由).", code="justification-required"
            )
        if not data.facility_ids:
            raise RuleViolation("facility_ids", "Name the facilities the contract covers.", code="facilities-required")
        purchaser = data.purchaser_subdistrict
        if principal.subdistrict is not None:
            if purchaser not in (None, principal.subdistrict):
                raise Forbidden(f"You act for subdistrict {principal.subdistrict}; this contract names {purchaser}.")
            purchaser = principal.subdistrict
        operator_id, method, facility_ids = data.operator_id, "single_source", list(data.facility_ids)
    if len(set(facility_ids)) != len(facility_ids):
        raise RuleViolation("facility_ids", "A facility is named twice.", code="facility-duplicate")
    operator = await OperatorRepository(session).get(operator_id)
    if operator is None:
        raise RuleViolation("operator_id", f"No operator {operator_id}.", code="unknown-operator")
    if operator.status == "blacklisted":
        raise state_conflict(f"Operator {operator_id} is blacklisted.", "operator-not-qualified", "operator_id")
    await _check_scheme(session, data.evaluation_scheme_id)
    if data.reference and await repo.by_reference(data.reference) is not None:
        raise state_conflict(
            f"A contract with reference {data.reference} already exists.", "duplicate-reference", "reference"
        )
    await _check_overlap(repo, facility_ids, data.starts_on, data.ends_on, None)
    now = clock.now()
    c = Contract(
        reference=data.reference or f"tmp-{uuid.uuid4().hex[:24]}",
        title=data.title,
        selection_id=data.selection_id,
        bid_id=bid_id,
        operator_id=operator_id,
        purchaser_subdistrict=purchaser,
        procurement_method=method,
        justification=data.justification,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        amount_fen=data.amount_fen,
        service_standards=list(data.service_standards),
        kpi_targets=data.kpi_targets.model_dump(mode="json", exclude_none=True),
        evaluation_scheme_id=data.evaluation_scheme_id,
        status="draft",
        version=1,
        created_by=principal.sub,
        created_at=now,
        updated_at=now,
    )
    rows_check = _instalment_rows(0, data.instalments, data.amount_fen, data.starts_on, data.ends_on)
    repo.add(c)
    try:
        await repo.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise state_conflict(
            "Another contract took this reference at the same moment.", "duplicate-reference", "reference"
        ) from exc
    if not data.reference:
        c.reference = f"DCHT-{clock.local_now().year}-{c.id:05d}"
    await repo.set_facilities(c.id, facility_ids)
    for row in rows_check:
        row.contract_id = c.id
        repo.add_part(row)
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=c.id,
        action="created",
        to_state="draft",
        details={
            "selection_id": c.selection_id,
            "operator_id": operator_id,
            "facility_ids": facility_ids,
            "amount_fen": c.amount_fen,
        },
    )
    await session.commit()
    return await read(session, c)


async def update_contract(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    contract_id: int,
    data: ContractUpdate,
    if_match: IfMatch,
    unknown_facilities: UnknownFacilities,
    subdistricts_of: FacilitySubdistricts | None = None,
) -> ContractView:
    if data.facility_ids is not None:
        await require_registered(unknown_facilities, data.facility_ids)
    if principal.subdistrict is not None:
        await _require_facilities_within(session, principal, contract_id, data.facility_ids, subdistricts_of)
    c = await get_visible(session, contract_id=contract_id, viewer=principal, for_update=True)
    access.require_manage(principal, c.purchaser_subdistrict, "contract")
    if_match.check(c.version)
    if c.status != "draft":
        raise state_conflict(f"Only a draft contract is edited; this one is {c.status}.", "contract-not-editable")
    repo = ContractRepository(session)
    patch = data.model_dump(exclude_unset=True)
    as_json = data.model_dump(exclude_unset=True, mode="json")
    changes: dict[str, Any] = {}
    for field in ("title", "starts_on", "ends_on", "amount_fen", "service_standards", "evaluation_scheme_id"):
        if field in patch and jsonable(getattr(c, field)) != jsonable(patch[field]):
            changes[field] = [jsonable(getattr(c, field)), jsonable(patch[field])]
            setattr(c, field, patch[field])
    if "kpi_targets" in patch:
        targets = {k: v for k, v in as_json["kpi_targets"].items() if v is not None}
        if targets != c.kpi_targets:
            changes["kpi_targets"] = [c.kpi_targets, targets]
            c.kpi_targets = targets
    _check_period(c.starts_on, c.ends_on)
    await _check_scheme(session, c.evaluation_scheme_id)
    facility_ids = await repo.facility_ids(c.id)
    if "facility_ids" in patch and sorted(patch["facility_ids"]) != facility_ids:
        if c.selection_id is not None:
            sel = await SelectionRepository(session).get(c.selection_id)
            outside = sorted(set(patch["facility_ids"]) - set(sel.facility_ids if sel else []))
            if outside:
                raise RuleViolation(
                    "facility_ids",
                    f"Facilities {outside} were not part of selection {c.selection_id}.",
                    code="facility-not-in-selection",
                )
        changes["facility_ids"] = [facility_ids, sorted(patch["facility_ids"])]
        facility_ids = sorted(set(patch["facility_ids"]))
    if c.selection_id is not None and "amount_fen" in changes:
        bid = await SelectionRepository(session).bid(c.bid_id) if c.bid_id else None
        if bid is not None and c.amount_fen != bid.price_fen:
            raise RuleViolation(
                "amount_fen",
                f"The awarded price is {bid.price_fen} fen; the contract is signed at it.",
                code="amount-differs-from-award",
            )
    instalments = (
        [InstalmentIn.model_validate(i) for i in as_json["instalments"]]
        if "instalments" in patch
        else [
            InstalmentIn(due_on=i.due_on, amount_fen=i.amount_fen, linked_period=i.linked_period)
            for i in await repo.instalments(c.id)
        ]
    )
    rows = _instalment_rows(c.id, instalments, c.amount_fen, c.starts_on, c.ends_on)
    if "instalments" in patch:
        changes["instalments"] = as_json["instalments"]
    if not changes:
        return await read(session, c)
    await _check_overlap(repo, facility_ids, c.starts_on, c.ends_on, c.id)
    if "facility_ids" in changes:
        await repo.set_facilities(c.id, facility_ids)
    if "instalments" in changes or "amount_fen" in changes:
        await repo.replace_instalments(c.id, rows)
    now = clock.now()
    c.version += 1
    c.updated_at = now
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=c.id,
        action="updated",
        details={"changes": changes},
    )
    await session.commit()
    return await read(session, c)


# -- state changes ----------------------------------------------------------------------------------
async def _end(
    session: AsyncSession,
    c: Contract,
    *,
    principal: Principal,
    clock: Clock,
    new: str,
    reason: str,
    facility_ids: list[int],
) -> None:
    today = clock.local_now().date()
    c.ended_on = c.ends_on if new == "expired" else min(today, c.ends_on)
    expired = await contract_ended(session, ContractEnded(c, principal=principal, clock=clock))
    await outbox.record(
        session,
        "contract.ended",
        {
            "contract_id": c.id,
            "operator_id": c.operator_id,
            "facility_ids": facility_ids,
            "reason": new,
            "detail": reason,
            "ended_on": c.ended_on.isoformat(),
            "expired_fee_application_ids": expired,
        },
        subject=f"contract/{c.id}",
        actor=principal.sub,
        at=clock.now(),
    )


async def _require_facilities_within(
    session: AsyncSession,
    principal: Principal,
    contract_id: int,
    facility_ids: list[int] | None,
    subdistricts_of: FacilitySubdistricts | None,
) -> None:
    """A subdistrict official changes, activates or renews a contract only when every facility it holds
    (or will hold) lies in their subdistrict; asked before anything is locked."""
    if facility_ids is None:
        c = await get_visible(session, contract_id=contract_id, viewer=principal)
        facility_ids = await ContractRepository(session).facility_ids(c.id)
        await end_read_transaction(session)
    await require_within_subdistrict(subdistricts_of, facility_ids, principal, "contract")


async def change_status(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    contract_id: int,
    data: ContractStatusChange,
    if_match: IfMatch,
    subdistricts_of: FacilitySubdistricts | None = None,
) -> ContractView:
    if principal.subdistrict is not None and data.status == "active":
        await _require_facilities_within(session, principal, contract_id, None, subdistricts_of)
    c = await get_visible(session, contract_id=contract_id, viewer=principal, for_update=True)
    access.require_manage(principal, c.purchaser_subdistrict, "contract")
    if_match.check(c.version, required=False)
    await apply_status(session, c, principal=principal, clock=clock, new=data.status, reason=data.reason)
    await session.commit()
    return await read(session, c)


async def apply_status(
    session: AsyncSession, c: Contract, *, principal: Principal, clock: Clock, new: str, reason: str
) -> None:
    """Move a contract along its transition table (no commit: the caller's use case commits)."""
    old = c.status
    if not transition_allowed(old, new):
        raise transition_conflict("contract", old, new, TRANSITIONS)
    repo = ContractRepository(session)
    today = clock.local_now().date()
    now = clock.now()
    facility_ids = await repo.facility_ids(c.id)
    if new == "active":
        operator = await OperatorRepository(session).get(c.operator_id)
        if operator is None or operator.status != "qualified":
            raise state_conflict(
                f"Operator {c.operator_id} is {operator.status if operator else 'unknown'}; only a qualified operator's contract runs.",
                "operator-not-qualified",
            )
        if old == "draft":
            if today > c.ends_on:
                raise state_conflict(
                    f"The contract period ended on {c.ends_on}; it can no longer start.", "contract-period-over"
                )
            await _check_overlap(repo, facility_ids, c.starts_on, c.ends_on, c.id)
    if new == "expired" and today <= c.ends_on:
        raise state_conflict(f"The contract runs until {c.ends_on}; it expires after that day.", "contract-not-due")
    c.status = new
    c.status_reason = reason
    c.version += 1
    c.updated_at = now
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=c.id,
        action="status_changed",
        from_state=old,
        to_state=new,
        reason=reason,
    )
    subject = f"contract/{c.id}"
    if new == "active" and old == "draft":
        c.activated_at = now
        # Signed before its start date: the facilities stay with whoever runs them until that day,
        # when the start sweep hands them over.
        if today >= c.starts_on:
            await _hand_over(session, c, principal=principal, clock=clock, facility_ids=facility_ids)
    elif new == "active":
        if c.handed_over_at is None and c.starts_on <= today <= c.ends_on:
            await _hand_over(session, c, principal=principal, clock=clock, facility_ids=facility_ids)
        await outbox.record(
            session,
            "contract.resumed",
            {"contract_id": c.id, "operator_id": c.operator_id, "facility_ids": facility_ids, "reason": reason},
            subject=subject,
            actor=principal.sub,
            at=now,
        )
    elif new == "suspended":
        await outbox.record(
            session,
            "contract.suspended",
            {"contract_id": c.id, "operator_id": c.operator_id, "facility_ids": facility_ids, "reason": reason},
            subject=subject,
            actor=principal.sub,
            at=now,
        )
    elif new in ("terminated", "expired"):
        await _end(session, c, principal=principal, clock=clock, new=new, reason=reason, facility_ids=facility_ids)
    await repo.flush()


async def _hand_over(
    session: AsyncSession, c: Contract, *, principal: Principal, clock: Clock, facility_ids: list[int]
) -> None:
    """The facilities pass to the operator (contract.started, which facilities-api applies); once."""
    now = clock.now()
    c.handed_over_at = now
    operator_name = (await OperatorRepository(session).names([c.operator_id])).get(c.operator_id, "")
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=c.id,
        action="handed_over",
        details={"facility_ids": facility_ids, "starts_on": c.starts_on},
    )
    await outbox.record(
        session,
        "contract.started",
        {
            "contract_id": c.id,
            "operator_id": c.operator_id,
            "operator_name": operator_name,
            "facility_ids": facility_ids,
            "starts_on": c.starts_on.isoformat(),
            "ends_on": c.ends_on.isoformat(),
        },
        subject=f"contract/{c.id}",
        actor=principal.sub,
        at=now,
    )


async def start_due(session: AsyncSession, *, principal: Principal, clock: Clock) -> list[int]:
    """Hand over the facilities of every active contract whose start date has come (Asia/Shanghai)."""
    repo = ContractRepository(session)
    today = clock.local_now().date()
    started = []
    for c in await repo.due_to_start(today):
        locked = await repo.get_for_update(c.id)
        if locked is None or locked.status != "active" or locked.handed_over_at is not None or locked.starts_on > today:
            continue
        await _hand_over(
            session, locked, principal=principal, clock=clock, facility_ids=await repo.facility_ids(locked.id)
        )
        locked.version += 1
        locked.updated_at = clock.now()
        started.append(locked.id)
    await session.commit()
    return started


async def expire_due(session: AsyncSession, *, principal: Principal, clock: Clock) -> list[int]:
    """End every running contract whose period is over (the daily sweep)."""
    repo = ContractRepository(session)
    expired = []
    for c in await repo.due_to_expire(clock.local_now().date()):
        locked = await repo.get_for_update(c.id)
        if locked is None or locked.status not in RUNNING:
            continue
        await apply_status(
            session, locked, principal=principal, clock=clock, new="expired", reason=f"合同期满（{locked.ends_on}）"
        )
        expired.append(locked.id)
    await session.commit()
    return expired


async def sweep(session: AsyncSession, *, principal: Principal, clock: Clock) -> dict[str, list[int]]:
    """The contract sweep: expire what is over, then hand over what starts today (a facility whose old
    contract ended yesterday passes to the new one in the same run)."""
    expired = await expire_due(session, principal=principal, clock=clock)
    started = await start_due(session, principal=principal, clock=clock)
    return {"expired_contract_ids": expired, "started_contract_ids": started}


async def renewal_eligibility(session: AsyncSession, c: Contract) -> tuple[bool, str]:
    """Whether the contract may be renewed, and why: not once termination is proposed; otherwise as its
    published evaluations say."""
    if c.termination_proposed_at is not None:
        return False, "termination has been proposed for this contract"
    return await evaluations().renewal_standing(session, c.id)


async def renew(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    contract_id: int,
    data: RenewalCreate,
    subdistricts_of: FacilitySubdistricts | None = None,
) -> ContractView:
    if principal.subdistrict is not None:
        await _require_facilities_within(session, principal, contract_id, None, subdistricts_of)
    c = await get_visible(session, contract_id=contract_id, viewer=principal, for_update=True)
    access.require_manage(principal, c.purchaser_subdistrict, "contract")
    if c.status not in ("active", "expired"):
        raise state_conflict(
            f"An active or expired contract is renewed; this one is {c.status}.", "contract-not-renewable"
        )
    repo = ContractRepository(session)
    existing = await repo.renewal_of(c.id)
    if existing is not None:
        raise state_conflict(
            f"Contract {existing.id} already renews this one.", "already-renewed", existing={"id": existing.id}
        )
    eligible, why = await renewal_eligibility(session, c)
    if not eligible:
        raise state_conflict(f"Not eligible for renewal: {why}.", "renewal-not-eligible")
    starts_on = data.starts_on or c.ends_on + timedelta(days=1)
    _check_period(starts_on, data.ends_on)
    facility_ids = await repo.facility_ids(c.id)
    await _check_overlap(repo, facility_ids, starts_on, data.ends_on, None)
    rows = _instalment_rows(0, data.instalments, data.amount_fen, starts_on, data.ends_on)
    now = clock.now()
    new = Contract(
        reference=f"tmp-{uuid.uuid4().hex[:24]}",
        title=c.title,
        selection_id=c.selection_id,
        bid_id=c.bid_id,
        operator_id=c.operator_id,
        purchaser_subdistrict=c.purchaser_subdistrict,
        procurement_method=c.procurement_method,
        justification=c.justification,
        starts_on=starts_on,
        ends_on=data.ends_on,
        amount_fen=data.amount_fen,
        service_standards=list(c.service_standards),
        kpi_targets=dict(c.kpi_targets),
        evaluation_scheme_id=c.evaluation_scheme_id,
        status="draft",
        renewed_from_id=c.id,
        version=1,
        created_by=principal.sub,
        created_at=now,
        updated_at=now,
    )
    repo.add(new)
    await repo.flush()
    new.reference = f"{c.reference}-R{new.id}"[:40]
    await repo.set_facilities(new.id, facility_ids)
    for row in rows:
        row.contract_id = new.id
        repo.add_part(row)
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=new.id,
        action="created",
        to_state="draft",
        reason=data.reason,
        details={"renews": c.id},
    )
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=c.id,
        action="renewed",
        reason=data.reason,
        details={"renewal_id": new.id, "eligibility": why},
    )
    await outbox.record(
        session,
        "contract.renewed",
        {"contract_id": c.id, "renewal_contract_id": new.id, "operator_id": c.operator_id, "reason": data.reason},
        subject=f"contract/{c.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return await read(session, new)


async def record_payment(
    session: AsyncSession, *, principal: Principal, clock: Clock, contract_id: int, seq: int, data: PaymentCreate
) -> ContractView:
    c = await get_visible(session, contract_id=contract_id, viewer=principal, for_update=True)
    access.require_manage(principal, c.purchaser_subdistrict, "contract")
    if c.status in ("draft", "cancelled"):
        raise state_conflict(f"Nothing is paid on a {c.status} contract.", "contract-not-payable")
    repo = ContractRepository(session)
    inst = await repo.instalment_for_update(c.id, seq)
    if inst is None:
        raise NotFound(f"Contract {contract_id} has no instalment {seq}.")
    if inst.paid_on is not None:
        raise state_conflict(f"Instalment {seq} was paid on {inst.paid_on}.", "instalment-paid")
    if inst.linked_period and inst.adjusted_amount_fen is None:
        raise state_conflict(
            f"Instalment {seq} depends on the evaluation of {inst.linked_period}; publish it first.",
            "instalment-awaits-evaluation",
        )
    if inst.evaluation_id is not None:
        # Four eyes: whoever decided the grade that set this amount (published the evaluation, or
        # upheld its appeal) does not also record the payment.
        deciders = await evaluations().grade_deciders(session, inst.evaluation_id)
        if principal.sub in deciders:
            raise Forbidden(
                f"You decided the grade of evaluation {inst.evaluation_id}, which set this instalment's amount; "
                "another official records its payment (separation of duties).",
                slug="same-official",
            )
    if data.paid_on > clock.local_now().date():
        raise RuleViolation("paid_on", "A payment is recorded once made, not ahead.", code="date-in-future")
    payable = inst.adjusted_amount_fen if inst.adjusted_amount_fen is not None else inst.amount_fen
    amount = payable if data.amount_fen is None else data.amount_fen
    if amount > payable:
        raise RuleViolation("amount_fen", f"At most {payable} fen is payable on instalment {seq}.", code="overpayment")
    now = clock.now()
    inst.paid_on = data.paid_on
    inst.paid_amount_fen = amount
    inst.payment_reference = data.payment_reference or None
    c.version += 1
    c.updated_at = now
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=c.id,
        action="instalment_paid",
        details={
            "seq": seq,
            "paid_on": data.paid_on,
            "amount_fen": amount,
            "payment_reference": data.payment_reference,
        },
    )
    await outbox.record(
        session,
        "contract.instalment_paid",
        {"contract_id": c.id, "seq": seq, "paid_on": data.paid_on.isoformat(), "amount_fen": amount},
        subject=f"contract/{c.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return await read(session, c)
