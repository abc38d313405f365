"""The base every repository is written on: one class per aggregate, holding its queries.

A repository reads and stages writes on the session it was given; it flushes when a use case needs the
database to check a rule (a unique key, a conditional update) and never commits: the service commits
once, at the end of the use case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, Mapped

from service_kit.pagination import decode_id_cursor, encode_cursor
from service_kit.problems import NotFound


class Identified(Protocol):
    """A mapped record with an integer primary key named `id`."""

    id: Mapped[int]


ModelT = TypeVar("ModelT", bound=Identified)


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Slice(Generic[T]):
    """One page of records, newest first, and the cursor for the next page (None on the last)."""

    items: Sequence[T]
    next_cursor: str | None


class RepositoryBase(Generic[ModelT]):
    """Queries for one aggregate. Subclasses set `model`, and override `statement()` to eager-load
    what every reader of the aggregate needs (relationships are `lazy="raise"`)."""

    model: ClassVar[type[Any]]
    #: How a reader names one record in a 404 ("No booking 7.").
    noun: ClassVar[str] = "record"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def statement(self) -> Select[ModelT]:
        """The SELECT every read starts from."""
        return select(self.model)

    def _id_column(self) -> InstrumentedAttribute[int]:
        column: InstrumentedAttribute[int] = self.model.id
        return column

    async def get(self, record_id: int, *, for_update: bool = False) -> ModelT | None:
        stmt = self.statement().where(self._id_column() == record_id)
        if for_update:
            stmt = stmt.with_for_update(of=self.model)
        return await self.one_or_none(stmt)

    async def get_for_update(self, record_id: int) -> ModelT | None:
        """The record, locked until the transaction ends (on PostgreSQL; SQLite serialises writers)."""
        return await self.get(record_id, for_update=True)

    async def get_or_404(self, record_id: int, *, for_update: bool = False) -> ModelT:
        record = await self.get(record_id, for_update=for_update)
        if record is None:
            raise NotFound(f"No {self.noun} {record_id}.")
        return record

    def add(self, record: ModelT) -> ModelT:
        self.session.add(record)
        return record

    async def flush(self) -> None:
        await self.session.flush()

    async def one_or_none(self, stmt: Select[ModelT]) -> ModelT | None:
        return (await self.session.execute(stmt)).unique().scalar_one_or_none()

    async def all(self, stmt: Select[ModelT]) -> Sequence[ModelT]:
        return (await self.session.execute(stmt)).unique().scalars().all()

    async def page(self, stmt: Select[ModelT], *, cursor: str | None, limit: int) -> Slice[ModelT]:
        """Newest first by id: `stmt` filtered, then cut after `limit` records; the cursor holds the
        last id returned, so a page never repeats or skips a record written meanwhile."""
        before = decode_id_cursor(cursor)
        column = self._id_column()
        if before is not None:
            stmt = stmt.where(column < before)
        rows = await self.all(stmt.order_by(column.desc()).limit(limit + 1))
        items = rows[:limit]
        next_cursor = encode_cursor(items[-1].id) if len(rows) > limit else None
        return Slice(items=items, next_cursor=next_cursor)
