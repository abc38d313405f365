from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.open311.models import Open311Client


class ClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, client_id: int) -> Open311Client | None:
        return await self.session.get(Open311Client, client_id)

    async def by_prefix(self, prefix: str) -> Open311Client | None:
        return (
            await self.session.execute(
                select(Open311Client).where(Open311Client.key_prefix == prefix)
            )
        ).scalar_one_or_none()

    async def list(self) -> Sequence[Open311Client]:
        return (
            (
                await self.session.execute(
                    select(Open311Client).order_by(Open311Client.id)
                )
            )
            .scalars()
            .all()
        )

    def add(self, client: Open311Client) -> None:
        self.session.add(client)
