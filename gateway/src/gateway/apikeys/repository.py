"""Queries on API keys."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.apikeys.models import ApiKey
from service_kit.repository import RepositoryBase


class ApiKeyRepository(RepositoryBase[ApiKey]):
    model = ApiKey
    noun = "API key"

    async def by_prefix(self, prefix: str) -> ApiKey | None:
        """The key whose public part is `prefix` (unique), revoked or not."""
        return await self.one_or_none(self.statement().where(ApiKey.prefix == prefix))

    async def listing(self, *, operator_id: int | None = None) -> Sequence[ApiKey]:
        """Every key in issue order, or one operator's."""
        stmt = self.statement().order_by(ApiKey.id)
        if operator_id is not None:
            stmt = stmt.where(ApiKey.operator_id == operator_id)
        return await self.all(stmt)
