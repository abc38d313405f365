"""The event feed (`GET /api/v1/events`) and webhook subscriptions (`/api/v1/webhooks`): HTTP only,
the rules are in `service.EventFeed`."""

from collections.abc import Sequence
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import Row

from service_kit.auth import Principal, require_roles
from service_kit.db import SessionDep
from service_kit.events.schemas import (
    DeadLetterRead,
    DeliveryRead,
    EventPage,
    EventTypeInfo,
    WebhookChange,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookReplay,
    subscription_bodies,
)
from service_kit.events.service import EventFeed, EventTypeEntry, FeedPage
from service_kit.infra_tables import InfraTables
from service_kit.params import INT64_MAX, ResourceId
from service_kit.problems import problems

READERS = ("official", "auditor", "service")
# Webhook subscriptions are the district's: district officials and integration keys holding
# `webhooks:manage` manage them (a key only its own), auditors read them. An official bound to one
# subdistrict is refused: a subscription sends every subdistrict's events out of the platform.
MANAGERS = ("official",)
WEBHOOK_SCOPE = "webhooks:manage"

Reader = Annotated[Principal, require_roles(*READERS, scope="events:read")]
Manager = Annotated[Principal, require_roles(*MANAGERS, scope=WEBHOOK_SCOPE, district=True)]
Viewer = Annotated[Principal, require_roles(*MANAGERS, "auditor", scope=WEBHOOK_SCOPE, district=True)]


def _allow_private_urls(request: Request) -> bool:
    return bool(request.app.state.settings.allow_private_webhook_urls)


AllowPrivate = Annotated[bool, Depends(_allow_private_urls)]


def make_events_router(
    infra: InfraTables, source: str, event_types: dict[str, str], *, prefix: str = "/api/v1"
) -> APIRouter:
    """Feed and webhooks for one service; `event_types` maps each type it publishes to a description.
    `prefix` places them elsewhere than `/api/v1` (the gateway publishes its own under a name of its own)."""
    router = APIRouter(prefix=prefix, tags=["events"])
    feed = EventFeed(infra, source, event_types, prefix=prefix)
    bodies: tuple[Any, Any] = subscription_bodies(feed.subscribable())
    Create, Change = bodies

    @router.get(
        "/events",
        response_model=EventPage,
        summary=f"Read {source}'s events in order, from any point",
        responses=problems(401, 403, 422),
    )
    async def read_events(
        session: SessionDep,
        _: Reader,
        after: Annotated[
            int, Query(ge=0, le=INT64_MAX, description="Sequence of the last event already read (0: from the start).")
        ] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        types: Annotated[
            str | None, Query(max_length=2000, description="Comma-separated types or prefixes (facility.*).")
        ] = None,
    ) -> FeedPage:
        return await feed.read(session, after=after, limit=limit, types=types)

    @router.get("/events/types", response_model=list[EventTypeInfo], summary="The event types this service publishes")
    async def list_event_types() -> list[EventTypeEntry]:
        return feed.types()

    @router.post(
        "/webhooks",
        response_model=WebhookCreated,
        status_code=201,
        summary="Subscribe a URL to events (delivered signed, at least once)",
        responses=problems(401, 403, 422),
    )
    async def create_webhook(
        body: Create,  # type: ignore[valid-type]  # built for this service's event types
        response: Response,
        session: SessionDep,
        principal: Manager,
        allow_private: AllowPrivate,
    ) -> dict[str, Any]:
        new = cast(WebhookCreate, body)
        created = await feed.subscribe(
            session,
            principal=principal,
            url=new.url,
            event_types=new.event_types,
            description=new.description,
            allow_private=allow_private,
        )
        response.headers["Location"] = f"{prefix}/webhooks/{created['id']}"
        return created

    @router.get("/webhooks", response_model=list[WebhookRead], responses=problems(401, 403))
    async def list_webhooks(session: SessionDep, principal: Viewer) -> Sequence[Row[Any]]:
        return await feed.subscriptions(session, principal=principal)

    @router.get("/webhooks/{webhook_id}", response_model=WebhookRead, responses=problems(401, 403, 404))
    async def get_webhook(webhook_id: ResourceId, session: SessionDep, principal: Viewer) -> Row[Any]:
        return await feed.owned(session, principal=principal, webhook_id=webhook_id)

    @router.get(
        "/webhooks/{webhook_id}/deliveries",
        response_model=list[DeliveryRead],
        summary="The latest delivery attempts, newest first",
        responses=problems(401, 403, 404),
    )
    async def list_deliveries(
        webhook_id: ResourceId,
        session: SessionDep,
        principal: Viewer,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> Sequence[Row[Any]]:
        return await feed.deliveries(session, principal=principal, webhook_id=webhook_id, limit=limit)

    @router.patch(
        "/webhooks/{webhook_id}",
        response_model=WebhookRead,
        summary="Change a subscription: its URL, event types, description, or pause and resume it",
        responses=problems(401, 403, 404, 409, 422),
    )
    async def change_webhook(
        webhook_id: ResourceId,
        body: Change,  # type: ignore[valid-type]  # built for this service's event types
        session: SessionDep,
        principal: Manager,
        allow_private: AllowPrivate,
    ) -> Row[Any]:
        return await feed.change(
            session,
            principal=principal,
            webhook_id=webhook_id,
            fields=cast(WebhookChange, body).model_dump(exclude_unset=True),
            allow_private=allow_private,
        )

    @router.post(
        "/webhooks/{webhook_id}/replay",
        response_model=WebhookRead,
        summary="Deliver again every matching event after a sequence (at least once: subscribers skip ids they have)",
        responses=problems(401, 403, 404, 409, 422),
    )
    async def replay_webhook(
        webhook_id: ResourceId, body: WebhookReplay, session: SessionDep, principal: Manager
    ) -> Row[Any]:
        return await feed.replay(session, principal=principal, webhook_id=webhook_id, after=body.after)

    @router.get(
        "/webhooks/{webhook_id}/dead-letters",
        response_model=list[DeadLetterRead],
        summary="The events the retry schedule gave up on, newest first, with their last error and attempts",
        responses=problems(401, 403, 404),
    )
    async def list_dead_letters(
        webhook_id: ResourceId,
        session: SessionDep,
        principal: Viewer,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> Sequence[Row[Any]]:
        return await feed.dead_letters(session, principal=principal, webhook_id=webhook_id, limit=limit)

    @router.post(
        "/webhooks/{webhook_id}/dead-letters/{letter_id}/replay",
        response_model=DeadLetterRead,
        status_code=202,
        summary="Deliver a dead letter once more (on the dispatcher's next round; the attempt is recorded on it)",
        responses=problems(401, 403, 404, 409),
    )
    async def replay_dead_letter(
        webhook_id: ResourceId, letter_id: ResourceId, request: Request, session: SessionDep, principal: Manager
    ) -> Row[Any]:
        letter = await feed.replay_dead_letter(session, principal=principal, webhook_id=webhook_id, letter_id=letter_id)
        dispatcher = getattr(request.app.state, "dispatcher", None)
        if dispatcher is not None:
            dispatcher.wake()
        return letter

    @router.delete("/webhooks/{webhook_id}", status_code=204, responses=problems(401, 403, 404))
    async def delete_webhook(webhook_id: ResourceId, session: SessionDep, principal: Manager) -> Response:
        await feed.unsubscribe(session, principal=principal, webhook_id=webhook_id)
        return Response(status_code=204)

    return router
