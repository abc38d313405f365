"""Diagnostic only (bench): feedback-api with service-kit's outbox advisory lock left out, to measure
how much of the submission cost is that lock (it is held from the event insert to the commit, so
concurrent rating transactions commit one at a time). Never used outside the bench.

    uvicorn bench.feedback.nolock:create_app --factory
"""

from __future__ import annotations

import uuid
from typing import Any

from service_kit.clock import utcnow
from service_kit.events import outbox as kit_outbox
from service_kit.logs import request_id_var


async def _record_without_lock(self, session, type, data, *, subject=None, actor=None, at=None) -> str:
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


async def _record_many_without_lock(self, session, events) -> list[str]:
    rows = [
        {
            "id": str(uuid.uuid4()),
            "type": e.type,
            "subject": e.subject,
            "data": e.data,
            "request_id": e.request_id if e.request_id is not None else request_id_var.get(),
            "actor": e.actor,
            "occurred_at": e.at or utcnow(),
        }
        for e in events
    ]
    if rows:
        await session.execute(self.table.insert(), rows)
    return [r["id"] for r in rows]


def create_app() -> Any:
    kit_outbox.Outbox.record = _record_without_lock  # type: ignore[method-assign]
    kit_outbox.Outbox.record_many = _record_many_without_lock  # type: ignore[method-assign]
    from feedback_api.main import create_app as real

    return real()
