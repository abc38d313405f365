from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from feedback_api.dependencies import ClockDep, DistrictOfficialDep, SettingsDep
from feedback_api.periods import MONTH_PATTERN, PERIOD_PATTERN
from feedback_api.satisfaction import service
from feedback_api.satisfaction.repository import Scope
from feedback_api.satisfaction.schemas import (
    DistrictOverview,
    Ranking,
    ReconcileResult,
    SatisfactionReport,
    SatisfactionSummary,
)
from service_kit.auth import Principal, require_roles, signed_in
from service_kit.db import SessionDep
from service_kit.params import ResourceId
from service_kit.problems import RuleViolation, problems

router = APIRouter(prefix="/api/v1/satisfaction", tags=["satisfaction"])

# The figures of one operator or facility: officials, auditors, services, and the operator concerned (its
# systems with operator:read); which operator is concerned is the service's check.
FiguresReader = Annotated[
    Principal,
    require_roles("operator", "official", "auditor", "service", scope="operator:read"),
]
FromQuery = Annotated[
    date | None, Query(alias="from", description="First day (Beijing date), with `to`.")
]
ToQuery = Annotated[
    date | None,
    Query(alias="to", description="Last day (Beijing date, inclusive), with `from`."),
]
PeriodQuery = Annotated[
    str | None,
    Query(
        pattern=PERIOD_PATTERN,
        description="A quarter, e.g. 2026Q4 (instead of from/to).",
    ),
]


@router.get(
    "",
    response_model=DistrictOverview,
    response_model_by_alias=True,
    summary="The district's satisfaction index with the ranking of facilities (public); default: the current quarter",
    responses=problems(422),
)
async def district_overview(
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    first: FromQuery = None,
    last: ToQuery = None,
    period: PeriodQuery = None,
) -> dict[str, Any]:
    now = clock.now()
    rng, q = service.date_range(first=first, last=last, period=period, now=now)
    return await service.overview(
        session, rng=rng, period=q, settings=settings, now=now
    )


@router.get(
    "/rankings",
    response_model=Ranking,
    response_model_by_alias=True,
    summary="Facilities, operators or subdistricts ranked by the smoothed mean (public)",
    responses=problems(422),
)
async def rankings(
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    by: Literal["facility", "operator", "subdistrict"] = "facility",
    first: FromQuery = None,
    last: ToQuery = None,
    period: PeriodQuery = None,
) -> dict[str, Any]:
    rng, _ = service.date_range(first=first, last=last, period=period, now=clock.now())
    return {
        "by": by,
        "from": rng.first,
        "to": rng.last,
        "rows": await service.ranking(session, by=by, rng=rng, settings=settings),
    }


@router.get(
    "/report",
    response_model=SatisfactionReport,
    response_model_by_alias=True,
    summary="The full index of one scope: figures, verified-only, dimensions, monthly trend, complaints",
    responses=problems(401, 403, 422),
)
async def report(
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    principal: Annotated[Principal, signed_in(scope="operator:read")],
    scope: Literal["district", "facility", "operator", "subdistrict"] = "district",
    key: Annotated[
        str | None,
        Query(
            max_length=50,
            pattern=r"^[a-z0-9-]+$",
            description="Facility id, operator id or subdistrict code.",
        ),
    ] = None,
    first: FromQuery = None,
    last: ToQuery = None,
    period: PeriodQuery = None,
) -> dict[str, Any]:
    parsed = _scope(scope, key)
    if scope == "operator":
        await service.check_reader(session, principal, parsed)
    now = clock.now()
    rng, q = service.date_range(first=first, last=last, period=period, now=now)
    return await service.report(
        session, scope=parsed, rng=rng, period=q, settings=settings, now=now
    )


def _scope(scope: str, key: str | None) -> Scope:
    if scope == "district":
        return Scope("district")
    if key is None:
        raise RuleViolation(
            "key", f"a {scope} report needs its key", code="key-required"
        )
    if scope in ("facility", "operator"):
        if not key.isdigit() or not 0 <= int(key) <= 2_147_483_647:
            raise RuleViolation(
                "key", f"a {scope} is named by its numeric id", code="key-format"
            )
        return Scope(scope, int(key))
    return Scope(scope, key)


@router.get(
    "/operators/{operator_id}",
    response_model=SatisfactionSummary,
    response_model_by_alias=True,
    summary="An operator's index and complaint figures for a range (officials, auditors, services, the operator)",
    responses=problems(401, 403, 422),
)
async def operator_summary(
    operator_id: ResourceId,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    principal: FiguresReader,
    first: FromQuery = None,
    last: ToQuery = None,
) -> SatisfactionSummary:
    scope = Scope("operator", operator_id)
    await service.check_reader(session, principal, scope)
    now = clock.now()
    rng, _ = service.date_range(first=first, last=last, period=None, now=now)
    return await service.summary(
        session, scope=scope, rng=rng, settings=settings, now=now
    )


@router.get(
    "/facilities/{facility_id}",
    response_model=SatisfactionSummary,
    response_model_by_alias=True,
    summary="A facility's index and complaint figures for a range (officials, auditors, services, its operator)",
    responses=problems(401, 403, 422),
)
async def facility_summary(
    facility_id: ResourceId,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    principal: FiguresReader,
    first: FromQuery = None,
    last: ToQuery = None,
) -> SatisfactionSummary:
    scope = Scope("facility", facility_id)
    await service.check_reader(session, principal, scope)
    now = clock.now()
    rng, _ = service.date_range(first=first, last=last, period=None, now=now)
    return await service.summary(
        session, scope=scope, rng=rng, settings=settings, now=now
    )


@router.post(
    "/reconcile",
    response_model=ReconcileResult,
    summary="Recompute the index's aggregates from the raw ratings and fix any difference (district officials)",
    responses=problems(401, 403, 422),
)
async def reconcile(
    session: SessionDep,
    _: DistrictOfficialDep,
    from_month: Annotated[
        str | None,
        Query(
            pattern=MONTH_PATTERN,
            description="e.g. 2026-10; with to_month (default: every month).",
        ),
    ] = None,
    to_month: Annotated[str | None, Query(pattern=MONTH_PATTERN)] = None,
) -> ReconcileResult:
    return await service.reconcile(session, first_month=from_month, last_month=to_month)
