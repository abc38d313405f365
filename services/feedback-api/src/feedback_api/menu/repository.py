from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.menu.models import MenuItem, MenuRound, MenuVote


class MenuRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, round_id: int, *, for_update: bool = False) -> MenuRound | None:
        stmt = select(MenuRound).where(MenuRound.id == round_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list(
        self, *, include_drafts: bool, before_id: int | None, limit: int
    ) -> Sequence[MenuRound]:
        stmt = select(MenuRound).order_by(MenuRound.id.desc()).limit(limit)
        if not include_drafts:
            stmt = stmt.where(MenuRound.status != "draft")
        if before_id is not None:
            stmt = stmt.where(MenuRound.id < before_id)
        return (await self.session.execute(stmt)).scalars().all()

    async def items(self, round_id: int) -> Sequence[MenuItem]:
        return (
            (
                await self.session.execute(
                    select(MenuItem)
                    .where(MenuItem.round_id == round_id)
                    .order_by(MenuItem.id)
                )
            )
            .scalars()
            .all()
        )

    async def counts(self, round_id: int) -> dict[int, int]:
        stmt = (
            select(MenuVote.item_id, func.count())
            .where(MenuVote.round_id == round_id)
            .group_by(MenuVote.item_id)
        )
        return {
            item_id: int(n) for item_id, n in (await self.session.execute(stmt)).all()
        }

    async def votes_of(self, round_id: int, resident_sub: str) -> set[int]:
        stmt = select(MenuVote.item_id).where(
            MenuVote.round_id == round_id, MenuVote.resident_sub == resident_sub
        )
        return set((await self.session.execute(stmt)).scalars().all())

    async def remove_vote(self, round_id: int, resident_sub: str, item_id: int) -> int:
        result = await self.session.execute(
            delete(MenuVote).where(
                MenuVote.round_id == round_id,
                MenuVote.resident_sub == resident_sub,
                MenuVote.item_id == item_id,
            )
        )
        return result.rowcount or 0

    def add(self, obj) -> None:
        self.session.add(obj)

    async def flush(self) -> None:
        await self.session.flush()
