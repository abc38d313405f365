from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Response

from gateway.apikeys import service
from gateway.apikeys.dependencies import key_managers
from gateway.apikeys.models import ApiKey
from gateway.apikeys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from service_kit.auth import Principal
from service_kit.db import SessionDep
from service_kit.params import ResourceId
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1/api-keys", tags=["identity"])


@router.post(
    "",
    response_model=ApiKeyCreated,
    status_code=201,
    summary="Issue an API key (district officials: integration clients; operator staff: their operator's systems)",
    description="Operator staff may grant operator scopes only, district officials integration scopes only (403 otherwise).",
    responses=problems(401, 403, 422),
)
async def create_key(
    body: ApiKeyCreate, session: SessionDep, principal: Annotated[Principal, key_managers("official", "operator")]
) -> ApiKeyCreated:
    key, presented = await service.create_key(session, principal=principal, data=body)
    return ApiKeyCreated(**ApiKeyRead.model_validate(key).model_dump(), key=presented)


@router.get(
    "",
    response_model=list[ApiKeyRead],
    summary="API keys (district officials and auditors: all; operator staff: their operator's)",
    responses=problems(401, 403),
)
async def list_keys(
    session: SessionDep, principal: Annotated[Principal, key_managers("official", "auditor", "operator")]
) -> Sequence[ApiKey]:
    return await service.list_keys(session, principal=principal)


@router.delete(
    "/{key_id}",
    status_code=204,
    summary="Revoke an API key (district officials: any; operator staff: their operator's)",
    responses=problems(401, 403, 404),
)
async def revoke_key(
    key_id: ResourceId, session: SessionDep, principal: Annotated[Principal, key_managers("official", "operator")]
) -> Response:
    await service.revoke_key(session, principal=principal, key_id=key_id)
    return Response(status_code=204)
