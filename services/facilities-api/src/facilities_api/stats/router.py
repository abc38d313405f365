from typing import Annotated

from fastapi import APIRouter, Query

from facilities_api.dependencies import ClockDep
from facilities_api.facilities.schemas import RecordedOpenHours
from facilities_api.stats import service
from facilities_api.stats.schemas import OperationsFigures
from facilities_api.vocab import BoundedDate
from service_kit.auth import Principal, require_roles
from service_kit.db import SessionDep
from service_kit.params import INT32_MAX, ResourceId
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1/stats", tags=["stats"])
# A facility's recorded open hours: evidence for evaluations, read beside the other figures.
open_hours_router = APIRouter(prefix="/api/v1/facilities", tags=["facilities"])


@router.get(
    "/operations",
    response_model=OperationsFigures,
    response_model_by_alias=True,
    summary="What the platform recorded at a facility, or over the facilities an operator ran, in a range of days",
    responses=problems(401, 403, 404, 422),
)
async def operations_figures(
    session: SessionDep,
    principal: Annotated[Principal, require_roles("official", "auditor", "service", "operator", scope="stats:read")],
    clock: ClockDep,
    start: Annotated[BoundedDate, Query(alias="from", description="First day (local), YYYY-MM-DD.")],
    end: Annotated[BoundedDate, Query(alias="to", description="Last day (local), included.")],
    facility_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    operator_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
) -> service.OperationsReport:
    return await service.operations_figures(
        session,
        principal=principal,
        facility_id=facility_id,
        operator_id=operator_id,
        start=start,
        end=end,
        now=clock.now(),
    )


@open_hours_router.get(
    "/{facility_id}/open-hours",
    response_model=RecordedOpenHours,
    response_model_by_alias=True,
    summary="The hours it was open over a range of days, as recorded (weekly hours and exceptions): evaluation evidence",
    responses=problems(401, 403, 404, 422),
)
async def recorded_open_hours(
    principal: Annotated[Principal, require_roles("official", "auditor", "service", "operator", scope="operator:read")],
    facility_id: ResourceId,
    session: SessionDep,
    start: Annotated[BoundedDate, Query(alias="from", description="First day (local), YYYY-MM-DD.")],
    end: Annotated[BoundedDate, Query(alias="to", description="Last day (local), included.")],
) -> service.OpenHours:
    return await service.recorded_open_hours(
        session, principal=principal, facility_id=facility_id, start=start, end=end
    )
