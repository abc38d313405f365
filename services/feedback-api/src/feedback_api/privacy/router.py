from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from feedback_api.privacy import service
from feedback_api.privacy.schemas import FeedbackPersonalData
from service_kit.auth import Principal, require_roles
from service_kit.db import SessionDep
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1", tags=["personal data"])


@router.get(
    "/personal-data",
    response_model=FeedbackPersonalData,
    summary="What feedback-api holds on you: ratings, cases, demands, menu votes, check-ins",
    description="The signed-in resident's own records, in full. Through the gateway: `/api/v1/feedback/personal-data`.",
    responses=problems(401, 403),
)
async def personal_data(
    response: Response,
    session: SessionDep,
    principal: Annotated[Principal, require_roles("resident")],
) -> FeedbackPersonalData:
    response.headers["Cache-Control"] = "no-store"
    data = await service.export(session, principal=principal)
    return FeedbackPersonalData.model_validate(data)
