from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from operators_api.clients.inputs import http_inputs
from operators_api.dependencies import ClockDep
from operators_api.gates import Reader, ReportChecker, Reporter
from operators_api.periods import MonthName
from operators_api.reads import Listing
from operators_api.reports import service
from operators_api.reports.models import ServiceReport
from operators_api.reports.repository import ReportFilter
from operators_api.reports.schemas import ReportCreate, ReportRead, ReportUpdate
from operators_api.settings import Settings
from service_kit.db import SessionDep
from service_kit.etag import IfMatchDep, set_etag
from service_kit.pagination import Page, PageParams, page_params
from service_kit.params import INT32_MAX, ResourceId
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1/service-reports", tags=["service reports"])


def _tolerance(request: Request) -> int:
    settings: Settings = request.app.state.settings
    return settings.report_tolerance_percent


@router.get(
    "",
    response_model=Page[ReportRead],
    summary="Monthly service reports (officials and auditors: all; an operator's staff: their own)",
    responses=problems(401, 403, 422),
)
async def list_reports(
    session: SessionDep,
    viewer: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    contract_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    operator_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    month: Annotated[MonthName | None, Query()] = None,
    flagged: bool | None = None,
) -> Listing[ServiceReport]:
    filters = ReportFilter(contract_id=contract_id, operator_id=operator_id, month=month, flagged=flagged)
    return await service.list_reports(session, viewer=viewer, filters=filters, cursor=page.cursor, limit=page.limit)


@router.post(
    "",
    response_model=ReportRead,
    status_code=201,
    summary="File a month's report (the operator's staff; a month that has ended), cross-checked with the platform's record",
    responses=problems(401, 403, 409, 422),
)
async def file_report(
    body: ReportCreate, request: Request, session: SessionDep, principal: Reporter, clock: ClockDep, response: Response
) -> ServiceReport:
    report = await service.file_report(
        session, principal=principal, clock=clock, data=body, inputs=http_inputs(request), tolerance=_tolerance(request)
    )
    response.headers["Location"] = f"/api/v1/service-reports/{report.id}"
    set_etag(response, report.version)
    return report


@router.get(
    "/{report_id}",
    response_model=ReportRead,
    summary="A report beside the platform's own figures",
    responses=problems(401, 404),
)
async def get_report(report_id: ResourceId, session: SessionDep, viewer: Reader, response: Response) -> ServiceReport:
    report = await service.get_visible(session, report_id=report_id, viewer=viewer)
    set_etag(response, report.version)
    return report


@router.patch(
    "/{report_id}",
    response_model=ReportRead,
    summary="Amend a report not yet used by a published evaluation (send If-Match); cross-checked again",
    responses=problems(401, 403, 404, 409, 412, 422, 428),
)
async def amend_report(
    report_id: ResourceId,
    body: ReportUpdate,
    if_match: IfMatchDep,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: Reporter,
    clock: ClockDep,
) -> ServiceReport:
    report = await service.amend_report(
        session,
        principal=principal,
        clock=clock,
        report_id=report_id,
        data=body,
        if_match=if_match,
        inputs=http_inputs(request),
        tolerance=_tolerance(request),
    )
    set_etag(response, report.version)
    return report


@router.post(
    "/{report_id}/cross-check",
    response_model=ReportRead,
    summary="Cross-check again with the platform's record (e.g. after another service was down)",
    responses=problems(401, 403, 404),
)
async def recheck(
    report_id: ResourceId, request: Request, session: SessionDep, principal: ReportChecker, clock: ClockDep
) -> ServiceReport:
    return await service.recheck(
        session,
        principal=principal,
        clock=clock,
        report_id=report_id,
        inputs=http_inputs(request),
        tolerance=_tolerance(request),
    )
