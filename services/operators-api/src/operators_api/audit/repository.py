from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select

from operators_api.audit.models import AuditEntry
from service_kit.repository import RepositoryBase


@dataclass(frozen=True, slots=True)
class AuditFilter:
    entity_type: str | None = None
    entity_id: int | None = None
    actor: str | None = None
    action: str | None = None


class AuditRepository(RepositoryBase[AuditEntry]):
    model = AuditEntry
    noun = "audit entry"

    async def insert_many(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(AuditEntry), rows)

    async def search(self, f: AuditFilter, *, after_id: int | None, limit: int) -> Sequence[AuditEntry]:
        stmt = select(AuditEntry).order_by(AuditEntry.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(AuditEntry.id > after_id)
        if f.entity_type:
            stmt = stmt.where(AuditEntry.entity_type == f.entity_type)
        if f.entity_id is not None:
            stmt = stmt.where(AuditEntry.entity_id == f.entity_id)
        if f.actor:
            stmt = stmt.where(AuditEntry.actor == f.actor)
        if f.action:
            stmt = stmt.where(AuditEntry.action == f.action)
        return await self.all(stmt)
