"""Following the gateway's feed of account facts (`/api/v1/identity/events`), each fact applied in the
same transaction as the consumer's cursor (the kit's `FeedConsumer`), so a replayed event does nothing twice:

- `apikey.revoked`: every service stops the webhook subscriptions the key made (disabled, reason
  key-revoked). The kit follows the feed for this in every service that publishes events.
- `account.deleted`: a service that holds residents' personal data erases what it holds on the account.
  Each such service gives only its erasure: `follow_account_deletions(app, erase)` in a startup hook."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.auth import service_token
from service_kit.events.consumer import FeedConsumer, Handler
from service_kit.events.service import disable_subscriptions_of_key

SOURCE = "gateway"
FEED_PATH = "/api/v1/identity/events"
# (session, account id) → erase what the service holds on that account, within the session (no commit).
Erase = Callable[[AsyncSession, str], Awaitable[Any]]


def gateway_feed(app: FastAPI, erase: Erase | None = None) -> FeedConsumer:
    """The consumer of the gateway's feed: stops a revoked key's subscriptions, and with `erase`
    applies it to each deleted account."""
    settings = app.state.settings
    infra = app.state.infra

    async def key_revoked(session: AsyncSession, event: dict[str, Any]) -> None:
        await disable_subscriptions_of_key(session, infra, event["data"]["key_id"])

    handlers: dict[str, Handler] = {"apikey.revoked": key_revoked}
    if erase is not None:

        async def account_deleted(session: AsyncSession, event: dict[str, Any]) -> None:
            await erase(session, str(event["data"]["account_id"]))

        handlers["account.deleted"] = account_deleted
    return FeedConsumer(
        name=SOURCE,
        base_url=settings.gateway_url,
        feed_path=FEED_PATH,
        http=app.state.http,
        sessionmaker=app.state.sessionmaker,
        infra=app.state.infra,
        handlers=handlers,
        token=lambda: service_token(settings),
        interval_s=settings.gateway_feed_interval_s,
    )


def account_deletions(app: FastAPI, erase: Erase) -> FeedConsumer:
    """The consumer of the gateway's feed that applies `erase` to each deleted account (and stops a
    revoked key's subscriptions)."""
    return gateway_feed(app, erase)


def follow_key_revocations(app: FastAPI) -> FeedConsumer:
    """Follows the gateway's feed for revoked keys (the kit's startup hook for every service that
    publishes events); `follow_account_deletions` replaces it with one that also erases."""
    return _follow(app, gateway_feed(app))


def follow_account_deletions(app: FastAPI, erase: Erase) -> FeedConsumer:
    """Adds the consumer to the app's background work (started where background tasks run), replacing
    one already there, so a startup hook run again does not read the feed twice."""
    return _follow(app, account_deletions(app, erase))


def _follow(app: FastAPI, consumer: FeedConsumer) -> FeedConsumer:
    app.state.background = [t for t in app.state.background if getattr(t, "name", None) != SOURCE]
    app.state.background.append(consumer)
    app.state.gateway_consumer = consumer
    return consumer
