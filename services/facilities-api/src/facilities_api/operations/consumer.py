"""Reading operators-api's event feed: contracts that start or end change who runs a facility; fee
approvals allow (or stop) a non-basic service's fee. The consumer applies each event and stores its
cursor in one transaction; every handler is also harmless when applied twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.db import infra
from facilities_api.offerings.service import apply_fee_approved, apply_fee_withdrawn
from facilities_api.operations.service import apply_contract_ended, apply_contract_started, event_date
from service_kit.auth import service_token
from service_kit.clock import Clock
from service_kit.events.consumer import FeedConsumer, Handler

SOURCE = "operators-api"


def handlers(clock: Callable[[], Clock]) -> dict[str, Handler]:
    """Event type → handler. `clock()` gives the app's clock at the moment an event is applied."""

    async def contract_started(session: AsyncSession, event: dict[str, Any]) -> None:
        await apply_contract_started(session, event["data"], now=clock().now())

    async def contract_ended(session: AsyncSession, event: dict[str, Any]) -> None:
        now = clock().now()
        await apply_contract_ended(session, event["data"], ended_on=event_date(event, now), now=now)

    async def fee_approved(session: AsyncSession, event: dict[str, Any]) -> None:
        await apply_fee_approved(session, event["data"], now=clock().now())

    async def fee_revoked(session: AsyncSession, event: dict[str, Any]) -> None:
        await apply_fee_withdrawn(session, event["data"], status="revoked", now=clock().now())

    async def fee_expired(session: AsyncSession, event: dict[str, Any]) -> None:
        await apply_fee_withdrawn(session, event["data"], status="expired", now=clock().now())

    return {
        "contract.started": contract_started,
        "contract.ended": contract_ended,
        "fee.approved": fee_approved,
        "fee.revoked": fee_revoked,
        "fee.expired": fee_expired,
    }


def operators_consumer(app: FastAPI) -> FeedConsumer:
    settings = app.state.settings
    return FeedConsumer(
        name=SOURCE,
        base_url=settings.operators_url,
        http=app.state.http,
        sessionmaker=app.state.sessionmaker,
        infra=infra,
        handlers=handlers(lambda: app.state.clock),
        token=lambda: service_token(settings),
        interval_s=settings.operators_poll_interval_s,
    )


async def start_consumers(app: FastAPI) -> None:
    """Startup hook: follow operators-api's feed, only where background tasks run."""
    if not app.state.settings.run_background_tasks:
        return
    app.state.background = [t for t in app.state.background if not isinstance(t, FeedConsumer)]
    consumer = operators_consumer(app)
    app.state.operators_consumer = consumer
    app.state.background.append(consumer)
