"""webhooks: dead letters, each subscription leased by one dispatcher, why one was disabled

Each subscription is delivered on its own: a dispatcher holds it by a lease (`lease_until`) while it
posts, with no transaction open. An event the retry schedule gives up on becomes a dead letter an
official can list and replay; each attempt records how long it took; a subscription whose API key was
revoked says so (`disabled_reason`).

Revision ID: 1b72090d5231
Revises: 5b1e0c7d2a94
Create Date: 2026-12-07 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1b72090d5231"
down_revision: str | None = "5b1e0c7d2a94"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("webhook_subscription") as batch:
        batch.add_column(
            sa.Column("disabled_reason", sa.String(length=100), nullable=True)
        )
        batch.add_column(
            sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("webhook_delivery") as batch:
        batch.add_column(sa.Column("duration_ms", sa.Integer(), nullable=True))
    op.create_table(
        "webhook_dead_letter",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event_seq", BigId, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replay_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replayed_by", sa.String(length=200), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscription.id"],
            name=op.f("fk_webhook_dead_letter_subscription_id_webhook_subscription"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_dead_letter")),
    )
    with op.batch_alter_table("webhook_dead_letter") as batch:
        batch.create_index(
            "ix_webhook_dead_letter_subscription_id_id",
            ["subscription_id", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_dead_letter") as batch:
        batch.drop_index("ix_webhook_dead_letter_subscription_id_id")
    op.drop_table("webhook_dead_letter")
    with op.batch_alter_table("webhook_delivery") as batch:
        batch.drop_column("duration_ms")
    with op.batch_alter_table("webhook_subscription") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("disabled_reason")
