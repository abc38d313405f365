from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from feedback_api.cases import service
from feedback_api.cases.repository import CaseFilter
from feedback_api.cases.schemas import (
    AnswerRating,
    Assign,
    CaseCreate,
    CaseDetail,
    CaseRead,
    CaseStatus,
    CategoryCode,
    CategoryRead,
    Confirm,
    Note,
    Reopen,
    Respond,
    SweepResult,
)
from feedback_api.dependencies import (
    ClockDep,
    DistrictOfficialOrServiceDep,
    FacilitiesDep,
    ResidentDep,
    SettingsDep,
)
from service_kit.auth import Principal, require_roles
from service_kit.clock import Clock
from service_kit.db import SessionDep
from service_kit.etag import IfMatchDep, set_etag
from service_kit.pagination import Page, PageParams, page_params
from service_kit.params import INT32_MAX, ResourceId
from service_kit.problems import PROBLEM_MEDIA_TYPE, Problem, problems

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])

FACILITIES_DOWN: dict[int | str, dict[str, Any]] = {
    503: {
        "model": Problem,
        "content": {PROBLEM_MEDIA_TYPE: {}},
        "description": "facilities-api is unavailable; nothing was saved",
    }
}
STEP_ERRORS = problems(401, 403, 404, 409, 412, 415, 422, 428)

# Who may read cases (which ones is the service's rule: a resident's own, an operator's routed ones,
# officials' of their area); an operator's systems need cases:respond.
CaseReader = Annotated[
    Principal,
    require_roles(
        "resident", "operator", "official", "auditor", "service", scope="cases:respond"
    ),
]
# Who answers (the case's handler: its assigned operator, or an official of its area).
Handler = Annotated[
    Principal, require_roles("operator", "official", scope="cases:respond")
]
Official = Annotated[Principal, require_roles("official")]
# What the resident who filed it does (confirm, reopen, rate the answer).
Author = Annotated[Principal, require_roles("resident")]
# Closing: officials of the area, or the resident who filed it.
Closer = Annotated[Principal, require_roles("official", "resident")]


def _detail(
    response: Response, found: service.CaseTimeline, viewer: Principal, clock: Clock
) -> CaseDetail:
    """The case as the viewer may read it, with the ETag of the version it holds."""
    set_etag(response, found.case.version)
    return CaseDetail.of(found.case, found.steps, viewer=viewer, now=clock.now())


@router.get(
    "/categories",
    response_model=list[CategoryRead],
    summary="Case categories, their deadlines in working days and extra fields",
)
async def list_categories(settings: SettingsDep) -> list[CategoryRead]:
    return [
        CategoryRead.of(t.category, deadline_working_days=t.deadline_working_days)
        for t in service.categories(settings)
    ]


