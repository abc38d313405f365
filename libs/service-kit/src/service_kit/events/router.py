"""The event feed (`GET /api/v1/events`) and webhook subscriptions (`/api/v1/webhooks`)."""

import base64
import secrets
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field, create_model
from sqlalchemy import func, select

from service_kit.auth import Principal, require_roles
from service_kit.clock import as_aware, utcnow
from service_kit.db import SessionDep
from service_kit.events.outbox import envelope
from service_kit.events.schemas import (
    DeliveryRead,
    EventPage,
    EventTypeInfo,
    WebhookChange,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookReplay,
)
from service_kit.events.urls import check_webhook_url
from service_kit.infra_tables import InfraTables
from service_kit.params import INT64_MAX, ResourceId
from service_kit.problems import Forbidden, NotFound, RuleViolation, problems

READERS = ("official", "auditor", "service")
# Webhook subscriptions are the district's: district officials and integration keys holding
# `webhooks:manage` manage them (a key only its own), auditors read them. An official bound to one
# subdistrict is refused: a subscription sends every subdistrict's events out of the platform.
MANAGERS = ("official",)
WEBHOOK_SCOPE = "webhooks:manage"


def matches(event_type: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def _webhook_read(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "url": row.url,
        "event_types": row.event_types,
        "description": row.description,
        "active": row.active,
        "delivered_sequence": row.delivered_seq,
        "attempts": row.attempts,
        "next_attempt_at": as_aware(row.next_attempt_at),
        "last_status": row.last_status,
        "last_error": row.last_error,
        "created_at": as_aware(row.created_at),
    }


def make_events_router(
    infra: InfraTables, source: str, event_types: dict[str, str], *, prefix: str = "/api/v1"
) -> APIRouter:
    """Feed and webhooks for one service; `event_types` maps each type it publishes to a description.
    `prefix` places them elsewhere than `/api/v1` (the gateway publishes its own under a name of its own)."""
    router = APIRouter(prefix=prefix, tags=["events"])
    ev = infra.event
    sub = infra.webhook_subscription

    def _check_patterns(patterns: list[str]) -> None:
        for pattern in patterns:
            if pattern == "*" or pattern in event_types:
                continue
            if pattern.endswith(".*") and any(t.startswith(pattern[:-1]) for t in event_types):
                continue
            raise RuleViolation(
                "event_types",
                f"{pattern!r} is not an event type of {source}; see GET {prefix}/events/types.",
                code="unknown-event-type",
            )

    @router.get(
        "/events",
        response_model=EventPage,
        summary=f"Read {source}'s events in order, from any point",
        responses=problems(401, 403, 422),
    )
    async def read_events(
        session: SessionDep,
        _: Annotated[Principal, require_roles(*READERS, scope="events:read")],
        after: Annotated[
            int, Query(ge=0, le=INT64_MAX, description="Sequence of the last event already read (0: from the start).")
        ] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        types: Annotated[
            str | None, Query(max_length=2000, description="Comma-separated types or prefixes (facility.*).")
        ] = None,
    ) -> dict[str, Any]:
        stmt = select(ev).where(ev.c.seq > after).order_by(ev.c.seq).limit(limit)
        patterns = [t.strip() for t in types.split(",") if t.strip()] if types else None
        rows = (await session.execute(stmt)).all()
        last = rows[-1].seq if rows else after
        items = [envelope(r, source) for r in rows if patterns is None or matches(r.type, patterns)]
        return {"items": items, "next_after": last}

    @router.get("/events/types", response_model=list[EventTypeInfo], summary="The event types this service publishes")
    async def list_event_types() -> list[dict[str, str]]:
        return [{"type": t, "description": d} for t, d in sorted(event_types.items())]

    # The subscription body lists the known types (and their prefixes) in the OpenAPI document.
    allowed = sorted({"*", *event_types, *(t.split(".")[0] + ".*" for t in event_types)})
    EventTypeName = Literal[tuple(allowed)]  # type: ignore[valid-type]
    Create = create_model(
        "WebhookCreate",
        __base__=WebhookCreate,
        event_types=(
            list[EventTypeName],
            Field(min_length=1, max_length=50, description="Exact types, a prefix with '.*', or '*' for all."),
        ),
    )

    @router.post(
        "/webhooks",
        response_model=WebhookCreated,
        status_code=201,
        summary="Subscribe a URL to events (delivered signed, at least once)",
        responses=problems(401, 403, 422),
    )
    async def create_webhook(
        body: Create,  # type: ignore[valid-type]
        request: Request,
        response: Response,
        session: SessionDep,
        principal: Annotated[Principal, require_roles(*MANAGERS, scope=WEBHOOK_SCOPE, district=True)],
    ) -> dict[str, Any]:
        url = str(body.url)
        _check_patterns(body.event_types)
        await check_webhook_url(url, allow_private=bool(request.app.state.settings.allow_private_webhook_urls))
        secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
        # Deliver what happens from now on: start at the current end of the feed.
        head = await _head(session)
        result = await session.execute(
            sub.insert()
            .values(
                url=url,
                event_types=body.event_types,
                secret=secret,
                description=body.description,
                owner_sub=principal.sub,
                active=True,
                delivered_seq=head,
                attempts=0,
                created_at=utcnow(),
            )
            .returning(*sub.c)
        )
        row = result.one()
        await session.commit()
        response.headers["Location"] = f"{prefix}/webhooks/{row.id}"
        return {**_webhook_read(row), "secret": secret}

    async def _head(session: SessionDep) -> int:
        return int((await session.execute(select(func.coalesce(func.max(ev.c.seq), 0)))).scalar_one())

    async def _owned(session: SessionDep, principal: Principal, webhook_id: int) -> Any:
        row = (await session.execute(select(sub).where(sub.c.id == webhook_id))).one_or_none()
        if row is None or (principal.role == "integration" and row.owner_sub != principal.sub):
            raise NotFound(f"No webhook subscription {webhook_id}.")
        return row

    @router.get("/webhooks", response_model=list[WebhookRead], responses=problems(401, 403))
    async def list_webhooks(
        session: SessionDep,
        principal: Annotated[Principal, require_roles(*MANAGERS, "auditor", scope=WEBHOOK_SCOPE, district=True)],
    ) -> list[dict[str, Any]]:
        stmt = select(sub).order_by(sub.c.id)
        if principal.role == "integration":
            stmt = stmt.where(sub.c.owner_sub == principal.sub)
        return [_webhook_read(r) for r in (await session.execute(stmt)).all()]

    @router.get("/webhooks/{webhook_id}", response_model=WebhookRead, responses=problems(401, 403, 404))
    async def get_webhook(
        webhook_id: ResourceId,
        session: SessionDep,
        principal: Annotated[Principal, require_roles(*MANAGERS, "auditor", scope=WEBHOOK_SCOPE, district=True)],
    ) -> dict[str, Any]:
        return _webhook_read(await _owned(session, principal, webhook_id))

    @router.get(
        "/webhooks/{webhook_id}/deliveries",
        response_model=list[DeliveryRead],
        summary="The latest delivery attempts, newest first",
        responses=problems(401, 403, 404),
    )
    async def list_deliveries(
        webhook_id: ResourceId,
        session: SessionDep,
        principal: Annotated[Principal, require_roles(*MANAGERS, "auditor", scope=WEBHOOK_SCOPE, district=True)],
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> list[dict[str, Any]]:
        await _owned(session, principal, webhook_id)
        d = infra.webhook_delivery
        rows = (
            await session.execute(
                select(d).where(d.c.subscription_id == webhook_id).order_by(d.c.id.desc()).limit(limit)
            )
        ).all()
        return [
            {
                "id": r.id,
                "event_id": r.event_id,
                "event_sequence": r.event_seq,
                "attempt": r.attempt,
                "status_code": r.status_code,
                "error": r.error,
                "succeeded": r.succeeded,
                "attempted_at": as_aware(r.attempted_at),
            }
            for r in rows
        ]

    Change = create_model(
        "WebhookChange",
        __base__=WebhookChange,
        event_types=(
            list[EventTypeName] | None,
            Field(None, min_length=1, max_length=50, description="Exact types, a prefix with '.*', or '*' for all."),
        ),
    )

    @router.patch(
        "/webhooks/{webhook_id}",
        response_model=WebhookRead,
        summary="Change a subscription: its URL, event types, description, or pause and resume it",
        responses=problems(401, 403, 404, 422),
    )
    async def change_webhook(
        webhook_id: ResourceId,
        body: Change,  # type: ignore[valid-type]
        request: Request,
        session: SessionDep,
        principal: Annotated[Principal, require_roles(*MANAGERS, scope=WEBHOOK_SCOPE, district=True)],
    ) -> dict[str, Any]:
        row = await _owned(session, principal, webhook_id)
        changes: dict[str, Any] = {}
        fields = body.model_fields_set
        if "url" in fields and body.url is not None:
            url = str(body.url)
            await check_webhook_url(url, allow_private=bool(request.app.state.settings.allow_private_webhook_urls))
            changes["url"] = url
        if "event_types" in fields and body.event_types is not None:
            _check_patterns(body.event_types)
            changes["event_types"] = body.event_types
        if "description" in fields and body.description is not None:
            changes["description"] = body.description
        if "active" in fields and body.active is not None:
            changes["active"] = body.active
        if changes.get("url", row.url) != row.url or (changes.get("active") is True and not row.active):
            # A new address, or a resumed subscription, is tried at once, its backoff forgotten.
            changes.update(attempts=0, next_attempt_at=None)
        if changes:
            await session.execute(sub.update().where(sub.c.id == webhook_id).values(**changes))
            await session.commit()
        return _webhook_read(await _owned(session, principal, webhook_id))

    @router.post(
        "/webhooks/{webhook_id}/replay",
        response_model=WebhookRead,
        summary="Deliver again every matching event after a sequence (at least once: subscribers skip ids they have)",
        responses=problems(401, 403, 404, 422),
    )
    async def replay_webhook(
        webhook_id: ResourceId,
        body: WebhookReplay,
        session: SessionDep,
        principal: Annotated[Principal, require_roles(*MANAGERS, scope=WEBHOOK_SCOPE, district=True)],
    ) -> dict[str, Any]:
        await _owned(session, principal, webhook_id)
        if principal.role == "integration" and not principal.has_scope("events:read"):
            # A subscription receives what happens from now on; the history is the feed's, and reading it
            # (to one's own URL, too) takes the scope the feed takes.
            raise Forbidden(
                "Replaying past events reads the feed: the key needs events:read as well as webhooks:manage."
            )
        head = await _head(session)
        if body.after > head:
            raise RuleViolation("after", f"The feed ends at sequence {head}.", code="after-the-feed")
        await session.execute(
            sub.update()
            .where(sub.c.id == webhook_id)
            .values(delivered_seq=body.after, attempts=0, next_attempt_at=None)
        )
        await session.commit()
        return _webhook_read(await _owned(session, principal, webhook_id))

    @router.delete("/webhooks/{webhook_id}", status_code=204, responses=problems(401, 403, 404))
    async def delete_webhook(
        webhook_id: ResourceId,
        session: SessionDep,
        principal: Annotated[Principal, require_roles(*MANAGERS, scope=WEBHOOK_SCOPE, district=True)],
    ) -> Response:
        await _owned(session, principal, webhook_id)
        await session.execute(sub.delete().where(sub.c.id == webhook_id))
        await session.commit()
        return Response(status_code=204)

    return router
