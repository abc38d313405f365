from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, AnyHttpUrl, BaseModel, ConfigDict, Field, create_model


class EventEnvelope(BaseModel):
    """One event, as in the feed and in webhook bodies (CloudEvents 1.0 attributes)."""

    specversion: str = "1.0"
    id: str = Field(description="Unique id; consumers use it to apply each event once.")
    source: str = Field(description="The service that published it, e.g. facilities-api.")
    type: str = Field(description="What happened, e.g. facility.created.")
    subject: str | None = Field(None, description="What it happened to, e.g. facility/42.")
    time: datetime
    datacontenttype: str = "application/json"
    sequence: int = Field(description="Position in the service's feed; pass it as `after` to read on.")
    requestid: str | None = None
    data: dict[str, Any]


class EventPage(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    items: list[EventEnvelope]
    next_after: int = Field(description="Pass as `after` to read the events that follow.")


class EventTypeInfo(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    type: str
    description: str


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl
    event_types: list[str] = Field(
        min_length=1,
        max_length=50,
        description="Exact types, a prefix with '.*' (facility.*), or '*' for all.",
    )
    description: str = Field("", max_length=500)


class WebhookChange(BaseModel):
    """What a PATCH may change; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl | None = None
    event_types: list[str] | None = Field(None, min_length=1, max_length=50)
    description: str | None = Field(None, max_length=500)
    active: bool | None = Field(None, description="false pauses deliveries; true resumes them where they stopped.")


class WebhookReplay(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after: int = Field(
        ge=0,
        le=2**63 - 1,
        description="Deliver again the matching events after this sequence (0: from the start of the feed).",
    )


class WebhookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    event_types: list[str]
    description: str
    active: bool
    delivered_sequence: int = Field(validation_alias=AliasChoices("delivered_sequence", "delivered_seq"))
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    created_at: datetime
    disabled_reason: str | None = Field(
        description="Why the platform stopped the deliveries: key-revoked (the API key that made the"
        " subscription was revoked; it cannot be resumed). None while active or paused by hand."
    )


class WebhookCreated(WebhookRead):
    secret: str = Field(description="Verify the webhook-signature header with it (Standard Webhooks). Shown once.")


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: str
    event_sequence: int = Field(validation_alias=AliasChoices("event_sequence", "event_seq"))
    attempt: int
    status_code: int | None
    error: str | None
    succeeded: bool
    attempted_at: datetime
    duration_ms: int | None = Field(description="How long the subscriber took to answer (or to fail).")


class DeadLetterRead(BaseModel):
    """An event the retry schedule gave up on: the subscription went on without it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: str
    event_sequence: int = Field(validation_alias=AliasChoices("event_sequence", "event_seq"))
    attempts: int = Field(description="Attempts so far, replays included.")
    last_status: int | None
    last_error: str | None
    dead_at: datetime
    replay_requested_at: datetime | None = Field(description="Set while a replay waits for the dispatcher.")
    replayed_by: str | None
    delivered_at: datetime | None = Field(description="When a replay reached the subscriber.")


PATTERNS_DESCRIPTION = "Exact types, a prefix with '.*', or '*' for all."


def subscription_bodies(allowed: list[str]) -> tuple[type[WebhookCreate], type[WebhookChange]]:
    """The bodies of POST and PATCH /webhooks for one service: their `event_types` list the names it
    publishes (and their families), so the OpenAPI document shows them."""
    # list[Literal[<the service's names>]], built at run time
    names: Any = list.__class_getitem__(Literal.__getitem__(tuple(allowed)))
    create = create_model(
        "WebhookCreate",
        __base__=WebhookCreate,
        event_types=(names, Field(min_length=1, max_length=50, description=PATTERNS_DESCRIPTION)),
    )
    change = create_model(
        "WebhookChange",
        __base__=WebhookChange,
        event_types=(names | None, Field(None, min_length=1, max_length=50, description=PATTERNS_DESCRIPTION)),
    )
    return create, change
