"""Reading the gateway's feed (`/api/v1/identity/events`): `account.deleted` erases what facilities-api
holds on that resident, in the same transaction as the consumer's cursor."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.db import infra
from facilities_api.privacy.service import erase_account
from service_kit.auth import service_token
from service_kit.events.consumer import FeedConsumer, Handler

SOURCE = "gateway"
FEED_PATH = "/api/v1/identity/events"


def handlers(app: FastAPI) -> dict[str, Handler]:
    async def account_deleted(session: AsyncSession, event: dict[str, Any]) -> None:
        await erase_account(session, account_id=str(event["data"]["account_id"]), now=app.state.clock.now())

    return {"account.deleted": account_deleted}


def gateway_consumer(app: FastAPI) -> FeedConsumer:
    settings = app.state.settings
    return FeedConsumer(
        name=SOURCE,
        base_url=settings.gateway_url,
        feed_path=FEED_PATH,
        http=app.state.http,
        sessionmaker=app.state.sessionmaker,
        infra=infra,
        handlers=handlers(app),
        token=lambda: service_token(settings),
        interval_s=settings.gateway_poll_interval_s,
    )


async def start_gateway_consumer(app: FastAPI) -> None:
    """Startup hook (after the other consumers'): follow the gateway's feed where background tasks run."""
    if not app.state.settings.run_background_tasks:
        return
    app.state.background = [t for t in app.state.background if getattr(t, "name", None) != SOURCE]
    consumer = gateway_consumer(app)
    app.state.gateway_consumer = consumer
    app.state.background.append(consumer)
