from __future__ import annotations

from collections.abc import Sequence

from feedback_api.open311.models import Open311Client
from service_kit.repository import RepositoryBase


class ClientRepository(RepositoryBase[Open311Client]):
    model = Open311Client
    noun = "Open311 client"

    async def by_prefix(self, prefix: str) -> Open311Client | None:
        return await self.one_or_none(
            self.statement().where(Open311Client.key_prefix == prefix)
        )

    async def list(self) -> Sequence[Open311Client]:
        return await self.all(self.statement().order_by(Open311Client.id))
