from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.identity.models import RefreshToken, User


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_login(self, login: str) -> User | None:
        stmt = select(User).where(or_(User.username == login, User.phone == login))
        return (await self.session.execute(stmt)).scalars().first()

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def taken(self, username: str | None, phone: str | None) -> str | None:
        if username and (await self.session.execute(select(User.id).where(User.username == username))).first():
            return "username"
        if phone and (await self.session.execute(select(User.id).where(User.phone == phone))).first():
            return "phone"
        return None

    async def list(self, *, role: str | None, after_id: int | None, limit: int) -> Sequence[User]:
        stmt = select(User).order_by(User.id).limit(limit)
        if role:
            stmt = stmt.where(User.role == role)
        if after_id is not None:
            stmt = stmt.where(User.id > after_id)
        return (await self.session.execute(stmt)).scalars().all()

    async def refresh_token(self, jti: str) -> RefreshToken | None:
        stmt = select(RefreshToken).where(RefreshToken.jti == jti).with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    def add(self, obj: User | RefreshToken) -> None:
        self.session.add(obj)

    async def flush(self) -> None:
        await self.session.flush()
