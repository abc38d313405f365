from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, update

from gateway.identity.models import RefreshToken, User
from service_kit.repository import RepositoryBase


class AccountRepository(RepositoryBase[User]):
    """The account a resident exports or erases, and its refresh tokens."""

    model = User
    noun = "account"

    async def revoke_refresh_tokens(self, user_id: int, *, at: datetime) -> int:
        """Revoke every refresh token of the account still usable; returns how many."""
        result: CursorResult[Any] = await self.session.execute(  # type: ignore[assignment]  # an UPDATE's result
            update(RefreshToken)
            .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return result.rowcount or 0
