"""The rating writer's statements on the asyncpg connection (PostgreSQL).

The same questions and changes as the session path (stores.SessionStore and the repositories), written
for PostgreSQL with arrays instead of expanding parameters, so each is one prepared statement whatever the
batch size (asyncpg keeps them prepared per connection), and combined where the session path asks one
after another: a batch's whole read (the residents' activity, the facilities' operators, the check-ins,
the live slots locked, the burst window's counts) is one statement, each part an array of rows; the insert
and the aggregate upsert are one statement; the outbox's lock and insert another (service-kit). A batch
of new ratings is then BEGIN, read, insert, events, COMMIT: five round trips whatever its size, where a
statement per question took eleven; on a busy event loop each round trip waits its turn, so their number
bounds the writer's rate (bench/feedback/README.md). A statement through the ORM session also costs about
three times the Python of the same statement on the driver.

The writer's transaction is an asyncpg transaction on a connection the writer keeps between batches
(DriverConnections), or, when the app is bound to one connection (the tests), on the connection beneath a
session (a savepoint of the test's transaction; commit() also ends the session's).

What it does not do, it hands back by raising NeedsSession before anything is committed: a rating that
may complete a burst (the exact check and the hold are the session path's), a facility missing from the
local operation map (asking facilities-api and remembering the answer is the session path's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
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
LIVE_COLUMNS = (*NewRating.ROW, "id", "burst_id", "replaced_by", "reply_text", "reply_operator_id", "replied_at")
RETIRE = """
UPDATE rating SET live = false, replaced_at = r.moment
FROM unnest($1::int[], $2::timestamptz[]) AS r(id, moment) WHERE rating.id = r.id
"""
LINK = """
UPDATE rating SET replaced_by = r.new_id
FROM unnest($1::int[], $2::int[]) AS r(id, new_id) WHERE rating.id = r.id
"""
_ROW_TYPES = {
    "resident_sub": "text", "target_type": "text", "target_id": "int", "facility_id": "int", "subdistrict": "text",
    "operator_id": "int", "period": "text", "month": "text", "overall": "smallint",
    **dict.fromkeys(DIMENSIONS, "smallint"),
    "comment": "text", "comment_status": "text", "status": "text", "verified": "boolean", "new_account": "boolean",
    "client_network": "text", "live": "boolean", "created_at": "timestamptz",
}  # fmt: skip
_COLUMNS = ", ".join(NewRating.ROW)
# Rows inserted in list order (ORDER BY the array position): ids come from the sequence in that order.
INSERT = (
    f"INSERT INTO rating ({_COLUMNS}) SELECT {_COLUMNS} FROM unnest("
    + ", ".join(f"${i}::{_ROW_TYPES[c]}[]" for i, c in enumerate(NewRating.ROW, 1))
    + f") WITH ORDINALITY AS r({_COLUMNS}, position) ORDER BY position RETURNING id"
)
_AGGREGATE_COLUMNS = (*KEY, "facility_id", "subdistrict", *SUM_COLUMNS)
_AGGREGATE_TYPES = {"month": "text", "target_type": "text", "subdistrict": "text"}
# The new rows and the merged aggregate changes in one statement (two tables: no order between them).
# Aggregate rows are upserted in key order (merged_changes), so concurrent batches queue, not deadlock.
INSERT_COUNTED = (
    f"WITH counted AS (INSERT INTO rating_aggregate ({', '.join(_AGGREGATE_COLUMNS)}) SELECT * FROM unnest("
    + ", ".join(f"${i}::{_AGGREGATE_TYPES.get(c, 'int')}[]" for i, c in enumerate(_AGGREGATE_COLUMNS, len(NewRating.ROW) + 1))
    + f") ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET "
    + ", ".join(f"{c} = rating_aggregate.{c} + excluded.{c}" for c in SUM_COLUMNS)
    + ") "
    + INSERT
)
# What a batch reads, one array of rows per question ($1 … $15 in Lookup's terms); the burst window's
# count reads at most `cap` rows per target (an index range scan that stops there); the facility map is
# probed by its primary key per facility (the LIMIT keeps the planner from a hash join over the whole map):
ACTIVITY_COLUMNS = ("resident_sub", "last_hour", "last_day", "first_at", "oldest_in_hour", "oldest_in_day")
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
              (SELECT * FROM unnest($8::text[], $9::int[], $10::text[], $11::text[]))
        ORDER BY id FOR UPDATE) AS live,
  ARRAY(SELECT ROW(t.target_type, t.target_id, w.client_network, count(*), count(*) FILTER (WHERE w.new_account))
        FROM unnest($12::text[], $13::int[]) AS t(target_type, target_id)
        CROSS JOIN LATERAL (
            SELECT client_network, new_account FROM rating
            WHERE target_type = t.target_type AND target_id = t.target_id AND created_at >= $14 AND live AND status <> 'hidden'
            ORDER BY created_at DESC LIMIT $15) AS w
        GROUP BY t.target_type, t.target_id, w.client_network) AS window
"""
WORDS = "SELECT word FROM moderation_word"


