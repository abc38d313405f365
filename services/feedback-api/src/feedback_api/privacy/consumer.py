"""Reading the gateway's feed (`/api/v1/identity/events`): `account.deleted` erases what feedback-api holds
on that resident, in the same transaction as the consumer's cursor."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.privacy.service import erase_account
from service_kit.auth import service_token
from service_kit.events.consumer import FeedConsumer

SOURCE = "gateway"
FEED_PATH = "/api/v1/identity/events"


async def on_account_deleted(session: AsyncSession, event: dict[str, Any]) -> None:
    await erase_account(session, account_id=str(event["data"]["account_id"]))


def gateway_consumer(app: FastAPI) -> FeedConsumer:
    settings = app.state.settings
    return FeedConsumer(
        name=SOURCE,
        base_url=settings.gateway_url,
        feed_path=FEED_PATH,
        http=app.state.http,
        sessionmaker=app.state.sessionmaker,
        infra=app.state.infra,
        handlers={"account.deleted": on_account_deleted},
        token=lambda: service_token(settings),
        interval_s=settings.gateway_feed_interval_s,
    )


async def add_gateway_consumer(app: FastAPI) -> None:
    """Startup hook (after the clients are made): the consumer runs with the other background work."""
    app.state.gateway_consumer = gateway_consumer(app)
    app.state.background.append(app.state.gateway_consumer)
