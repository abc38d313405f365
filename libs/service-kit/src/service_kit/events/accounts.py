"""Following the gateway's feed of account facts (`/api/v1/identity/events`): a service that holds
residents' personal data erases what it holds on an account when `account.deleted` arrives, in the same
transaction as the consumer's cursor (the kit's `FeedConsumer`), so a replayed event erases nothing twice.

Each service gives only its erasure: `follow_account_deletions(app, erase)` in a startup hook."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.auth import service_token
from service_kit.events.consumer import FeedConsumer

SOURCE = "gateway"
FEED_PATH = "/api/v1/identity/events"
# (session, account id) → erase what the service holds on that account, within the session (no commit).
Erase = Callable[[AsyncSession, str], Awaitable[Any]]


def account_deletions(app: FastAPI, erase: Erase) -> FeedConsumer:
    """The consumer of the gateway's feed that applies `erase` to each deleted account."""
    settings = app.state.settings

    async def account_deleted(session: AsyncSession, event: dict[str, Any]) -> None:
        await erase(session, str(event["data"]["account_id"]))

    return FeedConsumer(
        name=SOURCE,
        base_url=settings.gateway_url,
        feed_path=FEED_PATH,
        http=app.state.http,
        sessionmaker=app.state.sessionmaker,
        infra=app.state.infra,
        handlers={"account.deleted": account_deleted},
        token=lambda: service_token(settings),
        interval_s=settings.gateway_feed_interval_s,
    )


def follow_account_deletions(app: FastAPI, erase: Erase) -> FeedConsumer:
    """Adds the consumer to the app's background work (started where background tasks run), replacing
    one already there, so a startup hook run again does not read the feed twice."""
    consumer = account_deletions(app, erase)
    app.state.background = [t for t in app.state.background if getattr(t, "name", None) != SOURCE]
    app.state.background.append(consumer)
    app.state.gateway_consumer = consumer
    return consumer
