"""Use cases of service reports (服务月报): an operator files a month's figures per facility; the
platform sets beside them what it recorded itself (facilities-api: activities, participants,
special-group services, scheduled open hours; feedback-api: complaints) and flags differences
beyond the tolerance. When another service cannot answer, the report says which figures are unchecked."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from operators_api import access
from operators_api.audit import service as audit
from operators_api.clients.inputs import InputsProvider
from operators_api.contracts.models import Contract
from operators_api.contracts.repository import ContractRepository
from operators_api.events import outbox
from operators_api.periods import month_end, parse_period
from operators_api.reads import Listing, oldest_first
from operators_api.reports.models import ServiceReport
from operators_api.reports.repository import ReportFilter, ReportRepository
from operators_api.reports.schemas import ReportCreate, ReportLine, ReportUpdate
from operators_api.shared import end_read_transaction, round2, state_conflict
from service_kit.auth import Principal
from service_kit.clock import Clock
from service_kit.etag import IfMatch
from service_kit.pagination import decode_id_cursor
from service_kit.problems import Forbidden, RuleViolation

ENTITY = "service_report"
# reported figure → the facilities-api statistic it is checked against
CHECKED = {
    "open_hours": "scheduled_open_hours",
    "activities": "activities_held",
    "participants": "participants",
    "special_group_services": "special_group_services_done",
}


def _lines_json(lines: list[ReportLine]) -> list[dict[str, Any]]:
    return [line.model_dump(mode="json") for line in sorted(lines, key=lambda x: x.facility_id)]


def compare(reported: Decimal, recorded: Decimal, tolerance_percent: int) -> tuple[Decimal, Decimal | None, bool]:
    """Difference, difference as a percent of the record, and whether it exceeds the tolerance."""
    difference = reported - recorded
    if recorded == 0:
        return difference, None, reported != 0
    pct = round2(abs(difference) / recorded * 100)
    return difference, pct, pct > tolerance_percent


async def cross_check(
    inputs: InputsProvider, month: str, lines: list[dict[str, Any]], clock: Clock, tolerance: int
) -> tuple[dict[str, Any], bool]:
    """The platform's record beside each line, fetched concurrently (bounded by the provider)."""
    period = parse_period(month)
    stats = await asyncio.gather(
        *(inputs.facility_stats(line["facility_id"], period.start, period.end) for line in lines)
    )
    sats = await asyncio.gather(
        *(inputs.facility_satisfaction(line["facility_id"], period.start, period.end) for line in lines)
    )
    out_lines, missing, flagged = [], [], False
    for line, stat, sat in zip(lines, stats, sats, strict=True):
        figures = []
        for figure, recorded_key in CHECKED.items():
            reported = Decimal(str(line[figure]))
            if stat.ok:
                recorded = Decimal(str(stat.data[recorded_key]))  # type: ignore[index]
                difference, pct, over = compare(reported, recorded, tolerance)
                flagged = flagged or over
                figures.append(
                    {
                        "figure": figure,
                        "reported": reported,
                        "recorded": recorded,
                        "source": stat.source,
                        "difference": difference,
                        "difference_percent": pct,
                        "flagged": over,
                    }
                )
            else:
                figures.append(
                    {
                        "figure": figure,
                        "reported": reported,
                        "recorded": None,
                        "source": stat.source,
                        "difference": None,
                        "difference_percent": None,
                        "flagged": False,
                    }
                )
        if not stat.ok:
            missing.append(
                {
                    "facility_id": line["facility_id"],
                    "source": stat.source,
                    "request": stat.request,
                    "error": stat.error,
                }
            )
        complaints = None
        if sat.ok:
            complaints = int(sat.data["cases"].get("complaints") or 0)  # type: ignore[index]
        else:
            missing.append(
                {"facility_id": line["facility_id"], "source": sat.source, "request": sat.request, "error": sat.error}
            )
        out_lines.append({"facility_id": line["facility_id"], "figures": figures, "complaints_recorded": complaints})
    check = {
        "checked_at": clock.now().isoformat(),
        "tolerance_percent": tolerance,
        "lines": out_lines,
        "missing": missing,
    }
    return _json(check), flagged


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


async def _check_filing(
    session: AsyncSession, principal: Principal, contract_id: int, month: str, lines: list[ReportLine], today: date
) -> Contract:
    operator_id = access.acting_operator(principal, "file service reports")
    contracts = ContractRepository(session)
    contract = await contracts.get(contract_id)
    if contract is None or contract.operator_id != operator_id:
        raise RuleViolation(
            "contract_id", f"Contract {contract_id} is not one of your operator's.", code="not-your-contract"
        )
    if contract.status in ("draft", "cancelled"):
        raise state_conflict(
            f"Contract {contract.id} is {contract.status}: it has no months to report.",
            "contract-not-running",
            "contract_id",
        )
    period = parse_period(month)
    end = contract.ended_on or contract.ends_on
    if period.end < contract.starts_on or period.start > end:
        raise RuleViolation(
            "month",
            f"{month} lies outside the contract period {contract.starts_on}–{end}.",
            code="month-outside-contract",
        )
    if month_end(period.start.year, period.start.month) >= today:
        raise RuleViolation(
            "month",
            f"{month} is not over yet (today is {today}); a month is reported once it has ended.",
            code="report-month-not-over",
        )
    expected: set[int] = set(await contracts.facility_ids(contract.id))
    given = [line.facility_id for line in lines]
    if len(set(given)) != len(given) or set(given) != expected:
        raise RuleViolation(
            "lines",
            f"Give one line for each facility of the contract: {sorted(expected)} (got {sorted(given)}).",
            code="report-facilities",
        )
    return contract