def _columns(rows: Sequence[Mapping[str, Any]], names: Sequence[str]) -> list[list[Any]]:
    return [[row[name] for row in rows] for name in names]


class DriverStore:
    """The write path's statements on an asyncpg connection, in one transaction begun at the first."""

    def __init__(self, conn: asyncpg.Connection, session: AsyncSession | None) -> None:
        self.conn = conn
        self.session = session
        self._tx: Any = None

    async def _begun(self) -> asyncpg.Connection:
        if self._tx is None:
            self._tx = self.conn.transaction()
            await self._tx.start()
        return self.conn

    async def read(self, lookup: Lookup) -> Found:
        conn = await self._begun()
        slots, targets = lookup.slots, sorted(set(lookup.targets))
        found = await conn.fetchrow(
            READ,
            sorted(set(lookup.residents)), lookup.hour_ago, lookup.day_ago,
            sorted(lookup.facilities),
            *checkin_lookup(lookup.checkins),
            [s[1] for s in slots], [s[2] for s in slots], [s[3] for s in slots], [s[0] for s in slots],
            [t for t, _ in targets], [i for _, i in targets], lookup.since, lookup.cap,
        )  # fmt: skip
        operations = {row[0]: row for row in found["operations"]}
        for facility_id in lookup.facilities:
            row = operations.get(facility_id)
            if row is None or row[2] is None or row[3] is None:
                raise NeedsSession(f"facility {facility_id} is not in the local operation map yet")
        return Found(
            activity={row[0]: dict(zip(ACTIVITY_COLUMNS, row, strict=True)) for row in found["activity"]},
            operations={facility_id: (row[1], row[2]) for facility_id, row in operations.items()},
            checked_in=checked_in(lookup.checkins, found["checkins"]),
            live=[NewRating(**dict(zip(LIVE_COLUMNS, row, strict=True))) for row in found["live"]],
            window=[dict(zip(WINDOW_COLUMNS, row, strict=True)) for row in found["window"]],
        )

    async def retire(self, replaced: Sequence[tuple[int, datetime]]) -> None:
        conn = await self._begun()
        await conn.execute(RETIRE, [rid for rid, _ in replaced], [at for _, at in replaced])

    async def insert_many(self, rows: Sequence[dict], *, aggregates: list[tuple[Any, int]]) -> list[int]:
        conn = await self._begun()
        try:
            inserted = await conn.fetch(
                INSERT_COUNTED, *_columns(rows, NewRating.ROW), *_columns(merged_changes(aggregates), _AGGREGATE_COLUMNS)
            )
        except asyncpg.UniqueViolationError as exc:
            # as the session path raises it: write_one takes it for a race and tries once more
            raise IntegrityError(INSERT_COUNTED, None, exc) from exc
        # one statement takes its ids from the sequence in row order
        return sorted(row["id"] for row in inserted)

    async def hold_suspects(self, suspects: list[Any], ratings: list[Any], *, settings: Settings) -> None:
        raise NeedsSession("a rating may complete a burst")

    async def link_replacements(self, pairs: Sequence[tuple[int, int]]) -> None:
        conn = await self._begun()
        await conn.execute(LINK, [old for old, _ in pairs], [new for _, new in pairs])

    async def record_events(self, events: list[PendingEvent]) -> None:
        await outbox.record_many_on_driver(await self._begun(), events)

    async def filter_comment(self, comment_filter: CommentFilter, text: str | None) -> Filtered:
        if not text:
            return CommentFilter.nothing()

        async def added_words() -> list[str]:
            return [row["word"] for row in await (await self._begun()).fetch(WORDS)]

        return comment_filter.judge(text, await comment_filter.words_from(added_words))

    async def commit(self) -> None:
        tx, self._tx = self._tx, None
        if tx is not None:
            await tx.commit()
        if self.session is not None:
            await self.session.commit()

    async def rollback(self) -> None:
        tx, self._tx = self._tx, None
        if tx is not None:
            await tx.rollback()


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
    async def store(self, sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[DriverStore]:
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
