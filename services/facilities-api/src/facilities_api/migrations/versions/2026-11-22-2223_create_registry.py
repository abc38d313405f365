"""create registry

Revision ID: ad4c46da9c6a
Revises:
Create Date: 2026-11-22 22:23:13.483445
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "ad4c46da9c6a"
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
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_event_cursor")),
    )
    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_headers", sa.JSON(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint("scope", "key", name=op.f("uq_idempotency_record_scope_key")),
    )
    op.create_table(
        "subdistrict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("centroid_lat", sa.Float(), nullable=True),
        sa.Column("centroid_lon", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subdistrict")),
        sa.UniqueConstraint("code", name=op.f("uq_subdistrict_code")),
    )
    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), server_default="", nullable=False),
        sa.Column("owner_sub", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column(
            "delivered_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), server_default="0", nullable=False
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscription")),
    )
    op.create_table(
        "community",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("subdistrict_id", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("centroid_lat", sa.Float(), nullable=True),
        sa.Column("centroid_lon", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subdistrict_id"],
            ["subdistrict.id"],
            name=op.f("fk_community_subdistrict_id_subdistrict"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community")),
        sa.UniqueConstraint("code", name=op.f("uq_community_code")),
    )
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_community_subdistrict_id"), ["subdistrict_id"], unique=False)

    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
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
        batch_op.create_index("ix_webhook_delivery_subscription_id_id", ["subscription_id", "id"], unique=False)

    op.create_table(
        "facility",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("subdistrict_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("address_zh", sa.String(length=300), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("floor_area_m2", sa.Integer(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("opening_hours", sa.JSON(), nullable=False),
        sa.Column("accessibility", sa.JSON(), nullable=False),
        sa.Column("contact_phone", sa.String(length=40), nullable=False),
        sa.Column("contact_email", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("operation_mode", sa.String(length=20), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("description_zh", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"], ["community.id"], name=op.f("fk_facility_community_id_community"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["facility.id"], name=op.f("fk_facility_parent_id_facility"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["subdistrict_id"],
            ["subdistrict.id"],
            name=op.f("fk_facility_subdistrict_id_subdistrict"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility")),
    )
    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_facility_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_facility_kind"), ["kind"], unique=False)
        batch_op.create_index("ix_facility_lat_lon", ["lat", "lon"], unique=False)
        batch_op.create_index(batch_op.f("ix_facility_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_facility_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_facility_status"), ["status"], unique=False)
        batch_op.create_index("ix_facility_subdistrict_id_kind", ["subdistrict_id", "kind"], unique=False)

    op.create_table(
        "facility_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_facility_change_facility_id_facility"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility_change")),
    )
    with op.batch_alter_table("facility_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_facility_change_facility_id"), ["facility_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("facility_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facility_change_facility_id"))

    op.drop_table("facility_change")
    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.drop_index("ix_facility_subdistrict_id_kind")
        batch_op.drop_index(batch_op.f("ix_facility_status"))
        batch_op.drop_index(batch_op.f("ix_facility_parent_id"))
        batch_op.drop_index(batch_op.f("ix_facility_level"))
        batch_op.drop_index("ix_facility_lat_lon")
        batch_op.drop_index(batch_op.f("ix_facility_kind"))
        batch_op.drop_index(batch_op.f("ix_facility_community_id"))

    op.drop_table("facility")
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_delivery_subscription_id_id")

    op.drop_table("webhook_delivery")
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_subdistrict_id"))

    op.drop_table("community")
    op.drop_table("webhook_subscription")
    op.drop_table("subdistrict")
    op.drop_table("idempotency_record")
    op.drop_table("event_cursor")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_type_seq")

    op.drop_table("event")