async def file_report(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    data: ReportCreate,
    inputs: InputsProvider,
    tolerance: int,
) -> ServiceReport:
    today = clock.local_now().date()
    contract = await _check_filing(session, principal, data.contract_id, data.month, data.lines, today)
    repo = ReportRepository(session)
    existing = await repo.of_month(contract.id, data.month)
    if existing is not None:
        raise state_conflict(
            f"The report for {data.month} was filed (report {existing.id}); amend it with PATCH.",
            "report-exists",
            "month",
            existing={"id": existing.id},
        )
    lines = _lines_json(data.lines)
    await end_read_transaction(session)
    check, flagged = await cross_check(inputs, data.month, lines, clock, tolerance)
    now = clock.now()
    report = ServiceReport(
        contract_id=contract.id,
        operator_id=contract.operator_id,
        month=data.month,
        lines=lines,
        summary=data.summary,
        cross_check=check,
        flagged=flagged,
        filed_by=principal.sub,
        filed_at=now,
        updated_at=now,
        version=1,
    )
    repo.add(report)
    try:
        await repo.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise state_conflict(
            f"The report for {data.month} was filed at the same moment.", "report-exists", "month"
        ) from exc
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=report.id,
        action="filed",
        details={"contract_id": contract.id, "month": data.month, "flagged": flagged},
    )
    await outbox.record(
        session,
        "service_report.filed",
        {
            "report_id": report.id,
            "contract_id": contract.id,
            "operator_id": contract.operator_id,
            "month": data.month,
            "flagged": flagged,
        },
        subject=f"service-report/{report.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return report


async def get_visible(
    session: AsyncSession, *, report_id: int, viewer: Principal, for_update: bool = False
) -> ServiceReport:
    r = await ReportRepository(session).get_or_404(report_id, for_update=for_update)
    access.require_reader(viewer, r.operator_id, "service report", report_id)
    return r


AmendmentCheck = Callable[[AsyncSession, ServiceReport], Awaitable[None]]
_amendment_checks: list[AmendmentCheck] = []


def before_amendment(check: AmendmentCheck) -> AmendmentCheck:
    """Subscribe `check` to "a report is about to be amended"; it raises to refuse the amendment. The
    domains that use reports subscribe here (evaluations: a month a published evaluation used is final),
    so that reports need not know them."""
    _amendment_checks.append(check)
    return check


async def amend_report(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    report_id: int,
    data: ReportUpdate,
    if_match: IfMatch,
    inputs: InputsProvider,
    tolerance: int,
) -> ServiceReport:
    r = await get_visible(session, report_id=report_id, viewer=principal, for_update=True)
    if not access.is_staff_of(principal, r.operator_id):
        raise Forbidden("Only the operator's own staff amend its reports.")
    if_match.check(r.version)
    for refuse_if_final in _amendment_checks:
        await refuse_if_final(session, r)
    patch = data.model_dump(exclude_unset=True)
    lines = _lines_json(data.lines) if "lines" in patch else r.lines
    if "lines" in patch:
        await _check_filing(session, principal, r.contract_id, r.month, data.lines, clock.local_now().date())
    summary = patch.get("summary", r.summary)
    if lines == r.lines and summary == r.summary:
        return r
    version = r.version
    await end_read_transaction(session)
    check, flagged = await cross_check(inputs, r.month, lines, clock, tolerance)
    r = await ReportRepository(session).get_or_404(report_id, for_update=True)
    if r.version != version:  # changed while the other services were asked: the If-Match is stale now
        if_match.check(r.version)
    now = clock.now()
    changed = sorted(k for k in ("lines", "summary") if k in patch)
    r.lines, r.summary, r.cross_check, r.flagged = lines, summary, check, flagged
    r.version += 1
    r.updated_at = now
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=r.id,
        action="amended",
        details={"fields": changed, "flagged": flagged},
    )
    await session.commit()
    return r


async def recheck(
    session: AsyncSession, *, principal: Principal, clock: Clock, report_id: int, inputs: InputsProvider, tolerance: int
) -> ServiceReport:
    r = await get_visible(session, report_id=report_id, viewer=principal)
    if not (principal.role == "official" or access.is_staff_of(principal, r.operator_id)):
        raise Forbidden("Officials and the operator's own staff ask for a new cross-check.")
    lines = r.lines
    await end_read_transaction(session)
    check, flagged = await cross_check(inputs, r.month, lines, clock, tolerance)
    r = await ReportRepository(session).get_or_404(report_id, for_update=True)
    now = clock.now()
    r.cross_check, r.flagged = check, flagged
    r.updated_at = now
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=r.id,
        action="cross_checked",
        details={"flagged": flagged, "missing": len(check["missing"])},
    )
    await session.commit()
    return r


async def list_reports(
    session: AsyncSession, *, viewer: Principal, filters: ReportFilter, cursor: str | None, limit: int
) -> Listing[ServiceReport]:
    if not access.reads_all(viewer):
        if viewer.role != "operator" or viewer.operator_id is None:
            raise Forbidden("Service reports are shown to officials, auditors and the reporting operator.")
        filters = ReportFilter(
            operator_id=viewer.operator_id,
            contract_id=filters.contract_id,
            month=filters.month,
            flagged=filters.flagged,
        )
    rows = await ReportRepository(session).search(filters, after_id=decode_id_cursor(cursor), limit=limit + 1)
    return oldest_first(rows, limit)
