"""Reading the gateway's feed (`/api/v1/identity/events`, `service_kit.events.accounts`):
`account.deleted` erases what facilities-api holds on that resident, in the same transaction as the
consumer's cursor."""

from __future__ import annotations

from fastapi import FastAPI

from facilities_api.privacy.service import erase_account
from service_kit.events.accounts import account_deletions, follow_account_deletions
from service_kit.events.consumer import FeedConsumer


def _erase(app: FastAPI):
    return lambda session, account_id: erase_account(session, account_id=account_id, now=app.state.clock.now())


def gateway_consumer(app: FastAPI) -> FeedConsumer:
    return account_deletions(app, _erase(app))


async def start_gateway_consumer(app: FastAPI) -> None:
    """Startup hook (after the other consumers'): follow the gateway's feed with the other background work."""
    follow_account_deletions(app, _erase(app))
