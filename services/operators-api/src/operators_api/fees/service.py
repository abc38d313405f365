"""Use cases of preferential fees (优惠收费): the guideline (versioned), applications checked against
it automatically (the service must be a non-basic one of a facility under the applicant's active
contract: asked of facilities-api), decisions, revocation. An approval announces fee.approved, which
lets facilities-api publish that fee; it expires with the contract."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from operators_api import access
from operators_api.audit import service as audit
from operators_api.clients.base import DependencyError
from operators_api.contracts.repository import ContractRepository
from operators_api.contracts.signals import ContractEnded, on_contract_ended
from operators_api.events import outbox
from operators_api.fees.models import FeeApplication, FeeGuideline
from operators_api.fees.repository import FeeFilter, FeeRepository
from operators_api.fees.rules import TRANSITIONS, UnknownBasicHistory, basic_during, check
from operators_api.fees.schemas import Decision, FeeApplicationCreate, GuidelineRead, GuidelineUpdate
from operators_api.reads import Listing, oldest_first
from operators_api.shared import (
    end_read_transaction,
    state_conflict,
    transition_conflict,
)
from service_kit.auth import Principal
from service_kit.clock import DISTRICT_TZ, Clock
from service_kit.etag import IfMatch
from service_kit.pagination import decode_id_cursor
from service_kit.problems import Forbidden, RuleViolation, ServiceUnavailable

ENTITY = "fee_application"
# (facility id, service id) → the service with its basic history (None: no such facility or service);
# raises DependencyError when it cannot say.
ServiceLookup = Callable[[int, int], Awaitable[dict[str, Any] | None]]


async def get_guideline(session: AsyncSession) -> FeeGuideline | None:
    """The guideline in force; None while the built-in default applies."""
    return await FeeRepository(session).guideline()


async def set_guideline(
    session: AsyncSession, *, principal: Principal, clock: Clock, data: GuidelineUpdate, if_match: IfMatch
) -> FeeGuideline:
    access.require_district_official(principal, "set the preferential-fee guideline")
    repo = FeeRepository(session)
    current = await repo.guideline()
    version = current.version if current else 0
    if_match.check(version)
    now = clock.now()
    g = FeeGuideline(
        version=version + 1,
        cap_percent_of_market=data.cap_percent_of_market,
        min_special_group_free_percent=data.min_special_group_free_percent,
        max_special_group_price_percent=data.max_special_group_price_percent,
        allowed_categories=list(dict.fromkeys(data.allowed_categories)),
        note=data.note,
        created_by=principal.sub,
        created_at=now,
    )
    repo.add_guideline(g)
    await repo.flush()
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="fee_guideline",
        entity_id=g.version,
        action="set",
        details=GuidelineRead.of(g).model_dump(),
    )
    await outbox.record(
        session,
        "fee.guideline_changed",
        GuidelineRead.of(g).model_dump() | {"created_at": now.isoformat()},
        subject=f"fee-guideline/{g.version}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return g


async def _service_offered(
    service_of: ServiceLookup, facility_id: int, service_id: int, *, contract_starts_on: date, now: datetime
) -> dict[str, Any]:
    """The service as facilities-api records it, refused when it was basic at any time between the
    contract's start and now (a basic service stays free whoever operates the facility)."""
    try:
        service = await service_of(facility_id, service_id)
    except DependencyError as exc:
        raise ServiceUnavailable(
            f"facilities-api could not confirm the service ({exc.message}); nothing was saved, try again later.",
            slug="dependency-unavailable",
        ) from exc
    if service is None:
        raise RuleViolation(
            "service_id",
            f"facilities-api knows no service {service_id} of facility {facility_id}.",
            code="unknown-service",
        )
    since = datetime.combine(contract_starts_on, time.min, tzinfo=DISTRICT_TZ)
    try:
        basic = basic_during(service, since, now)
    except UnknownBasicHistory as exc:
        raise ServiceUnavailable(
            f"facilities-api did not say when the service was basic ({exc}); nothing was saved, try again later.",
            slug="dependency-unavailable",
        ) from exc
    if basic is not None:
        raise RuleViolation(
            "service_id",
            f"A basic public cultural service (基本公共文化服务) is always free, whoever operates the facility: {basic}, "
            f"within the contract (from {contract_starts_on}). No fee may be applied for or approved.",
            code="basic-service-free",
        )
    return service


