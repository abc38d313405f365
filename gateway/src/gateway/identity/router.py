from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Response

from gateway.dependencies import SettingsDep
from gateway.identity import service
from gateway.identity.dependencies import DistrictOfficial, RevocationsDep
from gateway.identity.schemas import (
    PHONE_PATTERN,
    AccountStatusRequest,
    PasswordChange,
    RefreshRequest,
    RegisterRequest,
    RegistrationAccepted,
    StaffCreate,
    TokenResponse,
    UserRead,
)
from service_kit.auth import Principal, require_roles, signed_in
from service_kit.clock import ClockDep
from service_kit.db import SessionDep
from service_kit.pagination import Page, PageParams, page_params
from service_kit.params import ResourceId
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1", tags=["identity"])


@router.post(
    "/auth/register",
    response_model=RegistrationAccepted,
    status_code=202,
    summary="A resident signs up",
    description=(
        "The answer is the same whether or not the phone number already has an account (nothing is "
        "created then), so sign-up cannot be used to learn who is registered: sign in afterwards. "
        "A taken user name is 409 (a name is chosen, not personal data). The password must not be one of "
        "the most common ones (422 `common-password`)."
    ),
    responses=problems(409, 422, 429),
)
async def register(body: RegisterRequest, session: SessionDep, clock: ClockDep) -> dict[str, Any]:
    return await service.register(session, data=body, now=clock.now())


@router.post(
    "/auth/token",
    response_model=TokenResponse,
    summary="Sign in (OAuth2 password grant, form-encoded)",
    description=(
        "After a few failed sign-ins in a row an account is locked for a period that doubles with each "
        "further failure: 429 with Retry-After, whatever the password. A disabled account is 403."
    ),
    responses=problems(401, 403, 422, 429),
)
async def token(
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    username: Annotated[str, Form(min_length=1, max_length=64, description="User name or phone number")],
    password: Annotated[str, Form(min_length=1, max_length=128)],
    grant_type: Annotated[Literal["password"] | None, Form()] = None,
) -> dict[str, Any]:
    return await service.sign_in(session, settings=settings, login=username, password=password, now=clock.now())


@router.post(
    "/auth/refresh",
    response_model=TokenResponse,
    summary="Trade a refresh token for new tokens",
    description="A refresh token works once. Presenting one again revokes every token descended from the same sign-in.",
    responses=problems(401, 422),
)
async def refresh(
    body: RefreshRequest, session: SessionDep, settings: SettingsDep, clock: ClockDep, revocations: RevocationsDep
) -> dict[str, Any]:
    return await service.refresh(
        session, settings=settings, token=body.refresh_token, now=clock.now(), revocations=revocations
    )


@router.post("/auth/logout", status_code=204, summary="Revoke a refresh token", responses=problems(401, 422))
async def logout(body: RefreshRequest, session: SessionDep, settings: SettingsDep, clock: ClockDep) -> Response:
    await service.sign_out(session, settings=settings, token=body.refresh_token, now=clock.now())
    return Response(status_code=204)


@router.get("/me", response_model=UserRead, summary="Who am I", responses=problems(401, 403, 404))
async def me(session: SessionDep, principal: Annotated[Principal, signed_in()]) -> UserRead:
    return UserRead.for_viewer(await service.me(session, principal=principal), viewer=principal)


@router.post(
    "/me/password",
    status_code=204,
    summary="Change my password",
    description="Checks the current password (under the sign-in lockout) and ends every session: sign in again.",
    responses=problems(401, 403, 404, 422, 429),
)
async def change_password(
    body: PasswordChange,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    revocations: RevocationsDep,
    principal: Annotated[Principal, signed_in()],
) -> Response:
    await service.change_password(
        session, settings=settings, principal=principal, data=body, now=clock.now(), revocations=revocations
    )
    return Response(status_code=204)


@router.post(
    "/users",
    response_model=UserRead,
    status_code=201,
    summary="Create a staff account (district officials)",
    responses=problems(401, 403, 409, 422),
)
async def create_staff(
    body: StaffCreate, session: SessionDep, clock: ClockDep, principal: DistrictOfficial
) -> UserRead:
    user = await service.create_staff(session, principal=principal, data=body, now=clock.now())
    return UserRead.for_viewer(user, viewer=principal)


@router.get(
    "/users",
    response_model=Page[UserRead],
    summary="Accounts (district officials and auditors: all; a subdistrict official: its own subdistrict's officials)",
    description="Phone numbers are masked. A district official finds the account of a number it already has with `phone`.",
    responses=problems(401, 403, 422),
)
async def list_users(
    session: SessionDep,
    principal: Annotated[Principal, require_roles("official", "auditor")],
    page: Annotated[PageParams, Depends(page_params)],
    role: Literal["resident", "operator", "official", "auditor"] | None = None,
    phone: Annotated[str | None, Query(pattern=PHONE_PATTERN, description="Exact number (district officials).")] = None,
) -> Page[UserRead]:
    found = await service.list_users(
        session, principal=principal, role=role, phone=phone, cursor=page.cursor, limit=page.limit
    )
    return UserRead.page_for_viewer(found, viewer=principal)


@router.post(
    "/users/{user_id}/disable",
    response_model=UserRead,
    summary="Disable an account (district officials), with the reason",
    description=(
        "At once: its access tokens are refused at the gateway (every replica within "
        "`GATEWAY_ACCESS_REVOCATION_REFRESH_S` seconds), its refresh tokens are revoked and it cannot sign in."
    ),
    responses=problems(401, 403, 404, 409, 422),
)
async def disable_user(
    user_id: ResourceId,
    body: AccountStatusRequest,
    session: SessionDep,
    clock: ClockDep,
    revocations: RevocationsDep,
    principal: DistrictOfficial,
) -> UserRead:
    user = await service.set_active(
        session,
        principal=principal,
        user_id=user_id,
        active=False,
        reason=body.reason,
        now=clock.now(),
        revocations=revocations,
    )
    return UserRead.for_viewer(user, viewer=principal)


@router.post(
    "/users/{user_id}/enable",
    response_model=UserRead,
    summary="Enable a disabled account again (district officials), with the reason",
    description="The account signs in again; tokens issued before it was disabled stay refused.",
    responses=problems(401, 403, 404, 409, 422),
)
async def enable_user(
    user_id: ResourceId,
    body: AccountStatusRequest,
    session: SessionDep,
    clock: ClockDep,
    revocations: RevocationsDep,
    principal: DistrictOfficial,
) -> UserRead:
    user = await service.set_active(
        session,
        principal=principal,
        user_id=user_id,
        active=True,
        reason=body.reason,
        now=clock.now(),
        revocations=revocations,
    )
    return UserRead.for_viewer(user, viewer=principal)
