"""Sign-up, sign-in, token refresh, staff accounts and their access. The built-in token issuer lives here."""

from __future__ import annotations

import hashlib
import math
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import jwt
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.identity.models import AccountStatusChange, RefreshToken, SignInFailure, User
from gateway.identity.passwords import UNUSABLE_PASSWORD, check_password_policy, hash_password, verify_password
from gateway.identity.repository import UserRepository
from gateway.identity.revocation import AccessRevocations
from gateway.identity.schemas import PasswordChange, RegisterRequest, StaffCreate
from gateway.settings import Settings
from service_kit.auth import Principal, mint_token
from service_kit.clock import utcnow
from service_kit.pagination import decode_id_cursor, encode_cursor
from service_kit.problems import Conflict, Forbidden, NotFound, ProblemError, Unauthenticated
from service_kit.repository import Slice

REGISTRATION_ACCEPTED = (
    "Registration received. If the phone number had no account, the account is ready: sign in with it "
    "and your password. If it already had one, nothing was changed: sign in with that account's password."
)


class SignInLocked(ProblemError):
    status = 429
    slug = "sign-in-locked"


async def _issue(
    session: AsyncSession, settings: Settings, user: User, *, now: datetime, family_id: str | None = None
) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "name": user.display_name,
        "operator_id": user.operator_id,
        "subdistrict": user.subdistrict,
        # To the microsecond (RFC 7519 allows it): the edge compares it with `tokens_valid_after`,
        # which is set from the same wall clock (not the injectable one: tokens carry real time).
        "iat": time.time(),
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
    UserRepository(session).add_record(
        RefreshToken(
            jti=jti,
            user_id=user.id,
            family_id=family_id or uuid.uuid4().hex,
            expires_at=now + timedelta(seconds=settings.refresh_token_ttl_s),
        )
    )
    await session.commit()
    return {
        "access_token": access,
        "token_type": "bearer",
        "expires_in": settings.access_token_ttl_s,
        "refresh_token": refresh,
    }


async def register(session: AsyncSession, *, data: RegisterRequest, now: datetime) -> dict[str, Any]:
    """A resident signs up. A taken user name is said (a name is chosen, not personal data); a phone
    number that already has an account gets the same answer as a free one, and nothing is created."""
    check_password_policy(data.password, identifiers=(data.username, data.phone))
    repo = UserRepository(session)
    if data.username and await repo.username_taken(data.username):
        raise Conflict("That username is already registered; choose another.", slug="username-taken")
    password_hash = await hash_password(data.password)  # hashed either way: the time does not tell
    if data.phone and await repo.phone_taken(data.phone):
        return {"detail": REGISTRATION_ACCEPTED}
    repo.add(
        User(
            username=data.username,
            phone=data.phone,
            password_hash=password_hash,
            display_name=data.display_name,
            role="resident",
            active=True,
            created_at=now,
        )
    )
    try:
        await repo.flush()
    except IntegrityError as exc:  # a concurrent sign-up took the name or the number meanwhile
        await session.rollback()
        if data.username and await repo.username_taken(data.username):
            raise Conflict("That username is already registered; choose another.", slug="username-taken") from exc
        return {"detail": REGISTRATION_ACCEPTED}
    await session.commit()
    return {"detail": REGISTRATION_ACCEPTED}


async def create_staff(session: AsyncSession, *, principal: Principal, data: StaffCreate, now: datetime) -> User:
    check_password_policy(data.password, identifiers=(data.username,))
    repo = UserRepository(session)
    if await repo.username_taken(data.username):
        raise Conflict("That username is already registered.", slug="already-registered")
    user = User(
        username=data.username,
        password_hash=await hash_password(data.password),
        display_name=data.display_name,
        role=data.role,
        operator_id=data.operator_id,
        subdistrict=data.subdistrict,
        active=True,
        created_at=now,
    )
    repo.add(user)
    try:
        await repo.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict("That username is already registered.", slug="already-registered") from exc
    await session.commit()
    return user


def _lock_seconds(settings: Settings, failures: int) -> int:
    over = failures - settings.sign_in_lockout_after
    return min(settings.sign_in_lockout_base_s * int(2 ** min(over, 32)), settings.sign_in_lockout_max_s)


