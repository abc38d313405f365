from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from facilities_api.privacy import service
from facilities_api.privacy.schemas import FacilitiesPersonalData
from service_kit.auth import Principal, require_roles
from service_kit.db import SessionDep
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1", tags=["personal data"])


@router.get(
    "/personal-data",
    response_model=FacilitiesPersonalData,
    summary="What facilities-api holds on you: bookings, check-ins, special-group requests",
    description="The signed-in resident's own records, in full. Through the gateway: `/api/v1/facilities/personal-data`.",
    responses=problems(401, 403),
)
async def personal_data(
    response: Response, session: SessionDep, principal: Annotated[Principal, require_roles("resident")]
) -> service.PersonalData:
    response.headers["Cache-Control"] = "no-store"
    return await service.export(session, principal=principal)
