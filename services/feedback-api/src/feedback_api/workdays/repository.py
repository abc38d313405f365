"""The officials' calendar: the days they marked as holidays or make-up working days.

A calendar day is keyed by its date, not by an integer id, so this repository stands beside
`RepositoryBase` (whose reads and cursor go by `id`) rather than on it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.workdays.models import CalendarDay


class CalendarRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, day: date) -> CalendarDay | None:
        return await self.session.get(CalendarDay, day)

    async def between(self, first: date, last: date) -> Sequence[CalendarDay]:
        """The marked days from `first` to `last`, both included, in date order."""
        stmt = (
            select(CalendarDay)
            .where(CalendarDay.day >= first, CalendarDay.day <= last)
            .order_by(CalendarDay.day)
        )
        return (await self.session.execute(stmt)).scalars().all()

    def add(self, row: CalendarDay) -> CalendarDay:
        self.session.add(row)
        return row

    async def delete(self, row: CalendarDay) -> None:
        await self.session.delete(row)

    async def flush(self) -> None:
        await self.session.flush()
