"""A resident's own data: `GET /api/v1/me/personal-data` (export) and `DELETE /api/v1/me` (delete the account)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from gateway.identity.dependencies import RevocationsDep
from gateway.privacy import service
from gateway.privacy.schemas import AccountDelete, PersonalDataExport
from service_kit.auth import Principal, require_roles
from service_kit.db import SessionDep
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1", tags=["personal data"])

Resident = Annotated[Principal, require_roles("resident")]


@router.get(
    "/me/personal-data",
    response_model=PersonalDataExport,
    summary="Everything the platform holds on you (个人信息查阅、复制)",
    description=(
        "The signed-in resident's account and what each service holds on them, gathered from each service "
        "with the resident's own token. `?download=true` answers the same document as a file "
        "(`Content-Disposition: attachment`). If a service does not answer, 503 with Retry-After: never "
        "a partial export."
    ),
    responses=problems(401, 403, 404, 503),
)
async def export_personal_data(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: Resident,
    download: Annotated[bool, Query(description="Answer as a file to save.")] = False,
) -> dict[str, Any]:
    state = request.app.state
    document = await service.export(
        session,
        principal=principal,
        http=state.http,
        upstreams=state.upstreams,
        authorization=request.headers["authorization"],
        now=state.clock.now(),
    )
    if download:
        response.headers["Content-Disposition"] = f'attachment; filename="personal-data-{principal.sub}.json"'
    response.headers["Cache-Control"] = "no-store"
    return document


@router.delete(
    "/me",
    status_code=204,
    summary="Delete your account (个人信息删除)",
    description=(
        "Confirmed with the account's password in the body. The account is anonymised and disabled, every "
        "refresh token revoked, and `account.deleted` announced on the gateway's feed "
        "(`/api/v1/identity/events`): each service then erases or anonymises what it holds on you, "
        "keeping only the counts statistics rest on. Access tokens already issued stop working at once. "
        "Wrong passwords count towards the account's sign-in lockout (429 with Retry-After while it holds)."
    ),
    responses=problems(401, 403, 404, 422, 429),
)
async def delete_account(
    request: Request, body: AccountDelete, session: SessionDep, principal: Resident, revocations: RevocationsDep
) -> Response:
    state = request.app.state
    await service.delete_account(
        session,
        settings=state.settings,
        principal=principal,
        password=body.password,
        now=state.clock.now(),
        revocations=revocations,
    )
    return Response(status_code=204)
