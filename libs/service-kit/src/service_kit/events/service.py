"""The event feed and webhook subscriptions of one service: who may see and change what, and the
rules a subscription keeps. Each write use case commits once, at its end."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import AnyHttpUrl
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.auth import Principal
from service_kit.clock import utcnow
from service_kit.events.outbox import envelope
from service_kit.events.repository import EventRepository, WebhookRepository
from service_kit.events.urls import check_webhook_url
from service_kit.infra_tables import InfraTables
from service_kit.problems import Conflict, Forbidden, NotFound, RuleViolation

# Why the platform stopped a subscription: the API key that made it was revoked.
KEY_REVOKED = "key-revoked"


def api_key_subject(key_id: int | str) -> str:
    """The token subject an API key acts as (the gateway mints it), which a subscription it made
    records as its owner."""
    return f"apikey:{key_id}"


async def disable_subscriptions_of_key(session: AsyncSession, infra: InfraTables, key_id: int | str) -> int:
    """A revoked key's subscriptions stop, saying why (within the session; no commit). Returns how many."""
    return await WebhookRepository(session, infra).disable_owned_by(api_key_subject(key_id), reason=KEY_REVOKED)


def matches(event_type: str, patterns: Sequence[str]) -> bool:
    """Whether an event type is named by one of the patterns: exact, a prefix with '.*', or '*'."""
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


@dataclass(frozen=True, slots=True)
class FeedPage:
    """Events in order, and the sequence to read on from (past the last event read, even when the
    type filter left it out)."""

    items: list[dict[str, Any]]
    next_after: int


@dataclass(frozen=True, slots=True)
class EventTypeEntry:
    type: str
    description: str


