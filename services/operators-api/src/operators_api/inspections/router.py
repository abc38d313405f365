from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from operators_api.dependencies import ClockDep
from operators_api.gates import Official, Reader, Reporter
from operators_api.inspections import service
from operators_api.inspections.repository import InspectionFilter, RectificationFilter
from operators_api.inspections.rules import CheckItem
from operators_api.inspections.schemas import (
    ChecklistItem,
    InspectionCreate,
    InspectionRead,
    Reason,
    RectificationRead,
    RectificationResponse,
    RectificationReview,
    RectificationStatus,
)
from operators_api.reads import page_of
from service_kit.db import SessionDep
from service_kit.etag import set_etag
from service_kit.pagination import Page, PageParams, page_params
from service_kit.params import INT32_MAX, ResourceId
from service_kit.problems import problems

inspections_router = APIRouter(prefix="/api/v1/inspections", tags=["inspections"])
rectifications_router = APIRouter(prefix="/api/v1/rectifications", tags=["inspections"])
OptionalId = Annotated[int | None, Query(ge=1, le=INT32_MAX)]


@inspections_router.get(
    "/checklist", response_model=list[ChecklistItem], summary="The inspection checklist and each item's points"
)
async def get_checklist() -> list[CheckItem]:
    return service.checklist()


@inspections_router.get(
    "",
    response_model=Page[InspectionRead],
    summary="Inspections (officials and auditors; an operator's staff: their own)",
    responses=problems(401, 403, 422),
)
async def list_inspections(
    session: SessionDep,
    viewer: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    contract_id: OptionalId = None,
    operator_id: OptionalId = None,
    facility_id: OptionalId = None,
) -> Page[InspectionRead]:
    filters = InspectionFilter(contract_id=contract_id, operator_id=operator_id, facility_id=facility_id)
    found = await service.list_inspections(
        session, viewer=viewer, filters=filters, cursor=page.cursor, limit=page.limit
    )
    return page_of(found, lambda x: InspectionRead.with_orders(x.inspection, x.rectification_ids))


@inspections_router.post(
    "",
    response_model=InspectionRead,
    status_code=201,
    summary="Record an inspection against the checklist, ordering rectifications for findings (officials)",
    responses=problems(401, 403, 409, 422),
)
async def record_inspection(
    body: InspectionCreate, session: SessionDep, principal: Official, clock: ClockDep, response: Response
) -> InspectionRead:
    done = await service.record_inspection(session, principal=principal, clock=clock, data=body)
    response.headers["Location"] = f"/api/v1/inspections/{done.inspection.id}"
    return InspectionRead.with_orders(done.inspection, done.rectification_ids)


@inspections_router.get("/{inspection_id}", response_model=InspectionRead, responses=problems(401, 404))
async def get_inspection(inspection_id: ResourceId, session: SessionDep, viewer: Reader) -> InspectionRead:
    found = await service.get_inspection(session, viewer=viewer, inspection_id=inspection_id)
    return InspectionRead.with_orders(found.inspection, found.rectification_ids)


@rectifications_router.get(
    "",
    response_model=Page[RectificationRead],
    summary="Rectifications (整改); overdue=true: still waiting for the operator after the deadline",
    responses=problems(401, 403, 422),
)
async def list_rectifications(
    session: SessionDep,
    viewer: Reader,
    clock: ClockDep,
    page: Annotated[PageParams, Depends(page_params)],
    contract_id: OptionalId = None,
    operator_id: OptionalId = None,
    status: RectificationStatus | None = None,
    overdue: bool = False,
) -> Page[RectificationRead]:
    filters = RectificationFilter(contract_id=contract_id, operator_id=operator_id, status=status)
    found = await service.list_rectifications(
        session, viewer=viewer, clock=clock, filters=filters, overdue=overdue, cursor=page.cursor, limit=page.limit
    )
    today = clock.local_now().date()
    return page_of(found, lambda r: RectificationRead.as_of(r, today))


@rectifications_router.get("/{rectification_id}", response_model=RectificationRead, responses=problems(401, 404))
async def get_rectification(
    rectification_id: ResourceId, session: SessionDep, viewer: Reader, clock: ClockDep, response: Response
) -> RectificationRead:
    r = await service.get_rectification(session, viewer=viewer, rectification_id=rectification_id)
    set_etag(response, r.version)
    return RectificationRead.as_of(r, clock.local_now().date())


@rectifications_router.post(
    "/{rectification_id}/response",
    response_model=RectificationRead,
    summary="Report what was done (the operator's staff)",
    responses=problems(401, 403, 404, 409, 422),
)
async def respond(
    rectification_id: ResourceId, body: RectificationResponse, session: SessionDep, principal: Reporter, clock: ClockDep
) -> RectificationRead:
    r = await service.respond(session, principal=principal, clock=clock, rectification_id=rectification_id, data=body)
    return RectificationRead.as_of(r, clock.local_now().date())


@rectifications_router.post(
    "/{rectification_id}/review",
    response_model=RectificationRead,
    summary="Accept the rectification or reopen it (officials), with the reason",
    responses=problems(401, 403, 404, 409, 422),
)
async def review(
    rectification_id: ResourceId, body: RectificationReview, session: SessionDep, principal: Official, clock: ClockDep
) -> RectificationRead:
    r = await service.review(session, principal=principal, clock=clock, rectification_id=rectification_id, data=body)
    return RectificationRead.as_of(r, clock.local_now().date())


@rectifications_router.post(
    "/{rectification_id}/withdrawal",
    response_model=RectificationRead,
    summary="Withdraw a rectification whose cause fell away (officials)",
    responses=problems(401, 403, 404, 409, 422),
)
async def withdraw(
    rectification_id: ResourceId, body: Reason, session: SessionDep, principal: Official, clock: ClockDep
) -> RectificationRead:
    r = await service.withdraw(
        session, principal=principal, clock=clock, rectification_id=rectification_id, reason=body.reason
    )
    return RectificationRead.as_of(r, clock.local_now().date())
