"""Queries on the event outbox and the webhook tables (Core tables: the kit holds no ORM models).
Reads and stages writes on the session it was given; never commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.infra_tables import InfraTables


class EventRepository:
    """The feed: the outbox rows in commit order."""

    def __init__(self, session: AsyncSession, infra: InfraTables) -> None:
        self.session = session
        self.event = infra.event

    async def after(self, after: int, *, limit: int) -> Sequence[Row[Any]]:
        ev = self.event
        stmt = select(ev).where(ev.c.seq > after).order_by(ev.c.seq).limit(limit)
        return (await self.session.execute(stmt)).all()

    async def head(self) -> int:
        """The sequence of the last event (0 on an empty feed)."""
        stmt = select(func.coalesce(func.max(self.event.c.seq), 0))
        return int((await self.session.execute(stmt)).scalar_one())


class WebhookRepository:
    """Webhook subscriptions and their delivery records."""

    def __init__(self, session: AsyncSession, infra: InfraTables) -> None:
        self.session = session
        self.subscription = infra.webhook_subscription
        self.delivery = infra.webhook_delivery
        self.dead_letter = infra.webhook_dead_letter

    async def get(self, webhook_id: int) -> Row[Any] | None:
        sub = self.subscription
        return (await self.session.execute(select(sub).where(sub.c.id == webhook_id))).one_or_none()

    async def list(self, *, owner_sub: str | None = None) -> Sequence[Row[Any]]:
        """Every subscription by id, or those of one owner."""
        sub = self.subscription
        stmt = select(sub).order_by(sub.c.id)
        if owner_sub is not None:
            stmt = stmt.where(sub.c.owner_sub == owner_sub)
        return (await self.session.execute(stmt)).all()

    async def add(self, **values: Any) -> Row[Any]:
        sub = self.subscription
        return (await self.session.execute(sub.insert().values(**values).returning(*sub.c))).one()

    async def update(self, webhook_id: int, **values: Any) -> None:
        sub = self.subscription
        await self.session.execute(sub.update().where(sub.c.id == webhook_id).values(**values))

    async def delete(self, webhook_id: int) -> None:
        sub = self.subscription
        await self.session.execute(sub.delete().where(sub.c.id == webhook_id))

    async def deliveries(self, webhook_id: int, *, limit: int) -> Sequence[Row[Any]]:
        """The latest delivery attempts to one subscription, newest first."""
        d = self.delivery
        stmt = select(d).where(d.c.subscription_id == webhook_id).order_by(d.c.id.desc()).limit(limit)
        return (await self.session.execute(stmt)).all()

    async def disable_owned_by(self, owner_sub: str, *, reason: str) -> int:
        """Stop every subscription one owner made, saying why; returns how many were stopped."""
        sub = self.subscription
        result = await self.session.execute(
            sub.update().where(sub.c.owner_sub == owner_sub).values(active=False, disabled_reason=reason)
        )
        return cast(CursorResult[Any], result).rowcount

    async def dead_letters(self, webhook_id: int, *, limit: int) -> Sequence[Row[Any]]:
        """One subscription's dead letters, newest first."""
        d = self.dead_letter
        stmt = select(d).where(d.c.subscription_id == webhook_id).order_by(d.c.id.desc()).limit(limit)
        return (await self.session.execute(stmt)).all()

    async def get_dead_letter(self, webhook_id: int, letter_id: int) -> Row[Any] | None:
        d = self.dead_letter
        stmt = select(d).where(d.c.subscription_id == webhook_id, d.c.id == letter_id)
        return (await self.session.execute(stmt)).one_or_none()

    async def update_dead_letter(self, letter_id: int, **values: Any) -> None:
        d = self.dead_letter
        await self.session.execute(d.update().where(d.c.id == letter_id).values(**values))
