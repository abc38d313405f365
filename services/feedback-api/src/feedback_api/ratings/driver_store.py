"""The rating writer's statements on the asyncpg connection (PostgreSQL).

The same questions and changes as the session path (stores.SessionStore and the repositories), written
for PostgreSQL with arrays instead of expanding parameters, so each is one prepared statement whatever the
batch size (asyncpg keeps them prepared per connection), and combined where the session path asks one
after another. A batch of new ratings is two round trips whatever its size, where a statement per step
took eleven, and BEGIN, a read, an insert, the events and COMMIT took five:

- READ: what the batch needs (the residents' activity, the facilities' operators, the check-ins, the live
  ratings it replaces, the burst window's counts), each part an array of rows, and the new ratings' ids
  drawn from their sequence;
- WRITE, once the use case has decided: the replaced ratings retired and linked to their successors, the
  new ratings inserted with those ids, the aggregate rows upserted, and the events recorded under the
  outbox's lock (service-kit), in one statement, so they are committed together or not at all. The
  statement orders its parts: the retirements before the inserts (which take the freed live-rating
  slots), the outbox lock after the ratings and the aggregates, as in a transaction of several statements.

Each is its own transaction. Nothing is locked between them: what the read found may change before the
write, and the write stays correct because the only way a live rating stops being live is a replacement
that puts a new live rating in its slot, so a batch that lost a race for a slot is refused whole by the
unique index on live slots (and retried: writer.py); the per-resident limits and the burst rule count
what was committed, as the session path does. On a busy event loop each round trip waits its turn, and
each wakes PostgreSQL and comes back: their number bounds the writer's rate (bench/feedback/README.md). A
statement through the ORM session also costs about three times the Python of the same statement here.

The connection is one the writer keeps between batches (DriverConnections), or, when the app is bound to
one connection (the tests), the connection beneath a session: the write then runs in a savepoint of the
test's transaction, and commit() also ends the session's.

What it does not do, it hands back by raising NeedsSession before anything is written: a rating that may
complete a burst (the exact check and the hold are the session path's), a facility missing from the
local operation map (asking facilities-api and remembering the answer is the session path's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import asyncpg
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

from feedback_api.events import outbox
from feedback_api.moderation.filter import CommentFilter
from feedback_api.operations.repository import checked_in, checkin_lookup
from feedback_api.ratings.models import DIMENSIONS
from feedback_api.ratings.service import NewRating
from feedback_api.ratings.stores import Found, Lookup, NeedsSession
from feedback_api.satisfaction.repository import KEY, SUM_COLUMNS, merged_changes
from feedback_api.settings import Settings
from service_kit.events.outbox import PendingEvent

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from feedback_api.moderation.filter import Filtered

# A live rating as the writer reads it: what NewRating holds.
LIVE_COLUMNS = (
    *NewRating.ROW,
    "id",
    "burst_id",
    "replaced_by",
    "reply_text",
    "reply_operator_id",
    "replied_at",
)
_ROW_TYPES = {
    "resident_sub": "text", "target_type": "text", "target_id": "int", "facility_id": "int", "subdistrict": "text",
    "operator_id": "int", "period": "text", "month": "text", "overall": "smallint",
    **dict.fromkeys(DIMENSIONS, "smallint"),
    "comment": "text", "comment_status": "text", "status": "text", "verified": "boolean", "new_account": "boolean",
    "client_network": "text", "live": "boolean", "created_at": "timestamptz",
}  # fmt: skip
_COLUMNS = ", ".join(NewRating.ROW)
_AGGREGATE_COLUMNS = (*KEY, "facility_id", "subdistrict", *SUM_COLUMNS)
_AGGREGATE_TYPES = {"month": "text", "target_type": "text", "subdistrict": "text"}
# What a batch reads, one array of rows per question ($1 … $16 in Lookup's terms); the burst window's
# count reads at most `cap` rows per target (an index range scan that stops there); the facility map is
# probed by its primary key per facility (the LIMIT keeps the planner from a hash join over the whole map);
# `ids` are the new ratings' ids, one per slot, drawn from the rating ids' sequence:
ACTIVITY_COLUMNS = (
    "resident_sub",
    "last_hour",
    "last_day",
    "first_at",
    "oldest_in_hour",
    "oldest_in_day",
)
WINDOW_COLUMNS = ("target_type", "target_id", "client_network", "n", "new_accounts")
READ = f"""
SELECT
  ARRAY(SELECT ROW(resident_sub,
                   count(*) FILTER (WHERE created_at >= $2),
                   count(*) FILTER (WHERE created_at >= $3),
                   min(created_at),
                   min(created_at) FILTER (WHERE created_at >= $2),
                   min(created_at) FILTER (WHERE created_at >= $3))
        FROM rating WHERE resident_sub = ANY($1::text[]) GROUP BY resident_sub) AS activity,
  ARRAY(SELECT o.row FROM unnest($4::int[]) AS f(id) CROSS JOIN LATERAL (
            SELECT ROW(facility_id, operator_id, subdistrict, name_zh) AS row FROM facility_operation
            WHERE facility_id = f.id LIMIT 1) AS o) AS operations,
  ARRAY(SELECT ROW(resident_sub, activity_id, facility_id) FROM checkin
        WHERE resident_sub = ANY($5::text[]) AND (activity_id = ANY($6::int[]) OR facility_id = ANY($7::int[]))) AS checkins,
  ARRAY(SELECT ROW({", ".join(LIVE_COLUMNS)}) FROM rating
        WHERE live AND (target_type, target_id, period, resident_sub) IN
              (SELECT * FROM unnest($8::text[], $9::int[], $10::text[], $11::text[]))) AS live,
  ARRAY(SELECT ROW(t.target_type, t.target_id, w.client_network, count(*), count(*) FILTER (WHERE w.new_account))
        FROM unnest($12::text[], $13::int[]) AS t(target_type, target_id)
        CROSS JOIN LATERAL (
            SELECT client_network, new_account FROM rating
            WHERE target_type = t.target_type AND target_id = t.target_id AND created_at >= $14 AND live AND status <> 'hidden'
            ORDER BY created_at DESC LIMIT $15) AS w
        GROUP BY t.target_type, t.target_id, w.client_network) AS window,
  ARRAY(SELECT nextval(pg_get_serial_sequence('rating', 'id')) FROM generate_series(1, $16::int)) AS ids
