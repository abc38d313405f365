"""Where the rating writer's statements run.

The write path (service.write_batch / write_one) is one sequence of set-based statements whatever the
database; a store executes them. `SessionStore` runs them through the ORM session (SQLite, and the
complete path on PostgreSQL); `DriverStore` (driver_store.py) runs the same statements on the asyncpg
connection beneath the session, which costs a fraction of the Python per statement, and hands the rare
cases it does not handle (a suspected burst, a facility missing from the local map) back to the session
path by raising `NeedsSession` before anything is committed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.clients.facilities import FacilityRef
from feedback_api.events import outbox
from feedback_api.moderation.filter import CommentFilter
from feedback_api.operations.repository import CheckinRepository
from feedback_api.operations.service import operations_for
from feedback_api.ratings import abuse
from feedback_api.ratings.repository import RatingRepository
from feedback_api.satisfaction.repository import AggregateRepository
from feedback_api.settings import Settings
from service_kit.events.outbox import PendingEvent

if TYPE_CHECKING:
    from feedback_api.moderation.filter import Filtered


class NeedsSession(Exception):
    """The batch needs what only the session path does; nothing of it was committed."""


class WriteStore(Protocol):
    async def activity_of_residents(
        self, resident_subs: Sequence[str], *, hour_ago: datetime, day_ago: datetime
    ) -> Mapping[str, Mapping[str, Any]]: ...
    async def operations(self, facilities: dict[int, FacilityRef], *, now: datetime) -> dict[int, tuple[int | None, str | None]]: ...
    async def checked_in_many(self, wanted: Sequence[tuple[str, str, int, int]]) -> list[bool]: ...
    async def live_many(self, keys: Sequence[tuple[str, str, int, str]]) -> Sequence[Any]: ...
    async def retire(self, replaced: Sequence[tuple[int, datetime]]) -> None: ...
    async def insert_many(self, rows: Sequence[dict]) -> list[int]: ...
    async def apply_aggregates(self, changes: list[tuple[Any, int]]) -> None: ...
    async def window_counts(self, targets: Sequence[tuple[str, int]], *, since: datetime) -> Sequence[Mapping[str, Any]]: ...
    async def hold_suspects(self, suspects: list[Any], ratings: list[Any], *, settings: Settings) -> None: ...
    async def link_replacements(self, pairs: Sequence[tuple[int, int]]) -> None: ...
    async def record_events(self, events: list[PendingEvent]) -> None: ...
    async def filter_comment(self, comment_filter: CommentFilter, text: str | None) -> Filtered: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class SessionStore:
    """The write path's statements through the ORM session and the repositories."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.ratings = RatingRepository(session)

    async def activity_of_residents(
        self, resident_subs: Sequence[str], *, hour_ago: datetime, day_ago: datetime
    ) -> Mapping[str, Mapping[str, Any]]:
        return await self.ratings.activity_of_residents(resident_subs, hour_ago=hour_ago, day_ago=day_ago)

    async def operations(self, facilities: dict[int, FacilityRef], *, now: datetime) -> dict[int, tuple[int | None, str | None]]:
        return await operations_for(self.session, facilities, now=now)

    async def checked_in_many(self, wanted: Sequence[tuple[str, str, int, int]]) -> list[bool]:
        return await CheckinRepository(self.session).checked_in_many(wanted)

    async def live_many(self, keys: Sequence[tuple[str, str, int, str]]) -> Sequence[Any]:
        return await self.ratings.live_many(keys)

    async def retire(self, replaced: Sequence[tuple[int, datetime]]) -> None:
        await self.ratings.retire(replaced)

    async def insert_many(self, rows: Sequence[dict]) -> list[int]:
        return await self.ratings.insert_many(rows)

    async def apply_aggregates(self, changes: list[tuple[Any, int]]) -> None:
        await AggregateRepository(self.session).apply_many(changes)

    async def window_counts(self, targets: Sequence[tuple[str, int]], *, since: datetime) -> Sequence[Mapping[str, Any]]:
        return await self.ratings.window_counts(targets, since=since)

    async def hold_suspects(self, suspects: list[Any], ratings: list[Any], *, settings: Settings) -> None:
        await abuse.hold_suspects(self.session, suspects, ratings, settings=settings)

    async def link_replacements(self, pairs: Sequence[tuple[int, int]]) -> None:
        await self.ratings.link_replacements(pairs)

    async def record_events(self, events: list[PendingEvent]) -> None:
        await outbox.record_many(self.session, events)

    async def filter_comment(self, comment_filter: CommentFilter, text: str | None) -> Filtered:
        return await comment_filter.check(self.session, text)

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
