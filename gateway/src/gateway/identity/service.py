"""Sign-up, sign-in, token refresh and staff accounts. The built-in token issuer lives here."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import jwt
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.identity.models import RefreshToken, User
from gateway.identity.passwords import hash_password, verify_password
from gateway.identity.repository import UserRepository
from gateway.identity.schemas import RegisterRequest, StaffCreate
from gateway.settings import Settings
from service_kit.auth import Principal, mint_token
from service_kit.clock import as_aware, utcnow
from service_kit.pagination import decode_id_cursor, encode_cursor
from service_kit.problems import Conflict, Forbidden, NotFound, Unauthenticated


def mask_phone(phone: str | None) -> str | None:
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 7 else phone


def user_read(user: User, *, viewer: Principal | None) -> dict[str, Any]:
    sees_phone = viewer is not None and (viewer.sub == str(user.id) or viewer.role == "official")
    return {
        "id": user.id,
        "username": user.username,
        "phone": user.phone if sees_phone else mask_phone(user.phone),
        "display_name": user.display_name,
        "role": user.role,
        "operator_id": user.operator_id,
        "subdistrict": user.subdistrict,
        "active": user.active,
        "created_at": as_aware(user.created_at),
    }


async def _issue(session: AsyncSession, settings: Settings, user: User) -> dict[str, Any]:
    claims = {
        "name": user.display_name,
        "operator_id": user.operator_id,
        "subdistrict": user.subdistrict,
    }
    access = mint_token(settings, sub=str(user.id), role=user.role, ttl_s=settings.access_token_ttl_s, **claims)
    jti = uuid.uuid4().hex
    refresh = mint_token(
        settings,
        sub=str(user.id),
        role=user.role,
        ttl_s=settings.refresh_token_ttl_s,
        token_type="refresh",
        rid=jti,
    )
    session.add(
        RefreshToken(
            jti=jti, user_id=user.id, expires_at=utcnow() + timedelta(seconds=settings.refresh_token_ttl_s)
        )
    )
    await session.commit()
    return {
        "access_token": access,
        "token_type": "bearer",
        "expires_in": settings.access_token_ttl_s,
        "refresh_token": refresh,
    }


async def register(session: AsyncSession, *, data: RegisterRequest) -> dict[str, Any]:
    repo = UserRepository(session)
    taken = await repo.taken(data.username, data.phone)
    if taken:
        raise Conflict(f"That {taken} is already registered; sign in instead.", slug="already-registered")
    user = User(
        username=data.username,
        phone=data.phone,
        password_hash=await hash_password(data.password),
        display_name=data.display_name,
        role="resident",
        active=True,
        created_at=utcnow(),
    )
    repo.add(user)
    try:
        await repo.flush()
    except IntegrityError as exc:  # a concurrent sign-up took it between the check and the insert
        await session.rollback()
        raise Conflict("That username or phone is already registered.", slug="already-registered") from exc
    await session.commit()
    return user_read(user, viewer=Principal(sub=str(user.id), role="resident"))


async def create_staff(session: AsyncSession, *, principal: Principal, data: StaffCreate) -> dict[str, Any]:
    if not principal.is_district_official:
        raise Forbidden("Only district officials create staff accounts.")
    repo = UserRepository(session)
    if await repo.taken(data.username, None):
        raise Conflict("That username is already registered.", slug="already-registered")
    user = User(
        username=data.username,
        password_hash=await hash_password(data.password),
        display_name=data.display_name,
        role=data.role,
        operator_id=data.operator_id,
        subdistrict=data.subdistrict,
        active=True,
        created_at=utcnow(),
    )
    repo.add(user)
    try:
        await repo.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict("That username is already registered.", slug="already-registered") from exc
    await session.commit()
    return user_read(user, viewer=principal)


async def sign_in(session: AsyncSession, *, settings: Settings, login: str, password: str) -> dict[str, Any]:
    user = await UserRepository(session).by_login(login)
    ok = await verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        raise Unauthenticated("The user name or password is wrong.")
    return await _issue(session, settings, user)


async def refresh(session: AsyncSession, *, settings: Settings, token: str) -> dict[str, Any]:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[settings.jwt_algorithm],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("The refresh token has expired: sign in again.") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated("The refresh token is not valid.") from exc
    if claims.get("typ") != "refresh" or "rid" not in claims:
        raise Unauthenticated("That is not a refresh token.")
    repo = UserRepository(session)
    stored = await repo.refresh_token(claims["rid"])
    if stored is None or stored.revoked_at is not None:
        raise Unauthenticated("The refresh token was already used or revoked: sign in again.")
    user = await repo.get(stored.user_id)
    if user is None or not user.active:
        raise Unauthenticated("The account is no longer active.")
    stored.revoked_at = utcnow()
    return await _issue(session, settings, user)


async def sign_out(session: AsyncSession, *, settings: Settings, token: str) -> None:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[settings.jwt_algorithm],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"verify_exp": False},
        )
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated("The refresh token is not valid.") from exc
    stored = await UserRepository(session).refresh_token(str(claims.get("rid", "")))
    if stored is not None and stored.revoked_at is None:
        stored.revoked_at = utcnow()
        await session.commit()


async def me(session: AsyncSession, *, principal: Principal) -> dict[str, Any]:
    if not principal.sub.isdigit():
        # An API key's token: describe the key's identity rather than an account.
        return {
            "id": 0,
            "username": None,
            "phone": None,
            "display_name": principal.name,
            "role": principal.role,
            "operator_id": principal.operator_id,
            "subdistrict": principal.subdistrict,
            "active": True,
            "created_at": utcnow(),
        }
    user = await UserRepository(session).get(int(principal.sub))
    if user is None:
        raise NotFound("Your account no longer exists.")
    return user_read(user, viewer=principal)


async def list_users(
    session: AsyncSession, *, principal: Principal, role: str | None, cursor: str | None, limit: int
) -> dict[str, Any]:
    if principal.role not in ("official", "auditor"):
        raise Forbidden("Only officials and auditors list accounts.")
    after = decode_id_cursor(cursor)
    rows = await UserRepository(session).list(role=role, after_id=after, limit=limit + 1)
    return {
        "items": [user_read(u, viewer=principal) for u in rows[:limit]],
        "next_cursor": encode_cursor(rows[limit - 1].id) if len(rows) > limit else None,
    }