"""
WORDS = "SELECT word FROM moderation_word"


@cache
def write_statement() -> str:
    """The batch's changes and events in one statement (built at first use, from the outbox's part).

    `retired` frees the replaced ratings' slots (and names their successors: the foreign key is checked
    at the statement's end, when they exist); `inserted` reads it first, so the new ratings take the
    freed slots; `counted` upserts the merged aggregate rows in key order (merged_changes), so concurrent
    batches queue on them rather than deadlock; the events' insert takes the outbox lock only after
    reading `inserted` and `counted`, as the last statement of a transaction would."""
    n = len(NewRating.ROW)
    rating_params = ", ".join(
        f"${i}::{_ROW_TYPES[c]}[]" for i, c in enumerate(NewRating.ROW, 5)
    )
    first_aggregate = 5 + n
    aggregate_params = ", ".join(
        f"${i}::{_AGGREGATE_TYPES.get(c, 'int')}[]"
        for i, c in enumerate(_AGGREGATE_COLUMNS, first_aggregate)
    )
    return (
        "WITH retired AS ("
        " UPDATE rating SET live = false, replaced_at = r.moment, replaced_by = r.new_id"
        " FROM unnest($1::int[], $2::timestamptz[], $3::int[]) AS r(id, moment, new_id)"
        " WHERE rating.id = r.id AND rating.live RETURNING rating.id"
        "), inserted AS ("
        f" INSERT INTO rating (id, {_COLUMNS}) SELECT id, {_COLUMNS} FROM unnest($4::int[], {rating_params})"
        f" AS r(id, {_COLUMNS}) WHERE (SELECT count(*) FROM retired) >= 0 RETURNING id"
        "), counted AS ("
        f" INSERT INTO rating_aggregate ({', '.join(_AGGREGATE_COLUMNS)}) SELECT * FROM unnest({aggregate_params})"
        f" ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET "
        + ", ".join(f"{c} = rating_aggregate.{c} + excluded.{c}" for c in SUM_COLUMNS)
        + " RETURNING 1) "
        + outbox.driver_insert(
            first_aggregate + len(_AGGREGATE_COLUMNS),
            after="SELECT (SELECT count(*) FROM inserted) + (SELECT count(*) FROM counted)",
        )
    )


def _columns(
    rows: Sequence[Mapping[str, Any]], names: Sequence[str]
) -> list[list[Any]]:
    return [[row[name] for row in rows] for name in names]


@dataclass(slots=True)
class _Changes:
    """What a batch will write, gathered as the use case decides it (DriverStore.commit writes it)."""

    retired: list[tuple[int, datetime]] = field(default_factory=list)
    successors: dict[int, int] = field(default_factory=dict)
    rows: Sequence[Mapping[str, Any]] = ()
    ids: list[int] = field(default_factory=list)
    aggregates: list[dict[str, Any]] = field(default_factory=list)
    events: list[PendingEvent] = field(default_factory=list)


class DriverStore:
    """The write path's read, then its changes in one statement at commit()."""

    def __init__(self, conn: asyncpg.Connection, session: AsyncSession | None) -> None:
        self.conn = conn
        self.session = session
        self._ids: list[int] = []  # drawn by the read, for the new ratings
        self._changes = _Changes()

    async def read(self, lookup: Lookup) -> Found:
        slots, targets = lookup.slots, sorted(set(lookup.targets))
        found = await self.conn.fetchrow(
            READ,
            sorted(set(lookup.residents)), lookup.hour_ago, lookup.day_ago,
            sorted(lookup.facilities),
            *checkin_lookup(lookup.checkins),
            [s[1] for s in slots], [s[2] for s in slots], [s[3] for s in slots], [s[0] for s in slots],
            [t for t, _ in targets], [i for _, i in targets], lookup.since, lookup.cap,
            len(slots),
        )  # fmt: skip
        operations = {row[0]: row for row in found["operations"]}
        for facility_id in lookup.facilities:
            row = operations.get(facility_id)
            if row is None or row[2] is None or row[3] is None:
                raise NeedsSession(
                    f"facility {facility_id} is not in the local operation map yet"
                )
        self._ids = sorted(found["ids"])
        return Found(
            activity={
                row[0]: dict(zip(ACTIVITY_COLUMNS, row, strict=True))
                for row in found["activity"]
            },
            operations={
                facility_id: (row[1], row[2]) for facility_id, row in operations.items()
            },
            checked_in=checked_in(lookup.checkins, found["checkins"]),
            live=[
                NewRating(**dict(zip(LIVE_COLUMNS, row, strict=True)))
                for row in found["live"]
            ],
            window=[
                dict(zip(WINDOW_COLUMNS, row, strict=True)) for row in found["window"]
            ],
        )

    async def retire(self, replaced: Sequence[tuple[int, datetime]]) -> None:
        self._changes.retired = list(replaced)

    async def insert_many(
        self, rows: Sequence[dict], *, aggregates: list[tuple[Any, int]]
    ) -> list[int]:
        if len(rows) > len(self._ids):
            raise RuntimeError(
                "insert_many() before the read that draws the new ratings' ids"
            )
        changes = self._changes
        changes.rows, changes.ids = rows, self._ids[: len(rows)]
        changes.aggregates = merged_changes(aggregates)
        return changes.ids  # in row order, as the sequence gave them

    async def hold_suspects(
        self, suspects: list[Any], ratings: list[Any], *, settings: Settings
    ) -> None:
        raise NeedsSession("a rating may complete a burst")

    async def link_replacements(self, pairs: Sequence[tuple[int, int]]) -> None:
        self._changes.successors = dict(pairs)

    async def record_events(self, events: list[PendingEvent]) -> None:
        self._changes.events = list(events)

    async def filter_comment(
        self, comment_filter: CommentFilter, text: str | None
    ) -> Filtered:
        if not text:
            return CommentFilter.nothing()

        async def added_words() -> list[str]:
            return [row["word"] for row in await self.conn.fetch(WORDS)]

        return comment_filter.judge(text, await comment_filter.words_from(added_words))

    async def commit(self) -> None:
        changes, self._changes = self._changes, _Changes()
        if changes.rows:
            await self._write(changes)
        if self.session is not None:
            await self.session.commit()

    async def _write(self, changes: _Changes) -> None:
        retired = changes.retired
        args = [
            [rating_id for rating_id, _ in retired],
            [at for _, at in retired],
            [changes.successors[rating_id] for rating_id, _ in retired],
            changes.ids,
            *_columns(changes.rows, NewRating.ROW),
            *_columns(changes.aggregates, _AGGREGATE_COLUMNS),
            *outbox.driver_args(changes.events),
        ]
        try:
            if self.session is None:
                await self.conn.execute(
                    write_statement(), *args
                )  # a transaction of its own
            else:
                async with (
                    self.conn.transaction()
                ):  # a savepoint of the test's transaction
                    await self.conn.execute(write_statement(), *args)
        except asyncpg.UniqueViolationError as exc:
            # another writer took a live-rating slot first; as the session path raises it, so that
            # write_one takes it for a race and tries once more
            raise IntegrityError(write_statement(), None, exc) from exc

    async def rollback(self) -> None:
        self._changes = _Changes()  # nothing was written


