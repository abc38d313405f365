"""Access tokens the gateway's edge refuses before anything else sees them: those of a disabled
account, and those issued before an account's `tokens_valid_after` (a reused refresh token, a
changed password).

Access tokens are self-contained (every service verifies the signature alone), so withdrawing one
early takes a list. Each gateway process keeps it in memory and reloads it from the identity
database whenever it is older than `refresh_s`, before answering the request that finds it stale:
no replica accepts a withdrawn token more than `refresh_s` seconds after the change was committed
(while the database answers; if it does not, the last list stays in force and the failure is
logged). The process that made the change applies it at once. An empty list costs nothing per
request; otherwise the token's claims are read (not verified: the services verify)."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import jwt
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.identity.repository import UserRepository
from service_kit.clock import utcnow

log = logging.getLogger("gateway.identity.revocation")
# After a failed reload, try again this soon (seconds) rather than on every request.
RETRY_AFTER_FAILURE_S = 1.0


class AccessRevocations:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        access_ttl_s: int,
        refresh_s: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.access_ttl_s = access_ttl_s
        self.refresh_s = refresh_s
        self._monotonic = monotonic
        # account id (the token's `sub`) → tokens issued at or before this epoch second are refused;
        # infinity for a disabled account.
        self._cutoffs: dict[str, float] = {}
        self._loaded_at = -math.inf
        self._lock = asyncio.Lock()

    def withdraw(self, user_id: int, *, issued_up_to: datetime | None) -> None:
        """Applies a change at once in this process (`None`: every token of a disabled account)."""
        self._cutoffs[str(user_id)] = math.inf if issued_up_to is None else issued_up_to.timestamp()

    def forget(self, user_id: int) -> None:
        self._cutoffs.pop(str(user_id), None)

    async def refuses(self, token: str) -> bool:
        if self._monotonic() - self._loaded_at >= self.refresh_s:
            await self._reload()
        if not self._cutoffs:
            return False
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.InvalidTokenError:
            return False  # not ours to judge: the service refuses what it cannot verify
        cutoff = self._cutoffs.get(str(claims.get("sub")))
        if cutoff is None:
            return False
        issued_at = claims.get("iat")
        return not isinstance(issued_at, int | float) or issued_at <= cutoff

    async def _reload(self) -> None:
        async with self._lock:
            if self._monotonic() - self._loaded_at < self.refresh_s:
                return  # another request reloaded it while this one waited
            try:
                since = utcnow() - timedelta(seconds=self.access_ttl_s)
                async with self.sessionmaker() as session:
                    rows = await UserRepository(session).withdrawn_access(since=since)
            except Exception:
                log.warning("could not reload the withdrawn accounts; keeping the last list", exc_info=True)
                self._loaded_at = self._monotonic() - self.refresh_s + RETRY_AFTER_FAILURE_S
                return
            self._cutoffs = {
                # Active accounts are listed for their cut-off only (the query asks for one).
                str(user_id): math.inf if not active else (valid_after.timestamp() if valid_after else -math.inf)
                for user_id, active, valid_after in rows
            }
            self._loaded_at = self._monotonic()
