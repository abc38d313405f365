"""The outbox: an event row written in the same transaction as the change it announces."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Insert, Table, bindparam, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.clock import utcnow
from service_kit.infra_tables import InfraTables
from service_kit.logs import request_id_var

# Any constant: PostgreSQL advisory lock key that orders outbox writers (see record()).
_OUTBOX_LOCK = 7_310_311
_COLUMNS = ("id", "type", "subject", "data", "request_id", "actor", "occurred_at")


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """One event for Outbox.record_many."""

    type: str
    data: dict[str, Any]
    subject: str | None = None
    actor: str | None = None
    at: datetime | None = None
    request_id: str | None = None


class Outbox:
    """Records events for one service. `source` names the service in each envelope."""

    def __init__(self, infra: InfraTables, source: str) -> None:
        self.table = infra.event
        self.source = source

    async def record(
        self,
        session: AsyncSession,
        type: str,
        data: dict[str, Any],
        *,
        subject: str | None = None,
        actor: str | None = None,
        at: datetime | None = None,
    ) -> str:
        """Add an event to the session's transaction. On PostgreSQL the INSERT takes an advisory lock
        before its row is made, so sequence numbers are committed in order and a feed reader never skips one
        that commits late; SQLite has one writer at a time already."""
        event_id = str(uuid.uuid4())
        row = {
            "id": event_id,
            "type": type,
            "subject": subject,
            "data": data,
            "request_id": request_id_var.get(),
            "actor": actor,
            "occurred_at": at or utcnow(),
        }
        await session.execute(self._insert(session), row)
        return event_id

    async def record_many(self, session: AsyncSession, events: Sequence[PendingEvent]) -> list[str]:
        """Add several events to the session's transaction in order, in one execution of the event's
        INSERT (which takes the advisory lock on PostgreSQL, as record() does). An event names its own
        request id, or the current one."""
        if not events:
            return []
        rows = _rows(events)
        # Rows are inserted in list order, so their sequence numbers follow it.
        await session.execute(self._insert(session), rows)
        return [r["id"] for r in rows]

    def _insert(self, session: AsyncSession) -> Insert:
        return _insert_statement(self.table, session.get_bind().dialect.name == "postgresql")

    def envelope(self, row: Any) -> dict[str, Any]:
        return envelope(row, self.source)


@functools.cache
def _insert_statement(table: Table, locked: bool) -> Insert:
    """The event row's INSERT, built once. On PostgreSQL it takes the outbox lock itself (the lock is a
    function in its FROM, evaluated before the row and its sequence number are made): one round trip
    where a SELECT of the lock and the INSERT took two, and the lock, held until the commit, is held
    one round trip less."""
    if not locked:
        return table.insert()
    lock = func.pg_advisory_xact_lock(literal(_OUTBOX_LOCK, BigInteger)).alias("outbox_lock")
    values = select(*(bindparam(c, type_=table.c[c].type) for c in _COLUMNS)).select_from(lock)
    return table.insert().from_select(list(_COLUMNS), values)


def _rows(events: Sequence[PendingEvent]) -> list[dict[str, Any]]:
    """The event rows of several pending events, in order: each names its own request id, or the current one."""
    fallback_request_id = request_id_var.get()
    return [
        {
            "id": str(uuid.uuid4()),
            "type": e.type,
            "subject": e.subject,
            "data": e.data,
            "request_id": e.request_id if e.request_id is not None else fallback_request_id,
            "actor": e.actor,
            "occurred_at": e.at or utcnow(),
        }
        for e in events
    ]


def envelope(row: Any, source: str) -> dict[str, Any]:
    """The event as published (CloudEvents 1.0 attributes, plus `sequence` for the feed cursor)."""
    occurred = row.occurred_at
    if occurred.tzinfo is None:
        from datetime import UTC

        occurred = occurred.replace(tzinfo=UTC)
    return {
        "specversion": "1.0",
        "id": row.id,
        "source": source,
        "type": row.type,
        "subject": row.subject,
        "time": occurred.isoformat(),
        "datacontenttype": "application/json",
        "sequence": row.seq,
        "requestid": row.request_id,
        "data": row.data,
    }
