"""API keys: issued to integration clients by district officials, and to an operator's systems by
its staff, each carrying only the scopes `service_kit.scopes.SCOPES` lets that kind of key hold. A
request carrying `X-API-Key` is signed in at the gateway: the key is swapped for a short-lived token
of the key's role and scopes, which each service verifies like any other."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.apikeys.models import ApiKey
from gateway.apikeys.repository import ApiKeyRepository
from gateway.apikeys.schemas import ApiKeyCreate
from gateway.db import infra
from gateway.events import outbox
from gateway.settings import Settings
from service_kit.auth import Principal, mint_token
from service_kit.clock import utcnow
from service_kit.events.service import api_key_subject, disable_subscriptions_of_key
from service_kit.problems import Forbidden, NotFound
from service_kit.scopes import SCOPES, issuable_to

KEY_PREFIX = "cok_"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_key(session: AsyncSession, *, principal: Principal, data: ApiKeyCreate) -> tuple[ApiKey, str]:
    """Operator staff issue keys for their own operator, with operator scopes; district officials issue
    integration keys, with integration scopes. Nobody else issues keys (the routes' gate already
    turned away the rest; a subdistrict official is turned away here)."""
    role: Literal["operator", "integration"]
    operator_id: int | None
    if principal.role == "operator" and principal.operator_id is not None:
        role, operator_id = "operator", principal.operator_id
    elif principal.is_district_official:
        role, operator_id = "integration", None
    else:
        raise Forbidden("District officials issue integration keys; operator staff issue keys for their operator.")
    beyond = sorted(set(data.scopes) - set(issuable_to(role)))
    if beyond:
        raise Forbidden(
            f"A key for {'an operator' if role == 'operator' else 'an integration client'} cannot carry "
            f"{', '.join(beyond)}; it may carry {', '.join(issuable_to(role))}."
        )
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        prefix=prefix,
        secret_hash=_hash(secret),
        name=data.name,
        role=role,
        operator_id=operator_id,
        scopes=sorted(set(data.scopes)),
        created_by=principal.sub,
        created_at=utcnow(),
    )
    repo = ApiKeyRepository(session)
    repo.add(key)
    await repo.flush()
    await session.commit()
    return key, f"{KEY_PREFIX}{prefix}_{secret}"


async def list_keys(session: AsyncSession, *, principal: Principal) -> Sequence[ApiKey]:
    """Operator staff see their operator's keys; district officials and auditors see every key."""
    repo = ApiKeyRepository(session)
    if principal.role == "operator":
        return await repo.listing(operator_id=principal.operator_id)
    if not (principal.is_district_official or principal.role == "auditor"):
        raise Forbidden("API keys are the district's: an official bound to a subdistrict does not manage them.")
    return await repo.listing()


async def revoke_key(session: AsyncSession, *, principal: Principal, key_id: int) -> None:
    """A district official revokes any key; operator staff revoke their own operator's keys (another
    operator's key is not found for them). In the same transaction the key's webhook subscriptions on
    the gateway stop and `apikey.revoked` goes on the gateway's feed, which every service follows to
    stop the subscriptions the key made there: nothing the key set up keeps sending data out."""
    if principal.role == "official" and not principal.is_district_official:
        raise Forbidden("API keys are the district's: an official bound to a subdistrict cannot revoke them.")
    key = await ApiKeyRepository(session).get(key_id)
    visible = key is not None and (
        principal.is_district_official or (principal.role == "operator" and key.operator_id == principal.operator_id)
    )
    if key is None or not visible:
        raise NotFound(f"No API key {key_id}.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        await disable_subscriptions_of_key(session, infra, key.id)
        await outbox.record(
            session,
            "apikey.revoked",
            {"key_id": key.id, "subject": api_key_subject(key.id), "role": key.role},
            subject=f"apikey/{key.id}",
            actor=principal.sub,
            at=key.revoked_at,
        )
        await session.commit()


class ApiKeyExchange:
    """Turns a presented key into a bearer token, caching good keys briefly (revocation takes
    effect within `cache_s` on every replica)."""

    def __init__(
        self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], cache_s: float = 30.0
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.cache_s = cache_s
        self._cache: dict[str, tuple[float, str, float]] = {}

    async def token_for(self, presented: str) -> str | None:
        now = time.monotonic()
        cached = self._cache.get(presented)
        if cached and cached[0] > now and cached[2] > time.time() + 30:
            return cached[1]
        if not presented.startswith(KEY_PREFIX) or presented.count("_") < 2:
            return None
        prefix, _, secret = presented[len(KEY_PREFIX) :].partition("_")
        async with self.sessionmaker() as session:
            key = await ApiKeyRepository(session).by_prefix(prefix)
            if key is None or key.revoked_at is not None or not hmac.compare_digest(key.secret_hash, _hash(secret)):
                return None
            key.last_used_at = utcnow()
            await session.commit()
        ttl = self.settings.api_key_token_ttl_s
        token = mint_token(
            self.settings,
            sub=api_key_subject(key.id),
            role=key.role,
            ttl_s=ttl,
            name=key.name,
            operator_id=key.operator_id,
            # Only what the table lets this kind of key hold, whatever an old row says.
            scopes=[s for s in key.scopes if s in SCOPES and SCOPES[s].issued_to == key.role],
        )
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[presented] = (now + self.cache_s, token, time.time() + ttl)
        return token
