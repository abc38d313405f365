from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, select

from feedback_api.moderation.models import ModerationWord
from feedback_api.ratings.models import Rating, RatingBurst
from service_kit.repository import RepositoryBase, Slice


class WordRepository(RepositoryBase[ModerationWord]):
    model = ModerationWord
    noun = "word"

    async def list(self) -> Sequence[ModerationWord]:
        return await self.all(self.statement().order_by(ModerationWord.id))

    async def by_word(self, word: str) -> ModerationWord | None:
        return await self.one_or_none(
            self.statement().where(ModerationWord.word == word)
        )

    async def words(self) -> Sequence[str]:
        """Every word officials added (the comment filter's part of the list)."""
        return (await self.session.execute(select(ModerationWord.word))).scalars().all()

    async def delete(self, word: ModerationWord) -> None:
        await self.session.delete(word)


class BurstRepository(RepositoryBase[RatingBurst]):
    model = RatingBurst
    noun = "burst"

    async def list(
        self,
        *,
        status: str | None,
        cursor: str | None,
        limit: int,
        subdistrict: str | None = None,
    ) -> Slice[RatingBurst]:
        stmt = self.statement()
        if subdistrict is not None:
            stmt = stmt.where(
                exists().where(
                    Rating.burst_id == RatingBurst.id, Rating.subdistrict == subdistrict
                )
            )
        if status:
            stmt = stmt.where(RatingBurst.status == status)
        return await self.page(stmt, cursor=cursor, limit=limit)

    async def subdistrict_of(self, burst_id: int) -> str | None:
        """The subdistrict of the facility whose ratings the burst holds (a burst is on one target)."""
        stmt = select(Rating.subdistrict).where(Rating.burst_id == burst_id).limit(1)
        return (await self.session.execute(stmt)).scalar_one_or_none()
