"""Reading the gateway's feed (`/api/v1/identity/events`, `service_kit.events.accounts`):
`account.deleted` erases what feedback-api holds on that resident, in the same transaction as the
consumer's cursor."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.privacy.service import erase_account
from service_kit.events.accounts import account_deletions, follow_account_deletions
from service_kit.events.consumer import FeedConsumer


async def _erase(session: AsyncSession, account_id: str) -> dict[str, int]:
    return await erase_account(session, account_id=account_id)


def gateway_consumer(app: FastAPI) -> FeedConsumer:
    return account_deletions(app, _erase)


async def add_gateway_consumer(app: FastAPI) -> None:
    """Startup hook (after the clients are made): the consumer runs with the other background work."""
    follow_account_deletions(app, _erase)
