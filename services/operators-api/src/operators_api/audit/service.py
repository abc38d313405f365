"""The audit log: `record()` adds an entry to the caller's transaction (so a change and its entry
commit together, or neither does); `list_entries()` reads it. Nothing updates or deletes an entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from operators_api.audit.models import AuditEntry
from operators_api.audit.repository import AuditFilter, AuditRepository
from operators_api.reads import Listing, oldest_first
from operators_api.shared import jsonable
from service_kit.auth import Principal
from service_kit.logs import request_id_var
from service_kit.pagination import decode_id_cursor


def entry(
    principal: Principal,
    *,
    at: datetime,
    entity_type: str,
    entity_id: int,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An entry's columns, for record_many()."""
    return {
        "entity_type": entity_type,
        "entity_id": entity_id,
        "action": action,
        "from_state": from_state,
        "to_state": to_state,
        "actor": principal.sub,
        "actor_role": principal.role,
        "actor_name": principal.name,
        "reason": reason,
        "details": jsonable(details or {}),
        "request_id": request_id_var.get(),
        "at": at,
    }


async def record_many(session: AsyncSession, entries: list[dict[str, Any]]) -> None:
    """Many entries in one statement, in the caller's transaction (a batch of evaluations)."""
    await AuditRepository(session).insert_many(entries)


def record(
    session: AsyncSession,
    *,
    principal: Principal,
    at: datetime,
    entity_type: str,
    entity_id: int,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    AuditRepository(session).add(
        AuditEntry(
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            from_state=from_state,
            to_state=to_state,
            actor=principal.sub,
            actor_role=principal.role,
            actor_name=principal.name,
            reason=reason,
            details=jsonable(details or {}),
            request_id=request_id_var.get(),
            at=at,
        )
    )


async def list_entries(
    session: AsyncSession, *, filters: AuditFilter, cursor: str | None, limit: int
) -> Listing[AuditEntry]:
    rows = await AuditRepository(session).search(filters, after_id=decode_id_cursor(cursor), limit=limit + 1)
    return oldest_first(rows, limit)
