from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from operators_api.clients import facility_subdistricts, unknown_facilities
from operators_api.contracts import service
from operators_api.contracts.repository import ContractFilter
from operators_api.contracts.schemas import (
    ContractCreate,
    ContractRead,
    ContractStatus,
    ContractStatusChange,
    ContractUpdate,
    ExpirySweep,
    PaymentCreate,
    RenewalCreate,
    RenewalEligibility,
)
from operators_api.dependencies import ClockDep
from operators_api.gates import Official, OfficialOrService, Viewer
from service_kit.db import SessionDep
from service_kit.etag import IfMatchDep, set_etag
from service_kit.pagination import Page, PageParams, page_params
from service_kit.params import INT32_MAX, ResourceId
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1/contracts", tags=["contracts"])


@router.get(
    "",
    response_model=Page[ContractRead],
    summary="Find contracts (drafts: officials, auditors, the operator's staff)",
    responses=problems(401, 422),
)
async def list_contracts(
    session: SessionDep,
    viewer: Viewer,
    page: Annotated[PageParams, Depends(page_params)],
    operator_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    facility_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    selection_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    status: ContractStatus | None = None,
) -> Page[ContractRead]:
    filters = ContractFilter(operator_id=operator_id, facility_id=facility_id, status=status, selection_id=selection_id)
    found = await service.list_contracts(session, viewer=viewer, filters=filters, cursor=page.cursor, limit=page.limit)
    return Page(items=[ContractRead.of(v) for v in found.items], next_cursor=found.next_cursor)


@router.post(
    "",
    response_model=ContractRead,
    status_code=201,
    summary="Draw up a contract from an award, or directly for single source (officials)",
    responses=problems(401, 403, 409, 422, 503),
)
async def create_contract(
    body: ContractCreate,
    request: Request,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
    response: Response,
) -> ContractRead:
    view = await service.create_contract(
        session,
        principal=principal,
        clock=clock,
        data=body,
        unknown_facilities=unknown_facilities(request),
        subdistricts_of=facility_subdistricts(request),
    )
    response.headers["Location"] = f"/api/v1/contracts/{view.contract.id}"
    set_etag(response, view.contract.version)
    return ContractRead.of(view)


@router.post(
    "/expiry-sweep/runs",
    response_model=ExpirySweep,
    summary="The contract sweep: expire every running contract whose period is over, and hand over the facilities of every "
    "active contract whose start date has come (also runs in the background)",
    responses=problems(401, 403),
)
async def expiry_sweep(session: SessionDep, principal: OfficialOrService, clock: ClockDep) -> ExpirySweep:
    return ExpirySweep.model_validate(await service.sweep(session, principal=principal, clock=clock))


@router.get("/{contract_id}", response_model=ContractRead, responses=problems(401, 404))
async def get_contract(
    contract_id: ResourceId, session: SessionDep, viewer: Viewer, response: Response
) -> ContractRead:
    view = await service.get_contract(session, contract_id=contract_id, viewer=viewer)
    set_etag(response, view.contract.version)
    return ContractRead.of(view)


@router.patch(
    "/{contract_id}",
    response_model=ContractRead,
    summary="Edit a draft contract (merge patch; send If-Match)",
    responses=problems(401, 403, 404, 409, 412, 422, 428, 503),
)
async def update_contract(
    contract_id: ResourceId,
    body: ContractUpdate,
    request: Request,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
) -> ContractRead:
    view = await service.update_contract(
        session,
        principal=principal,
        clock=clock,
        contract_id=contract_id,
        data=body,
        if_match=if_match,
        unknown_facilities=unknown_facilities(request),
        subdistricts_of=facility_subdistricts(request),
    )
    set_etag(response, view.contract.version)
    return ContractRead.of(view)


@router.post(
    "/{contract_id}/status",
    response_model=ContractRead,
    summary="Activate, suspend, resume (active), terminate, expire or cancel a contract, with the reason",
    responses=problems(401, 403, 404, 409, 412, 422, 503),
)
async def change_status(
    contract_id: ResourceId,
    body: ContractStatusChange,
    request: Request,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
) -> ContractRead:
    view = await service.change_status(
        session,
        principal=principal,
        clock=clock,
        contract_id=contract_id,
        data=body,
        if_match=if_match,
        subdistricts_of=facility_subdistricts(request),
    )
    set_etag(response, view.contract.version)
    return ContractRead.of(view)


@router.get(
    "/{contract_id}/renewal-eligibility",
    response_model=RenewalEligibility,
    summary="Whether the contract may be renewed, from its evaluations",
    responses=problems(401, 404),
)
async def renewal_eligibility(contract_id: ResourceId, session: SessionDep, viewer: Viewer) -> RenewalEligibility:
    c = await service.get_visible(session, contract_id=contract_id, viewer=viewer)
    eligible, reason = await service.renewal_eligibility(session, c)
    return RenewalEligibility(contract_id=c.id, eligible=eligible, reason=reason)


@router.post(
    "/{contract_id}/renewal",
    response_model=ContractRead,
    status_code=201,
    summary="Renew: a new draft contract for the same operator and facilities (needs the evaluations to allow it)",
    responses=problems(401, 403, 404, 409, 422, 503),
)
async def renew(
    contract_id: ResourceId,
    body: RenewalCreate,
    request: Request,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
    response: Response,
) -> ContractRead:
    view = await service.renew(
        session,
        principal=principal,
        clock=clock,
        contract_id=contract_id,
        data=body,
        subdistricts_of=facility_subdistricts(request),
    )
    response.headers["Location"] = f"/api/v1/contracts/{view.contract.id}"
    return ContractRead.of(view)


@router.post(
    "/{contract_id}/instalments/{seq}/payment",
    response_model=ContractRead,
    summary="Record the payment of an instalment (a linked one after its evaluation is published)",
    responses=problems(401, 403, 404, 409, 422),
)
async def record_payment(
    contract_id: ResourceId,
    seq: Annotated[int, Path(ge=1, le=1000)],
    body: PaymentCreate,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
) -> ContractRead:
    view = await service.record_payment(
        session, principal=principal, clock=clock, contract_id=contract_id, seq=seq, data=body
    )
    return ContractRead.of(view)
