"""create rating

Revision ID: 28bbd91b9715
Revises:
Create Date: 2026-11-22 22:34:57.846297
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "28bbd91b9715"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
            comment="Feed cursor: commit order",
        ),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_event")),
        sa.UniqueConstraint("id", name=op.f("uq_event_id")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index("ix_event_type_seq", ["type", "seq"], unique=False)

    op.create_table(
        "event_cursor",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_event_cursor")),
    )
    op.create_table(
        "idempotency_record",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_headers", sa.JSON(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint(
            "scope", "key", name=op.f("uq_idempotency_record_scope_key")
        ),
    )
    op.create_table(
        "rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_sub", sa.String(length=255), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column(
            "period",
            sa.String(length=7),
            nullable=False,
            comment="Calendar quarter in Asia/Shanghai, e.g. 2026Q4",
        ),
        sa.Column("overall", sa.SmallInteger(), nullable=False),
        sa.Column("environment", sa.SmallInteger(), nullable=True, comment="环境"),
        sa.Column("content", sa.SmallInteger(), nullable=True, comment="内容"),
        sa.Column("staff", sa.SmallInteger(), nullable=True, comment="服务人员"),
        sa.Column("convenience", sa.SmallInteger(), nullable=True, comment="便利"),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("live", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("replaced_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "content IS NULL OR content BETWEEN 1 AND 5",
            name=op.f("ck_rating_content_1_to_5"),
        ),
        sa.CheckConstraint(
            "convenience IS NULL OR convenience BETWEEN 1 AND 5",
            name=op.f("ck_rating_convenience_1_to_5"),
        ),
        sa.CheckConstraint(
            "environment IS NULL OR environment BETWEEN 1 AND 5",
            name=op.f("ck_rating_environment_1_to_5"),
        ),
        sa.CheckConstraint(
            "overall BETWEEN 1 AND 5", name=op.f("ck_rating_overall_1_to_5")
        ),
        sa.CheckConstraint(
            "staff IS NULL OR staff BETWEEN 1 AND 5",
            name=op.f("ck_rating_staff_1_to_5"),
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by"],
            ["rating.id"],
            name=op.f("fk_rating_replaced_by_rating"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating")),
    )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rating_resident_sub_id", ["resident_sub", "id"], unique=False
        )
        batch_op.create_index(
            "uq_rating_live_target_period_resident",
            ["target_type", "target_id", "period", "resident_sub"],
            unique=True,
            postgresql_where=sa.text("live"),
            sqlite_where=sa.text("live"),
        )

    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column(
            "description", sa.String(length=500), server_default="", nullable=False
        ),
        sa.Column("owner_sub", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column(
            "delivered_seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            server_default="0",
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscription")),
    )
    op.create_table(
        "webhook_delivery",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column(
            "event_seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscription.id"],
            name=op.f("fk_webhook_delivery_subscription_id_webhook_subscription"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
    )
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_delivery_subscription_id_id",
            ["subscription_id", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_delivery_subscription_id_id")

    op.drop_table("webhook_delivery")
    op.drop_table("webhook_subscription")
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_rating_live_target_period_resident",
            postgresql_where=sa.text("live"),
            sqlite_where=sa.text("live"),
        )
        batch_op.drop_index("ix_rating_resident_sub_id")

    op.drop_table("rating")
    op.drop_table("idempotency_record")
    op.drop_table("event_cursor")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_type_seq")

    op.drop_table("event")
