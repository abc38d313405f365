"""The outbox: an event row written in the same transaction as the change it announces."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.clock import utcnow
from service_kit.infra_tables import InfraTables
from service_kit.logs import request_id_var

# Any constant: PostgreSQL advisory lock key that orders outbox writers (see record()).
_OUTBOX_LOCK = 7_310_311
_TAKE_OUTBOX_LOCK = select(func.pg_advisory_xact_lock(_OUTBOX_LOCK))


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
        """Add an event to the session's transaction. On PostgreSQL the transaction takes an advisory
        lock first, so sequence numbers are committed in order and a feed reader never skips one
        that commits late; SQLite has one writer at a time already."""
        bind = session.get_bind()
        if bind.dialect.name == "postgresql":
            await session.execute(_TAKE_OUTBOX_LOCK)
        event_id = str(uuid.uuid4())
        await session.execute(
            self.table.insert().values(
                id=event_id,
                type=type,
                subject=subject,
                data=data,
                request_id=request_id_var.get(),
                actor=actor,
                occurred_at=at or utcnow(),
            )
        )
        return event_id

    async def record_many(self, session: AsyncSession, events: Sequence[PendingEvent]) -> list[str]:
        """Add several events to the session's transaction in order: one advisory lock (PostgreSQL) and
        one multi-row insert, for a writer that saves many changes in one transaction. Each event names
        its own request id (the writer runs outside the requests that asked for them)."""
        if not events:
            return []
        bind = session.get_bind()
        if bind.dialect.name == "postgresql":
            await session.execute(_TAKE_OUTBOX_LOCK)
        rows = _rows(events)
        # Rows are inserted in list order, so their sequence numbers follow it.
        await session.execute(self.table.insert(), rows)
        return [r["id"] for r in rows]

    def envelope(self, row: Any) -> dict[str, Any]:
        return envelope(row, self.source)


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
    return {
        "specversion": "1.0",
        "id": row.id,
        "source": source,
        "type": row.type,
        "subject": row.subject,
        "time": row.occurred_at.isoformat(),
        "datacontenttype": "application/json",
        "sequence": row.seq,
        "requestid": row.request_id,
        "data": row.data,
    }
