from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Row, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.ratings.models import DIMENSIONS, Rating


@dataclass(frozen=True, slots=True)
class RatingFilter:
    target_type: str | None = None
    target_id: int | None = None
    period: str | None = None


class RatingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, rating_id: int) -> Rating | None:
        return await self.session.get(Rating, rating_id)

    async def live_for_update(self, *, resident_sub: str, target_type: str, target_id: int, period: str) -> Rating | None:
        """The resident's live rating of the target in the period, locked until the transaction ends."""
        stmt = (
            select(Rating)
            .where(
                Rating.resident_sub == resident_sub,
                Rating.target_type == target_type,
                Rating.target_id == target_id,
                Rating.period == period,
                Rating.live,
            )
            .with_for_update()
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list_live(self, f: RatingFilter, *, before_id: int | None, limit: int) -> Sequence[Rating]:
        stmt = select(Rating).where(Rating.live).order_by(Rating.id.desc()).limit(limit)
        if before_id is not None:
            stmt = stmt.where(Rating.id < before_id)
        if f.target_type:
            stmt = stmt.where(Rating.target_type == f.target_type)
        if f.target_id is not None:
            stmt = stmt.where(Rating.target_id == f.target_id)
        if f.period:
            stmt = stmt.where(Rating.period == f.period)
        return (await self.session.execute(stmt)).scalars().all()

    async def list_by_resident(self, resident_sub: str, *, before_id: int | None, limit: int) -> Sequence[Rating]:
        stmt = select(Rating).where(Rating.resident_sub == resident_sub).order_by(Rating.id.desc()).limit(limit)
        if before_id is not None:
            stmt = stmt.where(Rating.id < before_id)
        return (await self.session.execute(stmt)).scalars().all()

    async def summary(self, *, target_type: str, target_id: int, period: str) -> Row:
        """One aggregate over the live ratings: count and sum of overall, count of each score 1–5, and
        count and sum of each dimension (a dimension's count leaves out ratings that did not score it)."""
        columns = [
            func.count(Rating.id).label("count"),
            func.coalesce(func.sum(Rating.overall), 0).label("overall_sum"),
            *(func.count(case((Rating.overall == score, 1))).label(f"overall_{score}") for score in range(1, 6)),
        ]
        for name in DIMENSIONS:
            column = getattr(Rating, name)
            columns += [func.count(column).label(f"{name}_count"), func.coalesce(func.sum(column), 0).label(f"{name}_sum")]
        stmt = select(*columns).where(
            Rating.live,
            Rating.target_type == target_type,
            Rating.target_id == target_id,
            Rating.period == period,
        )
        return (await self.session.execute(stmt)).one()

    def add(self, rating: Rating) -> None:
        self.session.add(rating)

    async def flush(self) -> None:
        await self.session.flush()
