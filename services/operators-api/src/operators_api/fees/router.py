from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from operators_api.clients import facilities_client
from operators_api.dependencies import ClockDep
from operators_api.fees import service
from operators_api.fees.repository import FeeFilter
from operators_api.fees.schemas import (
    Decision,
    FeeApplicationCreate,
    FeeApplicationRead,
    FeeStatus,
    GuidelineRead,
    GuidelineUpdate,
    Reason,
)
from operators_api.gates import DistrictOfficial, FeeApplicant, Official, Reader
from service_kit.db import SessionDep
from service_kit.etag import IfMatchDep, set_etag
from service_kit.pagination import Page, PageParams, page_params
from service_kit.params import INT32_MAX, ResourceId
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1/fee-applications", tags=["fees"])


@router.get(
    "/guideline", response_model=GuidelineRead, summary="The preferential-fee guideline in force (优惠收费服务指南)"
)
async def get_guideline(session: SessionDep, response: Response) -> GuidelineRead:
    read = GuidelineRead.of(await service.get_guideline(session))
    set_etag(response, read.version)
    return read


@router.put(
    "/guideline",
    response_model=GuidelineRead,
    summary="Set the guideline (district officials; send If-Match with the version you read)",
    responses=problems(401, 403, 412, 422, 428),
)
async def set_guideline(
    body: GuidelineUpdate,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: DistrictOfficial,
    clock: ClockDep,
) -> GuidelineRead:
    guideline = await service.set_guideline(session, principal=principal, clock=clock, data=body, if_match=if_match)
    set_etag(response, guideline.version)
    return GuidelineRead.of(guideline)


@router.get(
    "",
    response_model=Page[FeeApplicationRead],
    summary="Fee applications (officials and auditors: all; an operator's staff: their own)",
    responses=problems(401, 403, 422),
)
async def list_applications(
    session: SessionDep,
    viewer: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    contract_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    facility_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    operator_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    status: FeeStatus | None = None,
) -> Page[FeeApplicationRead]:
    filters = FeeFilter(operator_id=operator_id, contract_id=contract_id, facility_id=facility_id, status=status)
    found = await service.list_applications(
        session, viewer=viewer, filters=filters, cursor=page.cursor, limit=page.limit
    )
    return Page(items=[FeeApplicationRead.model_validate(a) for a in found.items], next_cursor=found.next_cursor)


@router.post(
    "",
    response_model=FeeApplicationRead,
    status_code=201,
    summary="Apply for a preferential fee for a non-basic service (the operator's staff; checked against the guideline)",
    responses=problems(401, 403, 409, 422, 503),
)
async def submit(
    body: FeeApplicationCreate,
    request: Request,
    session: SessionDep,
    principal: FeeApplicant,
    clock: ClockDep,
    response: Response,
) -> FeeApplicationRead:
    application = await service.submit(
        session, principal=principal, clock=clock, data=body, service_of=facilities_client(request).service
    )
    response.headers["Location"] = f"/api/v1/fee-applications/{application.id}"
    return FeeApplicationRead.model_validate(application)


@router.get("/{application_id}", response_model=FeeApplicationRead, responses=problems(401, 404))
async def get_application(application_id: ResourceId, session: SessionDep, viewer: Reader) -> FeeApplicationRead:
    application = await service.get_visible(session, application_id=application_id, viewer=viewer)
    return FeeApplicationRead.model_validate(application)


@router.post(
    "/{application_id}/decision",
    response_model=FeeApplicationRead,
    summary="Approve (announces fee.approved; the service is checked again with facilities-api) or reject, with the reason (officials)",
    responses=problems(401, 403, 404, 409, 422, 503),
)
async def decide(
    application_id: ResourceId,
    body: Decision,
    request: Request,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
) -> FeeApplicationRead:
    application = await service.decide(
        session,
        principal=principal,
        clock=clock,
        application_id=application_id,
        data=body,
        service_of=facilities_client(request).service,
    )
    return FeeApplicationRead.model_validate(application)


@router.post(
    "/{application_id}/revocation",
    response_model=FeeApplicationRead,
    summary="Revoke an approval (announces fee.revoked)",
    responses=problems(401, 403, 404, 409, 422),
)
async def revoke(
    application_id: ResourceId, body: Reason, session: SessionDep, principal: Official, clock: ClockDep
) -> FeeApplicationRead:
    application = await service.revoke(
        session, principal=principal, clock=clock, application_id=application_id, reason=body.reason
    )
    return FeeApplicationRead.model_validate(application)


@router.post(
    "/{application_id}/withdrawal",
    response_model=FeeApplicationRead,
    summary="Withdraw an application not yet decided (the operator's staff)",
    responses=problems(401, 403, 404, 409, 422),
)
async def withdraw(
    application_id: ResourceId, body: Reason, session: SessionDep, principal: FeeApplicant, clock: ClockDep
) -> FeeApplicationRead:
    application = await service.withdraw(
        session, principal=principal, clock=clock, application_id=application_id, reason=body.reason
    )
    return FeeApplicationRead.model_validate(application)
