from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from operators_api.privacy.schemas import OperatorsPersonalData
from service_kit.auth import Principal, require_roles
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1", tags=["personal data"])

NOTE = (
    "operators-api keeps no record keyed by a resident's account. Volunteer records are kept by their team "
    "under a name and phone, not linked to an account: ask the team to see, correct or remove one."
)


@router.get(
    "/personal-data",
    response_model=OperatorsPersonalData,
    summary="What operators-api holds on you (nothing keyed by your account, and it says so)",
    description="Through the gateway: `/api/v1/operators/personal-data`.",
    responses=problems(401, 403),
)
async def personal_data(
    response: Response, _: Annotated[Principal, require_roles("resident")]
) -> OperatorsPersonalData:
    response.headers["Cache-Control"] = "no-store"
    return OperatorsPersonalData(held=False, note=NOTE, volunteer_records=[])
