from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select

from feedback_api.menu.models import MenuItem, MenuRound, MenuVote
from service_kit.repository import RepositoryBase, Slice


class MenuRepository(RepositoryBase[MenuRound]):
    model = MenuRound
    noun = "menu round"

    async def list(
        self, *, include_drafts: bool, cursor: str | None, limit: int
    ) -> Slice[MenuRound]:
        stmt = self.statement()
        if not include_drafts:
            stmt = stmt.where(MenuRound.status != "draft")
        return await self.page(stmt, cursor=cursor, limit=limit)

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
        # A DELETE's result is a CursorResult, which counts the rows it removed.
        return cast(CursorResult[Any], result).rowcount or 0

    def add_item(self, item: MenuItem) -> MenuItem:
        self.session.add(item)
        return item

    def add_vote(self, vote: MenuVote) -> MenuVote:
        self.session.add(vote)
        return vote