async def submit(
    session: AsyncSession, *, principal: Principal, clock: Clock, data: FeeApplicationCreate, service_of: ServiceLookup
) -> FeeApplication:
    operator_id = access.acting_operator(principal, "apply for a preferential fee")
    contracts = ContractRepository(session)
    contract = await contracts.get(data.contract_id)
    if contract is None or contract.operator_id != operator_id:
        raise RuleViolation(
            "contract_id", f"Contract {data.contract_id} is not one of your operator's.", code="not-your-contract"
        )
    if contract.status != "active":
        raise state_conflict(
            f"Contract {contract.id} is {contract.status}; fees are applied for under an active contract.",
            "contract-not-active",
            "contract_id",
        )
    if data.facility_id not in await contracts.facility_ids(contract.id):
        raise RuleViolation(
            "facility_id",
            f"Facility {data.facility_id} is not under contract {contract.id}.",
            code="facility-not-in-contract",
        )
    repo = FeeRepository(session)
    live = await repo.live_for_service(data.facility_id, data.service_id)
    if live is not None:
        raise state_conflict(
            f"Application {live.id} for this service is {live.status}.",
            "fee-application-exists",
            existing={"id": live.id},
        )
    guideline = GuidelineRead.of(await repo.guideline()).model_dump()
    await end_read_transaction(session)
    service = await _service_offered(
        service_of, data.facility_id, data.service_id, contract_starts_on=contract.starts_on, now=clock.now()
    )
    rules = check(
        guideline,
        category=str(service.get("category", "")),
        market_price_fen=data.market_price_fen,
        proposed_fee_fen=data.proposed_fee_fen,
        free_percent=data.special_group_free_percent,
        special_fee_fen=data.special_group_fee_fen,
    )
    broken = next((r for r in rules if not r["ok"]), None)
    if broken is not None:
        raise RuleViolation(
            broken["field"], broken["message"], code=broken["code"], guideline_version=guideline["version"]
        )
    # The write: re-check what may have changed while facilities-api was asked.
    contract = await contracts.get_for_update(data.contract_id)
    if contract is None or contract.status != "active":
        raise state_conflict(f"Contract {data.contract_id} is no longer active.", "contract-not-active", "contract_id")
    live = await repo.live_for_service(data.facility_id, data.service_id)
    if live is not None:
        raise state_conflict(
            f"Application {live.id} for this service is {live.status}.",
            "fee-application-exists",
            existing={"id": live.id},
        )
    now = clock.now()
    app = FeeApplication(
        operator_id=operator_id,
        contract_id=contract.id,
        facility_id=data.facility_id,
        service_id=data.service_id,
        service_name=str(service.get("name_zh", ""))[:200],
        service_category=str(service.get("category", ""))[:40],
        market_price_fen=data.market_price_fen,
        proposed_fee_fen=data.proposed_fee_fen,
        special_group_free_percent=data.special_group_free_percent,
        special_group_fee_fen=data.special_group_fee_fen,
        justification=data.justification,
        guideline_version=guideline["version"],
        guideline_check={"rules": rules, "checked_at": now.isoformat()},
        status="submitted",
        submitted_by=principal.sub,
        submitted_at=now,
        updated_at=now,
        version=1,
    )
    repo.add(app)
    await repo.flush()
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=app.id,
        action="submitted",
        to_state="submitted",
    )
    await outbox.record(
        session,
        "fee.submitted",
        {
            "application_id": app.id,
            "operator_id": operator_id,
            "contract_id": contract.id,
            "facility_id": app.facility_id,
            "service_id": app.service_id,
            "proposed_fee_fen": app.proposed_fee_fen,
        },
        subject=f"fee-application/{app.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return app


async def get_visible(
    session: AsyncSession, *, application_id: int, viewer: Principal, for_update: bool = False
) -> FeeApplication:
    repo = FeeRepository(session)
    app = await repo.get_or_404(application_id, for_update=for_update)
    access.require_reader(viewer, app.operator_id, "fee application", application_id)
    return app


async def list_applications(
    session: AsyncSession, *, viewer: Principal, filters: FeeFilter, cursor: str | None, limit: int
) -> Listing[FeeApplication]:
    if not access.reads_all(viewer):
        if viewer.role != "operator" or viewer.operator_id is None:
            raise Forbidden("Fee applications are shown to officials, auditors and the applying operator.")
        filters = FeeFilter(
            operator_id=viewer.operator_id,
            contract_id=filters.contract_id,
            facility_id=filters.facility_id,
            status=filters.status,
        )
    rows = await FeeRepository(session).find(filters, after_id=decode_id_cursor(cursor), limit=limit + 1)
    return oldest_first(rows, limit)


async def decide(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    application_id: int,
    data: Decision,
    service_of: ServiceLookup | None = None,
) -> FeeApplication:
    if data.decision == "approved":
        # Asked again before approving: the service may have been made basic since the application.
        app = await get_visible(session, application_id=application_id, viewer=principal)
        contract = await ContractRepository(session).get(app.contract_id)
        assert contract is not None
        access.require_manage(principal, contract.purchaser_subdistrict, "fee application")
        if service_of is None:
            raise ServiceUnavailable(
                "The service could not be checked with facilities-api; nothing was decided.",
                slug="dependency-unavailable",
            )
        await end_read_transaction(session)
        await _service_offered(
            service_of, app.facility_id, app.service_id, contract_starts_on=contract.starts_on, now=clock.now()
        )
    app = await get_visible(session, application_id=application_id, viewer=principal, for_update=True)
    contract = await ContractRepository(session).get_for_update(app.contract_id)
    assert contract is not None
    access.require_manage(principal, contract.purchaser_subdistrict, "fee application")
    old, new = app.status, data.decision
    if new not in TRANSITIONS[old]:
        raise transition_conflict("fee application", old, new, TRANSITIONS)
    now = clock.now()
    if new == "approved":
        if contract.status != "active":
            raise state_conflict(
                f"Contract {contract.id} is {contract.status}; only a fee under an active contract is approved.",
                "contract-not-active",
            )
        app.expires_on = contract.ends_on
    app.status = new
    app.decision_reason = data.reason
    app.decided_by = principal.sub
    app.decided_at = now
    app.version += 1
    app.updated_at = now
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=app.id,
        action=new,
        from_state=old,
        to_state=new,
        reason=data.reason,
    )
    if new == "approved":
        await outbox.record(
            session,
            "fee.approved",
            {
                "application_id": app.id,
                "operator_id": app.operator_id,
                "contract_id": app.contract_id,
                "facility_id": app.facility_id,
                "service_id": app.service_id,
                "approved_fee_fen": app.proposed_fee_fen,
                "expires_on": contract.ends_on.isoformat(),
            },
            subject=f"fee-application/{app.id}",
            actor=principal.sub,
            at=now,
        )
    else:
        await outbox.record(
            session,
            "fee.rejected",
            {"application_id": app.id, "operator_id": app.operator_id, "reason": data.reason},
            subject=f"fee-application/{app.id}",
            actor=principal.sub,
            at=now,
        )
    await session.commit()
    return app


