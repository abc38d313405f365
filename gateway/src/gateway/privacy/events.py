"""The gateway's own event feed: facts about accounts that the services act on.

It is published at `/api/v1/identity/events` (and webhooks at `/api/v1/identity/webhooks`): the proxy
sends `/api/v1/<service>/events` to the services, and `identity` is no service's name."""

from __future__ import annotations

from gateway.db import infra
from service_kit.events.outbox import Outbox

SOURCE = "gateway"
FEED_PREFIX = "/api/v1/identity"
EVENT_TYPES: dict[str, str] = {
    "account.deleted": (
        "A resident deleted their account: erase or anonymise what you hold on them. "
        'data: {"account_id": "<the token subject>"}'
    ),
}

outbox = Outbox(infra, SOURCE)
