"""Where the rating writer's statements run.

The write path (service.write_batch / write_one) is one sequence of set-based steps whatever the
database: read what the batch needs (`Lookup` → `Found`), retire the live ratings it replaces, insert the
new ones with their aggregate changes, record the events, commit. A store executes them. `SessionStore`
runs each step through the ORM session and the repositories, a statement per question (SQLite, and the
complete path on PostgreSQL); `DriverStore` (driver_store.py) runs them on the asyncpg connection with
the steps' statements combined (the whole read is one statement; the changes, gathered as the steps
decide them, are one more at commit), which costs a fraction of the Python and of the round trips, and
hands the rare cases it does not handle (a suspected burst, a facility missing from the local map) back
to the session path by raising `NeedsSession` before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Lookup:
    """What a batch reads before it writes, asked of the store at once."""

    residents: list[
        str
    ]  # their activity, for the per-resident limits and the new-account flag
    hour_ago: datetime
    day_ago: datetime
    facilities: dict[int, FacilityRef]  # their operator and subdistrict now
    checkins: list[
        tuple[str, str, int, int]
    ]  # (resident, target type, target id, facility id): verified?
    slots: list[
        tuple[str, str, int, str]
    ]  # live-rating slots (resident, target type, target id, period)
    targets: list[tuple[str, int]]  # for the burst rule: their ratings in the window
    since: datetime  # the burst window's start
    cap: int  # the most recent ratings per target the burst rule counts (abuse.burst_cap)
    now: datetime


@dataclass(frozen=True, slots=True)
class Found:
    """What the store found for a Lookup."""

    activity: Mapping[
        str, Mapping[str, Any]
    ]  # per resident with a rating (abuse.Activity.of reads it)
    operations: dict[
        int, tuple[int | None, str | None]
    ]  # facility id → (operator id, subdistrict)
    checked_in: list[bool]  # in the order of Lookup.checkins
    live: Sequence[
        Any
    ]  # the live ratings in the slots (Rating or NewRating), locked until the transaction ends
    window: Sequence[
        Mapping[str, Any]
    ]  # per target and network: n, new_accounts (of the cap most recent, before the insert)


class WriteStore(Protocol):
    async def read(self, lookup: Lookup) -> Found: ...
    async def retire(self, replaced: Sequence[tuple[int, datetime]]) -> None: ...
    async def insert_many(
        self, rows: Sequence[dict], *, aggregates: list[tuple[Any, int]]
    ) -> list[int]: ...
    async def hold_suspects(
        self, suspects: list[Any], ratings: list[Any], *, settings: Settings
    ) -> None: ...
    async def link_replacements(self, pairs: Sequence[tuple[int, int]]) -> None: ...
    async def record_events(self, events: list[PendingEvent]) -> None: ...
    async def filter_comment(
        self, comment_filter: CommentFilter, text: str | None
    ) -> Filtered: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class SessionStore:
    """The write path's statements through the ORM session and the repositories."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.ratings = RatingRepository(session)

    async def read(self, lookup: Lookup) -> Found:
        ratings = self.ratings
        return Found(
            activity=await ratings.activity_of_residents(
                lookup.residents, hour_ago=lookup.hour_ago, day_ago=lookup.day_ago
            ),
            operations=await operations_for(
                self.session, lookup.facilities, now=lookup.now
            ),
            checked_in=await CheckinRepository(self.session).checked_in_many(
                lookup.checkins
            ),
            live=await ratings.live_many(lookup.slots),
            window=await ratings.window_counts(
                lookup.targets, since=lookup.since, cap=lookup.cap
            ),
        )

    async def retire(self, replaced: Sequence[tuple[int, datetime]]) -> None:
        await self.ratings.retire(replaced)

    async def insert_many(
        self, rows: Sequence[dict], *, aggregates: list[tuple[Any, int]]
    ) -> list[int]:
        ids = await self.ratings.insert_many(rows)
        await AggregateRepository(self.session).apply_many(aggregates)
        return ids

    async def hold_suspects(
        self, suspects: list[Any], ratings: list[Any], *, settings: Settings
    ) -> None:
        await abuse.hold_suspects(self.session, suspects, ratings, settings=settings)

    async def link_replacements(self, pairs: Sequence[tuple[int, int]]) -> None:
        await self.ratings.link_replacements(pairs)

    async def record_events(self, events: list[PendingEvent]) -> None:
        await outbox.record_many(self.session, events)

    async def filter_comment(
        self, comment_filter: CommentFilter, text: str | None
    ) -> Filtered:
        return await comment_filter.check(self.session, text)

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
