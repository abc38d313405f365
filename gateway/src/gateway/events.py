"""The gateway's own event feed: facts about accounts and API keys that the services act on.

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
    "apikey.revoked": (
        "An API key was revoked: the webhook subscriptions it made stop (disabled, reason key-revoked). "
        'data: {"key_id": <the key id>, "subject": "apikey:<id>", "role": "integration" | "operator"}'
    ),
}

outbox = Outbox(infra, SOURCE)