class EventFeed:
    """The feed and subscriptions of one service, which publishes `event_types` (type → description)
    under `prefix`."""

    def __init__(self, infra: InfraTables, source: str, event_types: dict[str, str], *, prefix: str) -> None:
        self.infra = infra
        self.source = source
        self.event_types = event_types
        self.prefix = prefix

    # The feed

    async def read(self, session: AsyncSession, *, after: int, limit: int, types: str | None) -> FeedPage:
        rows = await EventRepository(session, self.infra).after(after, limit=limit)
        patterns = [t.strip() for t in types.split(",") if t.strip()] if types else None
        last = int(rows[-1].seq) if rows else after
        items = [envelope(r, self.source) for r in rows if patterns is None or matches(r.type, patterns)]
        return FeedPage(items=items, next_after=last)

    def types(self) -> list[EventTypeEntry]:
        return [EventTypeEntry(type=t, description=d) for t, d in sorted(self.event_types.items())]

    def subscribable(self) -> list[str]:
        """What a subscription may name: each type, each family with '.*', and '*'."""
        return sorted({"*", *self.event_types, *(t.split(".")[0] + ".*" for t in self.event_types)})

    # Subscriptions

    def _check_patterns(self, patterns: Sequence[str]) -> None:
        for pattern in patterns:
            if pattern == "*" or pattern in self.event_types:
                continue
            if pattern.endswith(".*") and any(t.startswith(pattern[:-1]) for t in self.event_types):
                continue
            raise RuleViolation(
                "event_types",
                f"{pattern!r} is not an event type of {self.source}; see GET {self.prefix}/events/types.",
                code="unknown-event-type",
            )

    @staticmethod
    def _refuse_if_key_revoked(row: Row[Any]) -> None:
        if row.disabled_reason == KEY_REVOKED:
            raise Conflict(
                "The API key that made this subscription was revoked: nothing is delivered to it any more,"
                " and it cannot be resumed. Subscribe again with a valid key.",
                slug="webhook-key-revoked",
            )

    async def owned(self, session: AsyncSession, *, principal: Principal, webhook_id: int) -> Row[Any]:
        """The subscription, if this caller may see it: an integration key sees only its own."""
        row = await WebhookRepository(session, self.infra).get(webhook_id)
        if row is None or (principal.role == "integration" and row.owner_sub != principal.sub):
            raise NotFound(f"No webhook subscription {webhook_id}.")
        return row

    async def subscriptions(self, session: AsyncSession, *, principal: Principal) -> Sequence[Row[Any]]:
        owner = principal.sub if principal.role == "integration" else None
        return await WebhookRepository(session, self.infra).list(owner_sub=owner)

    async def deliveries(
        self, session: AsyncSession, *, principal: Principal, webhook_id: int, limit: int
    ) -> Sequence[Row[Any]]:
        await self.owned(session, principal=principal, webhook_id=webhook_id)
        return await WebhookRepository(session, self.infra).deliveries(webhook_id, limit=limit)

    async def subscribe(
        self,
        session: AsyncSession,
        *,
        principal: Principal,
        url: AnyHttpUrl,
        event_types: list[str],
        description: str,
        allow_private: bool,
    ) -> dict[str, Any]:
        """A new subscription, delivering what happens from now on; its signing secret is in the
        answer (and only there)."""
        target = str(url)
        self._check_patterns(event_types)
        await check_webhook_url(target, allow_private=allow_private)
        secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
        head = await EventRepository(session, self.infra).head()
        row = await WebhookRepository(session, self.infra).add(
            url=target,
            event_types=event_types,
            secret=secret,
            description=description,
            owner_sub=principal.sub,
            active=True,
            delivered_seq=head,
            attempts=0,
            created_at=utcnow(),
        )
        await session.commit()
        return {**row._mapping, "secret": secret}

    async def change(
        self,
        session: AsyncSession,
        *,
        principal: Principal,
        webhook_id: int,
        fields: dict[str, Any],
        allow_private: bool,
    ) -> Row[Any]:
        """Change what `fields` names (url, event_types, description, active; None leaves it)."""
        row = await self.owned(session, principal=principal, webhook_id=webhook_id)
        changes: dict[str, Any] = {}
        if fields.get("url") is not None:
            url = str(fields["url"])
            await check_webhook_url(url, allow_private=allow_private)
            changes["url"] = url
        if fields.get("event_types") is not None:
            self._check_patterns(fields["event_types"])
            changes["event_types"] = fields["event_types"]
        if fields.get("active") is True:
            self._refuse_if_key_revoked(row)
        for name in ("description", "active"):
            if fields.get(name) is not None:
                changes[name] = fields[name]
        if changes.get("url", row.url) != row.url or (changes.get("active") is True and not row.active):
            # A new address, or a resumed subscription, is tried at once, its backoff forgotten.
            changes.update(attempts=0, next_attempt_at=None)
        if changes:
            await WebhookRepository(session, self.infra).update(webhook_id, **changes)
            await session.commit()
        return await self.owned(session, principal=principal, webhook_id=webhook_id)

    async def replay(self, session: AsyncSession, *, principal: Principal, webhook_id: int, after: int) -> Row[Any]:
        """Deliver again every matching event after `after`."""
        row = await self.owned(session, principal=principal, webhook_id=webhook_id)
        self._refuse_if_key_revoked(row)
        if principal.role == "integration" and not principal.has_scope("events:read"):
            # A subscription receives what happens from now on; the history is the feed's, and reading it
            # (to one's own URL, too) takes the scope the feed takes.
            raise Forbidden(
                "Replaying past events reads the feed: the key needs events:read as well as webhooks:manage."
            )
        head = await EventRepository(session, self.infra).head()
        if after > head:
            raise RuleViolation("after", f"The feed ends at sequence {head}.", code="after-the-feed")
        await WebhookRepository(session, self.infra).update(
            webhook_id, delivered_seq=after, attempts=0, next_attempt_at=None
        )
        await session.commit()
        return await self.owned(session, principal=principal, webhook_id=webhook_id)

    async def dead_letters(
        self, session: AsyncSession, *, principal: Principal, webhook_id: int, limit: int
    ) -> Sequence[Row[Any]]:
        await self.owned(session, principal=principal, webhook_id=webhook_id)
        return await WebhookRepository(session, self.infra).dead_letters(webhook_id, limit=limit)

    async def replay_dead_letter(
        self, session: AsyncSession, *, principal: Principal, webhook_id: int, letter_id: int
    ) -> Row[Any]:
        """Ask for one more attempt at a dead letter: the dispatcher makes it on its next round (a
        paused subscription's, once it is resumed) and records it on the letter and among the
        deliveries."""
        row = await self.owned(session, principal=principal, webhook_id=webhook_id)
        repo = WebhookRepository(session, self.infra)
        letter = await repo.get_dead_letter(webhook_id, letter_id)
        if letter is None:
            raise NotFound(f"No dead letter {letter_id} on webhook subscription {webhook_id}.")
        self._refuse_if_key_revoked(row)
        await repo.update_dead_letter(letter_id, replay_requested_at=utcnow(), replayed_by=principal.sub)
        await session.commit()
        replayed = await repo.get_dead_letter(webhook_id, letter_id)
        assert replayed is not None
        return replayed

    async def unsubscribe(self, session: AsyncSession, *, principal: Principal, webhook_id: int) -> None:
        await self.owned(session, principal=principal, webhook_id=webhook_id)
        await WebhookRepository(session, self.infra).delete(webhook_id)
        await session.commit()
