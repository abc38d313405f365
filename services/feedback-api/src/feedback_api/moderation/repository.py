from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.moderation.models import ModerationWord, RatingBurst
from feedback_api.ratings.models import Rating


class WordRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list(self) -> Sequence[ModerationWord]:
        return (
            (
                await self.session.execute(
                    select(ModerationWord).order_by(ModerationWord.id)
                )
            )
            .scalars()
            .all()
        )

    async def by_word(self, word: str) -> ModerationWord | None:
        return (
            await self.session.execute(
                select(ModerationWord).where(ModerationWord.word == word)
            )
        ).scalar_one_or_none()

    async def get(self, word_id: int) -> ModerationWord | None:
        return await self.session.get(ModerationWord, word_id)

    def add(self, word: ModerationWord) -> None:
        self.session.add(word)

    async def delete(self, word: ModerationWord) -> None:
        await self.session.delete(word)


class BurstRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(
        self, burst_id: int, *, for_update: bool = False
    ) -> RatingBurst | None:
        stmt = select(RatingBurst).where(RatingBurst.id == burst_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list(
        self,
        *,
        status: str | None,
        before_id: int | None,
        limit: int,
        subdistrict: str | None = None,
    ) -> Sequence[RatingBurst]:
        stmt = select(RatingBurst).order_by(RatingBurst.id.desc()).limit(limit)
        if subdistrict is not None:
            stmt = stmt.where(
                exists().where(
                    Rating.burst_id == RatingBurst.id, Rating.subdistrict == subdistrict
                )
            )
        if status:
            stmt = stmt.where(RatingBurst.status == status)
        if before_id is not None:
            stmt = stmt.where(RatingBurst.id < before_id)
        return (await self.session.execute(stmt)).scalars().all()

    async def subdistrict_of(self, burst_id: int) -> str | None:
        """The subdistrict of the facility whose ratings the burst holds (a burst is on one target)."""
        stmt = select(Rating.subdistrict).where(Rating.burst_id == burst_id).limit(1)
        return (await self.session.execute(stmt)).scalar_one_or_none()