class DriverConnections:
    """The writer's connections for the driver path.

    Bound to the engine (a running service), the writer keeps the connections it used between batches, so
    a batch begins with BEGIN rather than a pool checkout and its liveness ping (a round trip, and on a
    busy event loop a few milliseconds); a connection whose transaction could not be ended is closed, not
    kept. Bound to one connection (the tests' transaction), each batch takes a session on it, its
    transaction a savepoint of the test's."""

    def __init__(self) -> None:
        self._idle: list[tuple[AsyncEngine, AsyncConnection]] = []

    @asynccontextmanager
    async def store(
        self, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> AsyncIterator[DriverStore]:
        bind = sessionmaker.kw["bind"]
        if not isinstance(bind, AsyncEngine):
            async with sessionmaker() as session, _on_session(session) as store:
                yield store
            return
        connection = self._take(bind) or await bind.connect()
        kept = False
        try:
            raw = await connection.get_raw_connection()
            store = DriverStore(raw.driver_connection, None)
            try:
                yield store
            finally:
                await store.rollback()  # what was not committed
                kept = not raw.driver_connection.is_closed()
        finally:
            if kept:
                self._idle.append((bind, connection))
            else:
                await connection.invalidate()
                await connection.close()

    def _take(self, engine: AsyncEngine) -> AsyncConnection | None:
        while self._idle:
            bound, connection = self._idle.pop()
            if bound is engine:
                return connection
        return None

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for _, connection in idle:
            await connection.close()


@asynccontextmanager
async def _on_session(session: AsyncSession) -> AsyncIterator[DriverStore]:
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    store = DriverStore(raw.driver_connection, session)
    try:
        yield store
    finally:
        await store.rollback()
