from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from operators_api.dependencies import ClockDep
from operators_api.gates import DistrictOfficial, OfficialOrAuditor, OperatorEditor, Viewer
from operators_api.operators import service
from operators_api.operators.repository import OperatorFilter
from operators_api.operators.schemas import (
    OperatorChangeRead,
    OperatorCreate,
    OperatorRead,
    OperatorType,
    OperatorUpdate,
    Status,
    StatusChange,
)
from service_kit.db import SessionDep
from service_kit.etag import IfMatchDep, set_etag
from service_kit.pagination import Page, PageParams, page_params
from service_kit.params import ResourceId
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1/operators", tags=["operators"])


@router.get("", response_model=Page[OperatorRead], summary="Find operators (承接主体)", responses=problems(401, 422))
async def list_operators(
    session: SessionDep,
    viewer: Viewer,
    clock: ClockDep,
    page: Annotated[PageParams, Depends(page_params)],
    q: Annotated[str | None, Query(max_length=100, description="Text in the name (zh or en), code or USCC.")] = None,
    type: OperatorType | None = None,
    status: Status | None = None,
    code: Annotated[str | None, Query(max_length=64, description="The operator's code (exact).")] = None,
) -> Page[OperatorRead]:
    filters = OperatorFilter(q=q, type=type, status=status, code=code)
    found = await service.list_operators(session, filters=filters, cursor=page.cursor, limit=page.limit)
    today = clock.local_now().date()
    return Page(
        items=[OperatorRead.for_viewer(o, viewer=viewer, today=today) for o in found.items],
        next_cursor=found.next_cursor,
    )


@router.post(
    "",
    response_model=OperatorRead,
    status_code=201,
    summary="Register an operator (district officials; Idempotency-Key honoured)",
    responses=problems(401, 403, 409, 415, 422),
)
async def register_operator(
    body: OperatorCreate, session: SessionDep, principal: DistrictOfficial, clock: ClockDep, response: Response
) -> OperatorRead:
    operator = await service.register_operator(session, principal=principal, clock=clock, data=body)
    response.headers["Location"] = f"/api/v1/operators/{operator.id}"
    set_etag(response, operator.version)
    return OperatorRead.for_viewer(operator, viewer=principal, today=clock.local_now().date())


@router.get("/{operator_id}", response_model=OperatorRead, responses=problems(401, 404))
async def get_operator(
    operator_id: ResourceId, session: SessionDep, viewer: Viewer, clock: ClockDep, response: Response
) -> OperatorRead:
    operator = await service.get_operator(session, operator_id=operator_id)
    set_etag(response, operator.version)
    return OperatorRead.for_viewer(operator, viewer=viewer, today=clock.local_now().date())


@router.patch(
    "/{operator_id}",
    response_model=OperatorRead,
    summary="Edit an operator (district officials; its own staff: contacts, address, English name). Send If-Match.",
    responses=problems(401, 403, 404, 409, 412, 415, 422, 428),
)
async def update_operator(
    operator_id: ResourceId,
    body: OperatorUpdate,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: OperatorEditor,
    clock: ClockDep,
) -> OperatorRead:
    operator = await service.update_operator(
        session,
        principal=principal,
        clock=clock,
        operator_id=operator_id,
        data=body,
        if_match=if_match,
    )
    set_etag(response, operator.version)
    return OperatorRead.for_viewer(operator, viewer=principal, today=clock.local_now().date())


@router.post(
    "/{operator_id}/status",
    response_model=OperatorRead,
    summary="Qualify, suspend or blacklist an operator, with the reason (district officials; If-Match checked when sent)",
    responses=problems(401, 403, 404, 409, 412, 415, 422),
)
async def change_status(
    operator_id: ResourceId,
    body: StatusChange,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: DistrictOfficial,
    clock: ClockDep,
) -> OperatorRead:
    operator = await service.change_status(
        session,
        principal=principal,
        clock=clock,
        operator_id=operator_id,
        data=body,
        if_match=if_match,
    )
    set_etag(response, operator.version)
    return OperatorRead.for_viewer(operator, viewer=principal, today=clock.local_now().date())


@router.get(
    "/{operator_id}/history",
    response_model=list[OperatorChangeRead],
    summary="Who changed what, when and why (officials and auditors)",
    responses=problems(401, 403, 404),
)
async def operator_history(
    operator_id: ResourceId, session: SessionDep, _: OfficialOrAuditor
) -> list[OperatorChangeRead]:
    changes = await service.operator_history(session, operator_id=operator_id)
    return [OperatorChangeRead.model_validate(c) for c in changes]
