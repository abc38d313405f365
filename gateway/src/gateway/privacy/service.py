"""Export and deletion of a resident's account.

Deletion keeps the account's row as a tombstone (its id is the `sub` the services' records name, and
must never be given to someone else), erases what identifies the person (user name, phone, display
name), makes the password unusable, disables the account, revokes every refresh token, and records
`account.deleted` in the same transaction: each service reads it from the gateway's feed and erases or
anonymises what it holds on that resident."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.events import outbox
from gateway.identity.models import User
from gateway.identity.passwords import UNUSABLE_PASSWORD
from gateway.identity.revocation import AccessRevocations
from gateway.identity.service import check_own_password
from gateway.privacy import client
from gateway.privacy.repository import AccountRepository
from gateway.settings import Settings
from service_kit.auth import Principal
from service_kit.clock import utcnow
from service_kit.problems import NotFound, RuleViolation

# What a deleted account shows where a name is needed.
TOMBSTONE_NAME = "已注销用户"


def is_deleted(user: User) -> bool:
    return user.password_hash == UNUSABLE_PASSWORD


async def _own_account(repo: AccountRepository, principal: Principal, *, for_update: bool = False) -> User:
    user = await repo.get(int(principal.sub), for_update=for_update) if principal.sub.isdigit() else None
    if user is None or is_deleted(user):
        raise NotFound("Your account no longer exists.")
    return user


async def export(
    session: AsyncSession,
    *,
    principal: Principal,
    http: httpx.AsyncClient,
    upstreams: Mapping[str, str],
    authorization: str,
    now: datetime,
) -> dict[str, Any]:
    user = await _own_account(AccountRepository(session), principal)
    account = {
        "id": user.id,
        "username": user.username,
        "phone": user.phone,
        "display_name": user.display_name,
        "role": user.role,
        "created_at": user.created_at,
    }
    # Read before asking the services: nothing of the session is held while they answer.
    await session.rollback()
    services = await client.gather(http, upstreams, authorization)
    return {"generated_at": now, "account": account, "services": services}


async def delete_account(
    session: AsyncSession,
    *,
    settings: Settings,
    principal: Principal,
    password: str,
    now: datetime,
    revocations: AccessRevocations | None,
) -> None:
    repo = AccountRepository(session)
    user = await _own_account(repo, principal)
    # Under the account's sign-in lockout: a borrowed access token is no way to guess the password.
    checked = await check_own_password(session, settings=settings, user_id=user.id, password=password, now=now)
    if checked is None:
        await session.commit()
        raise RuleViolation("password", "The password is wrong: the account was not deleted.", code="wrong-password")
    user = await _own_account(repo, principal, for_update=True)
    user.username = None
    user.phone = None
    user.display_name = TOMBSTONE_NAME
    user.password_hash = UNUSABLE_PASSWORD
    user.active = False
    # Every token issued until now is refused, on every replica and even if the account were enabled.
    user.tokens_valid_after = utcnow()
    await repo.revoke_refresh_tokens(user.id, at=now)
    await outbox.record(
        session,
        "account.deleted",
        {"account_id": principal.sub},
        subject=f"account/{user.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    if revocations is not None:
        # Its access tokens stop at once on this gateway, and within the refresh bound on the others.
        revocations.withdraw(user.id, issued_up_to=None)