@router.post(
    "/sweep",
    response_model=SweepResult,
    summary="Escalate to an official every case an operator has not answered by its deadline (district officials, services)",
    responses=problems(401, 403),
)
async def sweep_overdue(
    session: SessionDep,
    principal: DistrictOfficialOrServiceDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> SweepResult:
    outcome = await service.sweep_overdue(
        session, settings=settings, now=clock.now(), actor=principal
    )
    return SweepResult.model_validate(outcome)


@router.post(
    "",
    response_model=CaseDetail,
    status_code=201,
    summary="File a complaint, suggestion, praise or question (residents); it is accepted and routed at once",
    responses={**problems(401, 403, 415, 422, 429), **FACILITIES_DOWN},
)
async def create_case(
    body: CaseCreate,
    response: Response,
    session: SessionDep,
    principal: ResidentDep,
    facilities: FacilitiesDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> CaseDetail:
    found = await service.create_case(
        session,
        principal=principal,
        data=body,
        facilities=facilities,
        settings=settings,
        clock=clock,
    )
    response.headers["Location"] = f"/api/v1/cases/{found.case.id}"
    return _detail(response, found, principal, clock)


@router.get(
    "",
    response_model=Page[CaseRead],
    summary="Cases you may see: a resident's own, an operator's assigned ones, officials' of their area; newest first",
    responses=problems(401, 403, 422),
)
async def list_cases(
    session: SessionDep,
    principal: CaseReader,
    clock: ClockDep,
    page: Annotated[PageParams, Depends(page_params)],
    status: CaseStatus | None = None,
    kind: Literal["complaint", "suggestion", "praise", "consultation"] | None = None,
    category: CategoryCode | None = None,
    facility_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    overdue: Annotated[
        bool, Query(description="Only cases past their deadline and still unanswered.")
    ] = False,
) -> Page[CaseRead]:
    filters = CaseFilter(
        status=status,
        kind=kind,
        category=category,
        facility_id=facility_id,
        overdue_at=clock.now() if overdue else None,
    )
    found = await service.list_cases(
        session,
        viewer=principal,
        filters=filters,
        cursor=page.cursor,
        limit=page.limit,
    )
    now = clock.now()
    return Page[CaseRead](
        items=[CaseRead.for_viewer(c, viewer=principal, now=now) for c in found.items],
        next_cursor=found.next_cursor,
    )


@router.get(
    "/{case_id:int}",
    response_model=CaseDetail,
    summary="One case with its timeline",
    responses=problems(401, 403, 404, 422),
)
async def get_case(
    case_id: ResourceId,
    response: Response,
    session: SessionDep,
    principal: CaseReader,
    clock: ClockDep,
) -> CaseDetail:
    found = await service.get_case(session, case_id=case_id, viewer=principal)
    return _detail(response, found, principal, clock)


@router.post(
    "/{case_id:int}/accept",
    response_model=CaseDetail,
    summary="Accept a submitted case and route it (officials of its area; If-Match)",
    responses=STEP_ERRORS,
)
async def accept_case(
    case_id: ResourceId,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: Official,
    settings: SettingsDep,
    clock: ClockDep,
    body: Note | None = None,
) -> CaseDetail:
    found = await service.accept(
        session,
        if_match=if_match,
        case_id=case_id,
        principal=principal,
        note=body.note if body else None,
        settings=settings,
        clock=clock,
    )
    return _detail(response, found, principal, clock)


@router.post(
    "/{case_id:int}/assign",
    response_model=CaseDetail,
    summary="Assign or reassign a case (officials of its area; If-Match)",
    responses=STEP_ERRORS,
)
async def assign_case(
    case_id: ResourceId,
    body: Assign,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: Official,
    settings: SettingsDep,
    clock: ClockDep,
) -> CaseDetail:
    found = await service.assign(
        session,
        if_match=if_match,
        case_id=case_id,
        principal=principal,
        assignee=body.assignee,
        operator_id=body.operator_id,
        note=body.note,
        settings=settings,
        clock=clock,
    )
    return _detail(response, found, principal, clock)


@router.post(
    "/{case_id:int}/respond",
    response_model=CaseDetail,
    summary="Answer a case (its handler: the assigned operator, keys with cases:respond, or an official of its area; If-Match)",
    responses=STEP_ERRORS,
)
async def respond_case(
    case_id: ResourceId,
    body: Respond,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: Handler,
    clock: ClockDep,
) -> CaseDetail:
    found = await service.respond(
        session,
        if_match=if_match,
        case_id=case_id,
        principal=principal,
        text=body.text,
        clock=clock,
    )
    return _detail(response, found, principal, clock)


@router.post(
    "/{case_id:int}/confirm",
    response_model=CaseDetail,
    summary="Accept the answer, optionally rating it (the resident; If-Match)",
    responses=STEP_ERRORS,
)
async def confirm_case(
    case_id: ResourceId,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: Author,
    clock: ClockDep,
    body: Confirm | None = None,
) -> CaseDetail:
    body = body or Confirm()
    found = await service.confirm(
        session,
        if_match=if_match,
        case_id=case_id,
        principal=principal,
        answer_rating=body.answer_rating,
        note=body.note,
        clock=clock,
    )
    return _detail(response, found, principal, clock)


@router.post(
    "/{case_id:int}/reopen",
    response_model=CaseDetail,
    summary="Reject the answer with a reason (the resident; If-Match)",
    responses=STEP_ERRORS,
)
async def reopen_case(
    case_id: ResourceId,
    body: Reopen,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: Author,
    settings: SettingsDep,
    clock: ClockDep,
) -> CaseDetail:
    found = await service.reopen(
        session,
        if_match=if_match,
        case_id=case_id,
        principal=principal,
        reason=body.reason,
        settings=settings,
        clock=clock,
    )
    return _detail(response, found, principal, clock)


@router.post(
    "/{case_id:int}/close",
    response_model=CaseDetail,
    summary="Close an answered case (officials of the area or its resident; If-Match)",
    responses=STEP_ERRORS,
)
async def close_case(
    case_id: ResourceId,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: Closer,
    clock: ClockDep,
    body: Note | None = None,
) -> CaseDetail:
    found = await service.close(
        session,
        if_match=if_match,
        case_id=case_id,
        principal=principal,
        note=body.note if body else None,
        clock=clock,
    )
    return _detail(response, found, principal, clock)


@router.post(
    "/{case_id:int}/answer-rating",
    response_model=CaseDetail,
    summary="Rate the answer once, 1–5 (the resident; If-Match)",
    responses=STEP_ERRORS,
)
async def rate_answer(
    case_id: ResourceId,
    body: AnswerRating,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: Author,
    clock: ClockDep,
) -> CaseDetail:
    found = await service.rate_answer(
        session,
        if_match=if_match,
        case_id=case_id,
        principal=principal,
        answer_rating=body.answer_rating,
        clock=clock,
    )
    return _detail(response, found, principal, clock)
