from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from operators_api.clients.inputs import http_inputs
from operators_api.dependencies import ClockDep
from operators_api.evaluations import service
from operators_api.evaluations.models import EvaluationEvidence, EvaluationScheme
from operators_api.evaluations.repository import EvaluationFilter
from operators_api.evaluations.schemas import (
    AppealCreate,
    AppealDecision,
    BatchCreate,
    BatchRead,
    EvaluationCreate,
    EvaluationRead,
    EvaluationStatus,
    EvaluationVersionRead,
    EvidenceRead,
    ExpertScore,
    Grade,
    Publish,
    SchemeCreate,
    SchemeRead,
)
from operators_api.gates import Appellant, DistrictOfficial, Official, Reader
from operators_api.periods import PeriodName
from operators_api.reads import page_of
from service_kit.db import SessionDep
from service_kit.etag import IfMatchDep, set_etag
from service_kit.pagination import Page, PageParams, page_params
from service_kit.params import INT32_MAX, ResourceId
from service_kit.problems import problems


def _evaluation(x: service.EvaluationWithAppeal) -> EvaluationRead:
    return EvaluationRead.with_appeal(x.evaluation, x.appeal)


router = APIRouter(prefix="/api/v1/evaluations", tags=["evaluations"])
schemes_router = APIRouter(prefix="/api/v1/evaluation-schemes", tags=["evaluations"])


@schemes_router.get(
    "", response_model=list[SchemeRead], summary="Evaluation schemes (the built-in default first, id null)"
)
async def list_schemes(session: SessionDep) -> list[SchemeRead]:
    return [SchemeRead.default(), *(SchemeRead.of(s) for s in await service.list_schemes(session))]


@schemes_router.post(
    "",
    response_model=SchemeRead,
    status_code=201,
    summary="Add an evaluation scheme: weights summing to 100, grade thresholds, consequences (district officials)",
    responses=problems(401, 403, 422),
)
async def create_scheme(
    body: SchemeCreate, session: SessionDep, principal: DistrictOfficial, clock: ClockDep
) -> EvaluationScheme:
    return await service.create_scheme(session, principal=principal, clock=clock, data=body)


@schemes_router.get("/{scheme_id}", response_model=SchemeRead, responses=problems(404))
async def get_scheme(scheme_id: ResourceId, session: SessionDep) -> EvaluationScheme:
    return await service.get_scheme(session, scheme_id)


@router.get(
    "",
    response_model=Page[EvaluationRead],
    summary="Evaluations (officials and auditors; an operator's staff: their own published ones)",
    responses=problems(401, 403, 422),
)
async def list_evaluations(
    session: SessionDep,
    viewer: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    contract_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    operator_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    period: Annotated[PeriodName | None, Query()] = None,
    status: EvaluationStatus | None = None,
    grade: Grade | None = None,
) -> Page[EvaluationRead]:
    filters = EvaluationFilter(
        contract_id=contract_id, operator_id=operator_id, period=period, status=status, grade=grade
    )
    found = await service.list_evaluations(
        session, viewer=viewer, filters=filters, cursor=page.cursor, limit=page.limit
    )
    return page_of(found, _evaluation)


@router.post(
    "",
    response_model=EvaluationRead,
    status_code=201,
    summary="Evaluate a contract for a period that has ended: inputs gathered and stored as evidence; missing ones named",
    responses=problems(401, 403, 409, 422),
)
async def create_evaluation(
    body: EvaluationCreate,
    request: Request,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
    response: Response,
) -> EvaluationRead:
    done = await service.create_evaluation(
        session,
        principal=principal,
        clock=clock,
        contract_id=body.contract_id,
        period_name=body.period,
        inputs=http_inputs(request),
    )
    response.headers["Location"] = f"/api/v1/evaluations/{done.evaluation.id}"
    set_etag(response, done.evaluation.version)
    return _evaluation(done)


@router.post(
    "/batch/runs",
    response_model=BatchRead,
    summary="Evaluate every running contract for a period (inputs fetched concurrently, bounded); published ones are left alone",
    responses=problems(401, 403, 422),
)
async def evaluate_batch(
    body: BatchCreate, request: Request, session: SessionDep, principal: Official, clock: ClockDep
) -> service.BatchOutcome:
    return await service.evaluate_batch(
        session, principal=principal, clock=clock, period_name=body.period, inputs=http_inputs(request)
    )


