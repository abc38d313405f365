from typing import Annotated

from fastapi import APIRouter, Query, Response

from facilities_api.dependencies import ClockDep, PageDep
from facilities_api.offerings import proposals, service
from facilities_api.offerings.models import ServiceProposal
from facilities_api.offerings.schemas import (
    ProposalStatus,
    ServiceCreate,
    ServiceProposalCreate,
    ServiceProposalDecision,
    ServiceProposalRead,
    ServiceRead,
    ServiceUpdate,
)
from facilities_api.offerings.service import Offered
from service_kit.auth import Principal, require_roles
from service_kit.db import SessionDep
from service_kit.etag import IfMatchDep, set_etag
from service_kit.pagination import Page
from service_kit.params import ResourceId
from service_kit.problems import problems
from service_kit.repository import Slice

router = APIRouter(prefix="/api/v1/facilities/{facility_id}/services", tags=["services offered"])
proposals_router = APIRouter(prefix="/api/v1/facilities/{facility_id}/service-proposals", tags=["services offered"])
# The district's queue of proposals, across facilities.
queue_router = APIRouter(prefix="/api/v1/service-proposals", tags=["services offered"])

# Who proposes: the facility's operator (a key with services:propose) and officials of its area.
Proposer = Annotated[Principal, require_roles("official", "operator", scope="services:propose")]
# Who reads proposals: officials, auditors, the operator's staff (a key with operator:read).
ProposalReader = Annotated[Principal, require_roles("official", "auditor", "operator", scope="operator:read")]
# Who decides: a district official; a subdistrict official is refused at the gate, before the body.
Decider = Annotated[Principal, require_roles("official", district=True)]


@router.get(
    "",
    response_model=list[ServiceRead],
    summary="The services a facility offers (服务项目), with each approved fee",
    responses=problems(404, 422),
)
async def list_services(
    facility_id: ResourceId,
    session: SessionDep,
    clock: ClockDep,
    include_inactive: Annotated[bool, Query(description="Also the services no longer offered.")] = False,
) -> list[Offered]:
    return await service.list_services(
        session, facility_id=facility_id, include_inactive=include_inactive, now=clock.now()
    )


@router.post(
    "",
    response_model=ServiceRead,
    status_code=201,
    summary="Add a service to the catalogue (district officials; others propose it); basic services are free",
    responses=problems(401, 403, 404, 415, 422),
)
async def create_service(
    principal: Annotated[Principal, require_roles("official", district=True)],
    facility_id: ResourceId,
    body: ServiceCreate,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
) -> Offered:
    read = await service.create_service(
        session, principal=principal, facility_id=facility_id, data=body, now=clock.now()
    )
    response.headers["Location"] = f"/api/v1/facilities/{facility_id}/services/{read.service.id}"
    set_etag(response, read.service.version)
    return read


@router.get("/{service_id}", response_model=ServiceRead, responses=problems(404, 422))
async def get_service(
    facility_id: ResourceId, service_id: ResourceId, session: SessionDep, clock: ClockDep, response: Response
) -> Offered:
    read = await service.get_service(session, facility_id=facility_id, service_id=service_id, now=clock.now())
    set_etag(response, read.service.version)
    return read


@router.patch(
    "/{service_id}",
    response_model=ServiceRead,
    summary="Edit a service offered (send If-Match); a fee needs an approval in force and stays under its cap",
    responses=problems(401, 403, 404, 412, 415, 422, 428),
)
async def update_service(
    principal: Annotated[Principal, require_roles("official", "operator")],
    facility_id: ResourceId,
    service_id: ResourceId,
    body: ServiceUpdate,
    response: Response,
    session: SessionDep,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> Offered:
    read = await service.update_service(
        session,
        principal=principal,
        facility_id=facility_id,
        service_id=service_id,
        data=body,
        if_match=if_match,
        now=clock.now(),
    )
    set_etag(response, read.service.version)
    return read


@proposals_router.post(
    "",
    response_model=ServiceProposalRead,
    status_code=201,
    summary="Propose a new service or a change to one (basic or not, name, description): a district official decides",
    responses=problems(401, 403, 404, 415, 422),
)
async def propose(
    principal: Proposer,
    facility_id: ResourceId,
    body: ServiceProposalCreate,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
) -> ServiceProposal:
    read = await proposals.propose(session, principal=principal, facility_id=facility_id, data=body, now=clock.now())
    response.headers["Location"] = f"/api/v1/facilities/{facility_id}/service-proposals/{read.id}"
    return read


@proposals_router.get(
    "",
    response_model=Page[ServiceProposalRead],
    summary="The proposals about a facility's services, newest first",
    responses=problems(401, 403, 404, 422),
)
async def list_facility_proposals(
    principal: ProposalReader,
    facility_id: ResourceId,
    session: SessionDep,
    page: PageDep,
    status: ProposalStatus | None = None,
) -> Slice[ServiceProposal]:
    return await proposals.list_for_facility(
        session, principal=principal, facility_id=facility_id, status=status, cursor=page.cursor, limit=page.limit
    )


@proposals_router.post(
    "/{proposal_id}/approve",
    response_model=ServiceProposalRead,
    summary="Approve a proposal (a district official other than its proposer): the catalogue changes, in the facility's history",
    responses=problems(401, 403, 404, 409, 415, 422),
)
async def approve_proposal(
    principal: Decider,
    facility_id: ResourceId,
    proposal_id: ResourceId,
    session: SessionDep,
    clock: ClockDep,
    body: ServiceProposalDecision | None = None,
) -> ServiceProposal:
    return await proposals.approve(
        session,
        principal=principal,
        facility_id=facility_id,
        proposal_id=proposal_id,
        note=body.note if body else "",
        now=clock.now(),
    )


@proposals_router.post(
    "/{proposal_id}/reject",
    response_model=ServiceProposalRead,
    summary="Reject a proposal, saying why (a district official other than its proposer)",
    responses=problems(401, 403, 404, 409, 415, 422),
)
async def reject_proposal(
    principal: Decider,
    facility_id: ResourceId,
    proposal_id: ResourceId,
    body: ServiceProposalDecision,
    session: SessionDep,
    clock: ClockDep,
) -> ServiceProposal:
    return await proposals.reject(
        session, principal=principal, facility_id=facility_id, proposal_id=proposal_id, note=body.note, now=clock.now()
    )


@queue_router.get(
    "",
    response_model=Page[ServiceProposalRead],
    summary="Proposals across the district (officials: their area's; operators: their own and their facilities'), newest first",
    responses=problems(401, 403, 422),
)
async def list_proposals(
    principal: ProposalReader, session: SessionDep, page: PageDep, status: ProposalStatus | None = None
) -> Slice[ServiceProposal]:
    return await proposals.list_all(session, principal=principal, status=status, cursor=page.cursor, limit=page.limit)
