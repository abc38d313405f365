from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, delete, false, or_, select, update

from gateway.identity.models import AccountStatusChange, RefreshToken, SignInFailure, User
from service_kit.repository import RepositoryBase


class UserRepository(RepositoryBase[User]):
    """Accounts, and the records that hang on them (refresh tokens, status changes, sign-in failures)."""

    model = User
    noun = "account"

    async def by_login(self, login: str) -> User | None:
        stmt = select(User).where(or_(User.username == login, User.phone == login))
        return (await self.session.execute(stmt)).scalars().first()

    async def username_taken(self, username: str) -> bool:
        return (await self.session.execute(select(User.id).where(User.username == username))).first() is not None

    async def phone_taken(self, phone: str) -> bool:
        return (await self.session.execute(select(User.id).where(User.phone == phone))).first() is not None

    async def list(
        self,
        *,
        role: str | None,
        subdistrict: str | None,
        phone: str | None,
        after_id: int | None,
        limit: int,
    ) -> Sequence[User]:
        stmt = select(User).order_by(User.id).limit(limit)
        if role:
            stmt = stmt.where(User.role == role)
        if subdistrict is not None:
            stmt = stmt.where(User.subdistrict == subdistrict)
        if phone is not None:
            stmt = stmt.where(User.phone == phone)
        if after_id is not None:
            stmt = stmt.where(User.id > after_id)
        return (await self.session.execute(stmt)).scalars().all()

    async def withdrawn_access(self, *, since: datetime) -> Sequence[Row[int, bool, datetime | None]]:
        """Accounts whose access tokens the edge refuses: disabled ones, and those whose tokens were
        cut off recently enough that a token from before the cut may still be unexpired."""
        stmt = select(User.id, User.active, User.tokens_valid_after).where(
            or_(User.active == false(), User.tokens_valid_after > since)
        )
        return (await self.session.execute(stmt)).all()

    async def refresh_token(self, jti: str) -> RefreshToken | None:
        stmt = select(RefreshToken).where(RefreshToken.jti == jti).with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def revoke_refresh_tokens(
        self, *, now: datetime, user_id: int | None = None, family_id: str | None = None
    ) -> None:
        stmt = update(RefreshToken).where(RefreshToken.revoked_at.is_(None)).values(revoked_at=now)
        if user_id is not None:
            stmt = stmt.where(RefreshToken.user_id == user_id)
        if family_id is not None:
            stmt = stmt.where(RefreshToken.family_id == family_id)
        await self.session.execute(stmt)

    async def sign_in_failure(self, subject: str) -> SignInFailure | None:
        stmt = select(SignInFailure).where(SignInFailure.subject == subject).with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def forget_old_sign_in_failures(self, *, before: datetime, now: datetime) -> None:
        """Drops counts that no longer count (their last failure is old and no lock holds), so logins
        tried once and never again do not pile up."""
        await self.session.execute(
            delete(SignInFailure).where(
                SignInFailure.last_failure_at < before,
                or_(SignInFailure.locked_until.is_(None), SignInFailure.locked_until < now),
            )
        )

    async def clear_sign_in_failures(self, subject: str) -> None:
        await self.session.execute(delete(SignInFailure).where(SignInFailure.subject == subject))

    def add_record(self, record: RefreshToken | AccountStatusChange | SignInFailure) -> None:
        """Stage one of the account's records (the account itself goes through `add`)."""
        self.session.add(record)
