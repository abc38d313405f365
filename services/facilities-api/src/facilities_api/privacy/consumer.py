"""Reading the gateway's feed (`/api/v1/identity/events`, `service_kit.events.accounts`):
`account.deleted` erases what facilities-api holds on that resident, in the same transaction as the
consumer's cursor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.privacy.service import erase_account
from service_kit.events.accounts import account_deletions, follow_account_deletions
from service_kit.events.consumer import FeedConsumer


def _erase(app: FastAPI) -> Callable[[AsyncSession, str], Awaitable[dict[str, int]]]:
    async def erase(session: AsyncSession, account_id: str) -> dict[str, int]:
        return await erase_account(session, account_id=account_id, now=app.state.clock.now())

    return erase


def gateway_consumer(app: FastAPI) -> FeedConsumer:
    return account_deletions(app, _erase(app))


async def start_gateway_consumer(app: FastAPI) -> None:
    """Startup hook (after the other consumers'): follow the gateway's feed with the other background work."""
    follow_account_deletions(app, _erase(app))