async def _count_attempt(session: AsyncSession, *, settings: Settings, subject: str, now: datetime) -> None:
    """Refuses the attempt while the subject is locked (429, Retry-After); otherwise counts it as a
    failure *before* the password is checked, and commits, so that guesses sent in parallel cannot
    slip past the lock. A right password then clears the count."""
    repo = UserRepository(session)
    for attempt in range(2):
        failure = await repo.sign_in_failure(subject)
        locked_until = failure.locked_until if failure is not None else None
        if locked_until is not None and locked_until > now:
            retry_after = max(1, math.ceil((locked_until - now).total_seconds()))
            await session.rollback()
            raise SignInLocked(
                f"Too many failed sign-ins for this account; try again in {retry_after} s.",
                headers={"Retry-After": str(retry_after)},
            )
        forgotten_before = now - timedelta(seconds=settings.sign_in_failures_forgotten_after_s)
        if failure is None:
            await repo.forget_old_sign_in_failures(before=forgotten_before, now=now)
            failure = SignInFailure(subject=subject, failures=0, last_failure_at=now)
            repo.add_record(failure)
        elif failure.last_failure_at < forgotten_before:
            failure.failures = 0
        failure.failures += 1
        failure.last_failure_at = now
        if failure.failures >= settings.sign_in_lockout_after:
            failure.locked_until = now + timedelta(seconds=_lock_seconds(settings, failure.failures))
        try:
            await session.commit()
            return
        except IntegrityError:  # a parallel first failure inserted the row: count on it
            await session.rollback()
            if attempt:
                raise


def _account_subject(user_id: int) -> str:
    return f"user:{user_id}"


def _login_subject(login: str) -> str:
    return "login:" + hashlib.sha256(login.strip().casefold().encode()).hexdigest()


async def sign_in(
    session: AsyncSession, *, settings: Settings, login: str, password: str, now: datetime
) -> dict[str, Any]:
    """Signs in with a user name or phone and a password, under two locks. The login string's own (the
    user name or phone typed) answers 429 with Retry-After while it holds, right password or not. The
    account's, counted whatever login string names it, answers another login string of the same account
    as a wrong password (401) without checking it: a lock reached through the user name must not tell a
    prober that a phone number belongs to the same account. A wrong password and an unknown login get the
    same 401; only the holder of the right password learns that the account is disabled (403)."""
    repo = UserRepository(session)
    user = await repo.by_login(login)
    user_id = user.id if user is not None else None
    login_subject = _login_subject(login)
    await _count_attempt(session, settings=settings, subject=login_subject, now=now)
    if user_id is not None:
        try:
            await _count_attempt(session, settings=settings, subject=_account_subject(user_id), now=now)
        except SignInLocked:
            raise Unauthenticated("The user name or password is wrong.") from None
    user = await repo.get(user_id) if user_id is not None else None
    if not await verify_password(user.password_hash if user else None, password) or user is None:
        raise Unauthenticated("The user name or password is wrong.")
    await repo.clear_sign_in_failures(login_subject)
    await repo.clear_sign_in_failures(_account_subject(user.id))
    if not user.active:
        await session.commit()
        raise Forbidden(
            "This account has been disabled by the bureau; ask the culture bureau to enable it.",
            slug="account-disabled",
        )
    return await _issue(session, settings, user, now=now)


def _refresh_claims(settings: Settings, token: str, *, verify_exp: bool = True) -> dict[str, Any]:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[settings.jwt_algorithm],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"verify_exp": verify_exp},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("The refresh token has expired: sign in again.") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated("The refresh token is not valid.") from exc
    if claims.get("typ") != "refresh" or "rid" not in claims:
        raise Unauthenticated("That is not a refresh token.")
    return claims


async def refresh(
    session: AsyncSession, *, settings: Settings, token: str, now: datetime, revocations: AccessRevocations | None
) -> dict[str, Any]:
    """Rotates a refresh token. One presented again after it was rotated means two parties hold it (its
    owner and whoever copied it): the whole family descended from that sign-in is revoked, and the
    account's access tokens issued until now are refused, so the copy is useless to both. A token
    revoked otherwise (signed out, password changed, account disabled), or presented again within
    `refresh_reuse_grace_s` of its rotation (the same client racing itself), is only refused."""
    claims = _refresh_claims(settings, token)
    repo = UserRepository(session)
    stored = await repo.refresh_token(str(claims["rid"]))
    if stored is None:
        raise Unauthenticated("The refresh token was already used or revoked: sign in again.")
    rotated_at = stored.rotated_at
    if stored.revoked_at is not None and (
        rotated_at is None or (now - rotated_at).total_seconds() <= settings.refresh_reuse_grace_s
    ):
        raise Unauthenticated("The refresh token was already used or revoked: sign in again.")
    if stored.revoked_at is not None:
        await repo.revoke_refresh_tokens(now=now, family_id=stored.family_id)
        user = await repo.get(stored.user_id, for_update=True)
        cut = utcnow()
        if user is not None:
            user.tokens_valid_after = cut
        await session.commit()
        if user is not None and revocations is not None:
            revocations.withdraw(user.id, issued_up_to=None if not user.active else cut)
        raise Unauthenticated(
            "The refresh token was already used or revoked: sign in again.", slug="refresh-token-reused"
        )
    user = await repo.get(stored.user_id)
    if user is None or not user.active:
        raise Unauthenticated("The account is no longer active.")
    stored.revoked_at = stored.rotated_at = now
    return await _issue(session, settings, user, now=now, family_id=stored.family_id)


async def sign_out(session: AsyncSession, *, settings: Settings, token: str, now: datetime) -> None:
    claims = _refresh_claims(settings, token, verify_exp=False)
    stored = await UserRepository(session).refresh_token(str(claims.get("rid", "")))
    if stored is not None and stored.revoked_at is None:
        stored.revoked_at = now
        await session.commit()


