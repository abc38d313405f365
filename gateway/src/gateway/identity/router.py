from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Request, Response

from gateway.dependencies import SettingsDep
from gateway.identity import service
from gateway.identity.schemas import RefreshRequest, RegisterRequest, StaffCreate, TokenResponse, UserRead
from service_kit.auth import CurrentPrincipal
from service_kit.db import SessionDep
from service_kit.pagination import Page, PageParams, page_params
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1", tags=["identity"])


@router.post(
    "/auth/register",
    response_model=UserRead,
    status_code=201,
    summary="A resident signs up",
    responses=problems(409, 422, 429),
)
async def register(body: RegisterRequest, session: SessionDep) -> dict[str, Any]:
    return await service.register(session, data=body)


@router.post(
    "/auth/token",
    response_model=TokenResponse,
    summary="Sign in (OAuth2 password grant, form-encoded)",
    responses=problems(401, 422, 429),
)
async def token(
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(min_length=1, max_length=64, description="User name or phone number")],
    password: Annotated[str, Form(min_length=1, max_length=128)],
    grant_type: Annotated[Literal["password"] | None, Form()] = None,
) -> dict[str, Any]:
    return await service.sign_in(session, settings=settings, login=username, password=password)


@router.post("/auth/refresh", response_model=TokenResponse, summary="Trade a refresh token for new tokens", responses=problems(401, 422))
async def refresh(body: RefreshRequest, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    return await service.refresh(session, settings=settings, token=body.refresh_token)


@router.post("/auth/logout", status_code=204, summary="Revoke a refresh token", responses=problems(401, 422))
async def logout(body: RefreshRequest, session: SessionDep, settings: SettingsDep) -> Response:
    await service.sign_out(session, settings=settings, token=body.refresh_token)
    return Response(status_code=204)


@router.get("/me", response_model=UserRead, summary="Who am I", responses=problems(401, 404))
async def me(session: SessionDep, principal: CurrentPrincipal) -> dict[str, Any]:
    return await service.me(session, principal=principal)


@router.post(
    "/users",
    response_model=UserRead,
    status_code=201,
    summary="Create a staff account (district officials)",
    responses=problems(401, 403, 409, 422),
)
async def create_staff(body: StaffCreate, session: SessionDep, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    return await service.create_staff(session, principal=principal, data=body)


@router.get("/users", response_model=Page[UserRead], summary="Accounts (officials, auditors)", responses=problems(401, 403, 422))
async def list_users(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: Annotated[PageParams, Depends(page_params)],
    role: Literal["resident", "operator", "official", "auditor"] | None = None,
) -> dict[str, Any]:
    return await service.list_users(session, principal=principal, role=role, cursor=page.cursor, limit=page.limit)