async def revoke(
    session: AsyncSession, *, principal: Principal, clock: Clock, application_id: int, reason: str
) -> FeeApplication:
    app = await get_visible(session, application_id=application_id, viewer=principal, for_update=True)
    contract = await ContractRepository(session).get(app.contract_id)
    assert contract is not None
    access.require_manage(principal, contract.purchaser_subdistrict, "fee application")
    if "revoked" not in TRANSITIONS[app.status]:
        raise transition_conflict("fee application", app.status, "revoked", TRANSITIONS)
    now = clock.now()
    old = app.status
    app.status, app.decision_reason, app.decided_by, app.decided_at = "revoked", reason, principal.sub, now
    app.version += 1
    app.updated_at = now
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=app.id,
        action="revoked",
        from_state=old,
        to_state="revoked",
        reason=reason,
    )
    await outbox.record(
        session,
        "fee.revoked",
        {"application_id": app.id, "facility_id": app.facility_id, "service_id": app.service_id, "reason": reason},
        subject=f"fee-application/{app.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return app


async def withdraw(
    session: AsyncSession, *, principal: Principal, clock: Clock, application_id: int, reason: str
) -> FeeApplication:
    app = await get_visible(session, application_id=application_id, viewer=principal, for_update=True)
    if not access.is_staff_of(principal, app.operator_id):
        raise Forbidden("Only the applying operator's staff withdraw an application.")
    if "withdrawn" not in TRANSITIONS[app.status]:
        raise transition_conflict("fee application", app.status, "withdrawn", TRANSITIONS)
    now = clock.now()
    app.status, app.decision_reason = "withdrawn", reason
    app.version += 1
    app.updated_at = now
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=app.id,
        action="withdrawn",
        from_state="submitted",
        to_state="withdrawn",
        reason=reason,
    )
    await session.commit()
    return app


@on_contract_ended
async def expire_with_contract(session: AsyncSession, event: ContractEnded) -> list[int]:
    """The contract's approved fees end with it: expired, and fee.expired for each, in its transaction."""
    c, principal = event.contract, event.principal
    now = event.clock.now()
    expired = []
    for app in await FeeRepository(session).approved_of_contract(c.id):
        app.status = "expired"
        app.version += 1
        app.updated_at = now
        expired.append(app.id)
        audit.record(
            session,
            principal=principal,
            at=now,
            entity_type="fee_application",
            entity_id=app.id,
            action="expired",
            from_state="approved",
            to_state="expired",
            reason=f"contract {c.id} ended",
        )
        await outbox.record(
            session,
            "fee.expired",
            {"application_id": app.id, "facility_id": app.facility_id, "service_id": app.service_id},
            subject=f"fee-application/{app.id}",
            actor=principal.sub,
            at=now,
        )
    return expired