async def me(session: AsyncSession, *, principal: Principal) -> User:
    user = await UserRepository(session).get(int(principal.sub)) if principal.sub.isdigit() else None
    if user is None:
        raise NotFound("Your account no longer exists.")
    return user


async def check_own_password(
    session: AsyncSession, *, settings: Settings, user_id: int, password: str, now: datetime
) -> User | None:
    """The signed-in holder's password, checked under the account's sign-in lockout (429 while it holds),
    so a stolen access token is no way to guess it: the account, locked for update, when it is right;
    None when it is wrong (the failure counted)."""
    repo = UserRepository(session)
    user = await repo.get(user_id)
    if user is None:
        raise NotFound("Your account no longer exists.")
    subject = _account_subject(user.id)
    await _count_attempt(session, settings=settings, subject=subject, now=now)
    user = await repo.get(user_id, for_update=True)
    if user is None:
        raise NotFound("Your account no longer exists.")
    if not await verify_password(user.password_hash, password):
        return None
    await repo.clear_sign_in_failures(subject)
    return user


async def change_password(
    session: AsyncSession,
    *,
    settings: Settings,
    principal: Principal,
    data: PasswordChange,
    now: datetime,
    revocations: AccessRevocations | None,
) -> None:
    """The holder changes their password (the current one is checked, under the same lockout as
    sign-in: a stolen access token is no way to guess it). Every session ends, this one included."""
    repo = UserRepository(session)
    user = await repo.get(int(principal.sub)) if principal.sub.isdigit() else None
    if user is None:
        raise NotFound("Your account no longer exists.")
    check_password_policy(data.new_password, field="new_password", identifiers=(user.username, user.phone))
    user = await check_own_password(
        session, settings=settings, user_id=user.id, password=data.current_password, now=now
    )
    if user is None:
        raise Forbidden("The current password is wrong.", slug="wrong-password")
    user.password_hash = await hash_password(data.new_password)
    user.tokens_valid_after = cut = utcnow()
    await repo.revoke_refresh_tokens(now=now, user_id=user.id)
    await session.commit()
    if revocations is not None:
        revocations.withdraw(user.id, issued_up_to=cut)


async def list_users(
    session: AsyncSession,
    *,
    principal: Principal,
    role: str | None,
    phone: str | None,
    cursor: str | None,
    limit: int,
) -> Slice[User]:
    """District officials and auditors see every account; a subdistrict official sees the officials of
    its own subdistrict (the only accounts bound to one). Phone numbers are masked for all of them."""
    subdistrict = principal.subdistrict if principal.role == "official" else None
    if phone is not None and not principal.is_district_official:
        raise Forbidden("Only district officials look accounts up by phone number.")
    after = decode_id_cursor(cursor)
    if subdistrict is not None and role not in (None, "official"):
        return Slice(items=[], next_cursor=None)
    rows = await UserRepository(session).list(
        role="official" if subdistrict is not None else role,
        subdistrict=subdistrict,
        phone=phone,
        after_id=after,
        limit=limit + 1,
    )
    return Slice(items=rows[:limit], next_cursor=encode_cursor(rows[limit - 1].id) if len(rows) > limit else None)


async def set_active(
    session: AsyncSession,
    *,
    principal: Principal,
    user_id: int,
    active: bool,
    reason: str,
    now: datetime,
    revocations: AccessRevocations | None,
) -> User:
    """A district official disables an account (its access tokens are refused at the edge, its refresh
    tokens revoked, it cannot sign in) or enables it again (tokens from before stay refused)."""
    repo = UserRepository(session)
    user = await repo.get(user_id, for_update=True)
    if user is None:
        raise NotFound(f"No account {user_id}.")
    if str(user.id) == principal.sub:
        raise Conflict("You cannot disable or enable your own account.", slug="own-account")
    if user.password_hash == UNUSABLE_PASSWORD:
        raise Conflict(
            "The account was deleted by its holder; it cannot be enabled or disabled.", slug="account-deleted"
        )
    if user.active == active:
        raise Conflict(
            f"The account is already {'enabled' if active else 'disabled'}.", slug="account-status-unchanged"
        )
    user.active = active
    if active:
        user.disabled_at = user.disabled_reason = None
    else:
        user.disabled_at, user.disabled_reason, user.tokens_valid_after = now, reason, utcnow()
        await repo.revoke_refresh_tokens(now=now, user_id=user.id)
    repo.add_record(
        AccountStatusChange(user_id=user.id, active=active, reason=reason, changed_by=principal.sub, changed_at=now)
    )
    await session.commit()
    if revocations is not None:
        if not active:
            revocations.withdraw(user.id, issued_up_to=None)
        elif user.tokens_valid_after is not None:
            revocations.withdraw(user.id, issued_up_to=user.tokens_valid_after)
        else:
            revocations.forget(user.id)
    return user