@router.get("/{evaluation_id}", response_model=EvaluationRead, responses=problems(401, 404))
async def get_evaluation(
    evaluation_id: ResourceId, session: SessionDep, viewer: Reader, response: Response
) -> EvaluationRead:
    found = await service.get_evaluation(session, viewer=viewer, evaluation_id=evaluation_id)
    set_etag(response, found.evaluation.version)
    return _evaluation(found)


@router.get(
    "/{evaluation_id}/evidence",
    response_model=list[EvidenceRead],
    summary="The figures the evaluation used: source, request, period, time fetched, the answer or why it is missing",
    responses=problems(401, 404),
)
async def evidence(evaluation_id: ResourceId, session: SessionDep, viewer: Reader) -> Sequence[EvaluationEvidence]:
    return await service.evidence(session, viewer=viewer, evaluation_id=evaluation_id)


@router.get(
    "/{evaluation_id}/versions",
    response_model=list[EvaluationVersionRead],
    summary="Every version of a published evaluation: as published, and as recomputed by an upheld appeal (with the corrections)",
    responses=problems(401, 403, 404),
)
async def versions(evaluation_id: ResourceId, session: SessionDep, viewer: Reader) -> list[EvaluationVersionRead]:
    found = await service.versions(session, viewer=viewer, evaluation_id=evaluation_id)
    return [EvaluationVersionRead.of_version(v) for v in found]


@router.post(
    "/{evaluation_id}/refresh",
    response_model=EvaluationRead,
    summary="Gather a draft's inputs again (e.g. once a service is back or a late report is filed)",
    responses=problems(401, 403, 404, 409, 422),
)
async def refresh(
    evaluation_id: ResourceId, request: Request, session: SessionDep, principal: Official, clock: ClockDep
) -> EvaluationRead:
    done = await service.refresh(
        session, principal=principal, clock=clock, evaluation_id=evaluation_id, inputs=http_inputs(request)
    )
    return _evaluation(done)


@router.put(
    "/{evaluation_id}/expert-score",
    response_model=EvaluationRead,
    summary="Enter the third-party / expert score of a draft (send If-Match)",
    responses=problems(401, 403, 404, 409, 412, 422, 428),
)
async def set_expert_score(
    evaluation_id: ResourceId,
    body: ExpertScore,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
) -> EvaluationRead:
    done = await service.set_expert_score(
        session,
        principal=principal,
        clock=clock,
        evaluation_id=evaluation_id,
        data=body,
        if_match=if_match,
    )
    set_etag(response, done.evaluation.version)
    return _evaluation(done)


@router.post(
    "/{evaluation_id}/publish",
    response_model=EvaluationRead,
    summary="Publish: score, grade and consequences (instalment, renewal, rectification, termination proposal, credit)",
    responses=problems(401, 403, 404, 409, 412, 422),
)
async def publish(
    evaluation_id: ResourceId,
    body: Publish,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
) -> EvaluationRead:
    done = await service.publish(
        session,
        principal=principal,
        clock=clock,
        evaluation_id=evaluation_id,
        data=body,
        if_match=if_match,
    )
    set_etag(response, done.evaluation.version)
    return _evaluation(done)


@router.post(
    "/{evaluation_id}/appeal",
    response_model=EvaluationRead,
    status_code=201,
    summary="Appeal a published evaluation (the operator's staff; once, within the window)",
    responses=problems(401, 403, 404, 409, 422),
)
async def submit_appeal(
    evaluation_id: ResourceId, body: AppealCreate, session: SessionDep, principal: Appellant, clock: ClockDep
) -> EvaluationRead:
    done = await service.submit_appeal(
        session, principal=principal, clock=clock, evaluation_id=evaluation_id, data=body
    )
    return _evaluation(done)


@router.post(
    "/{evaluation_id}/appeal/decision",
    response_model=EvaluationRead,
    summary="Decide an appeal (an official other than the publisher): upheld with the corrected inputs (the evaluation is recomputed, "
    "consequences revised, both versions kept) or rejected, with the reason",
    responses=problems(401, 403, 404, 409, 422),
)
async def decide_appeal(
    evaluation_id: ResourceId, body: AppealDecision, session: SessionDep, principal: Official, clock: ClockDep
) -> EvaluationRead:
    done = await service.decide_appeal(
        session, principal=principal, clock=clock, evaluation_id=evaluation_id, data=body
    )
    return _evaluation(done)
