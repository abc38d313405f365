"""The infrastructure tables every service keeps in its own database: the event outbox, webhook
subscriptions, their delivery attempts and dead letters, feed-consumer cursors and idempotency records.

They are Core tables added to the service's own MetaData, so its Alembic history creates them
beside its domain tables; the kit holds no domain model.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)

from service_kit.db import AwareDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class InfraTables:
    event: Table
    webhook_subscription: Table
    webhook_delivery: Table
    event_cursor: Table
    idempotency_record: Table
    webhook_dead_letter: Table


def define_infra_tables(metadata: MetaData) -> InfraTables:
    event = Table(
        "event",
        metadata,
        Column("seq", BigId, primary_key=True, autoincrement=True, comment="Feed cursor: commit order"),
        Column("id", String(36), nullable=False, unique=True),
        Column("type", String(100), nullable=False),
        Column("subject", String(200), nullable=True),
        Column("data", JSON, nullable=False),
        Column("request_id", String(128), nullable=True),
        Column("actor", String(200), nullable=True),
        Column("occurred_at", AwareDateTime(), nullable=False),
        Index("ix_event_type_seq", "type", "seq"),
    )
    webhook_subscription = Table(
        "webhook_subscription",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("url", Text, nullable=False),
        Column("event_types", JSON, nullable=False),
        Column("secret", String(100), nullable=False),
        Column("description", String(500), nullable=False, server_default=""),
        Column("owner_sub", String(200), nullable=False),
        Column("active", Boolean, nullable=False, server_default=true()),
        Column("delivered_seq", BigId, nullable=False, server_default="0"),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("next_attempt_at", AwareDateTime(), nullable=True),
        Column("last_status", Integer, nullable=True),
        Column("last_error", Text, nullable=True),
        Column("created_at", AwareDateTime(), nullable=False),
        # Why deliveries stopped when the platform stopped them (key-revoked); None when active or
        # paused by hand.
        Column("disabled_reason", String(100), nullable=True),
        # A dispatcher delivering to this subscription holds it until then (one replica at a time).
        Column("lease_until", AwareDateTime(), nullable=True),
    )
    webhook_delivery = Table(
        "webhook_delivery",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column(
            "subscription_id",
            Integer,
            ForeignKey("webhook_subscription.id", ondelete="CASCADE"),
            nullable=False,
        ),
        Column("event_seq", BigId, nullable=False),
        Column("event_id", String(36), nullable=False),
        Column("attempt", Integer, nullable=False),
        Column("status_code", Integer, nullable=True),
        Column("error", Text, nullable=True),
        Column("succeeded", Boolean, nullable=False),
        Column("attempted_at", AwareDateTime(), nullable=False),
        Column("duration_ms", Integer, nullable=True),
        Index("ix_webhook_delivery_subscription_id_id", "subscription_id", "id"),
    )
    webhook_dead_letter = Table(
        "webhook_dead_letter",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column(
            "subscription_id",
            Integer,
            ForeignKey("webhook_subscription.id", ondelete="CASCADE"),
            nullable=False,
        ),
        Column("event_seq", BigId, nullable=False),
        Column("event_id", String(36), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("last_status", Integer, nullable=True),
        Column("last_error", Text, nullable=True),
        Column("dead_at", AwareDateTime(), nullable=False),
        # Set by a replay request, cleared when the dispatcher has tried it again.
        Column("replay_requested_at", AwareDateTime(), nullable=True),
        Column("replayed_by", String(200), nullable=True),
        # When a replay reached the subscriber (None while it has not).
        Column("delivered_at", AwareDateTime(), nullable=True),
        Index("ix_webhook_dead_letter_subscription_id_id", "subscription_id", "id"),
    )
    event_cursor = Table(
        "event_cursor",
        metadata,
        Column("source", String(100), primary_key=True),
        Column("seq", BigId, nullable=False),
        Column("updated_at", AwareDateTime(), nullable=False),
    )
    idempotency_record = Table(
        "idempotency_record",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("scope", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=True),
        Column("response_headers", JSON, nullable=True),
        Column("response_body", LargeBinary, nullable=True),
        Column("created_at", AwareDateTime(), nullable=False),
        UniqueConstraint("scope", "key"),
    )
    return InfraTables(
        event, webhook_subscription, webhook_delivery, event_cursor, idempotency_record, webhook_dead_letter
    )
