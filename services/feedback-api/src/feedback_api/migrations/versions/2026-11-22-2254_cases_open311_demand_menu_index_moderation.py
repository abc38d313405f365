"""cases, Open311 clients, demand, menu rounds, the index's aggregates, moderation, check-ins and the
facility→operator map; ratings gain facility, month, status, verification and replies.

Existing ratings (all of facilities) are backfilled: facility_id = target_id, month from created_at on
Beijing time, comment_status published when there is a comment; their aggregates are built.

Revision ID: a5d20faa1d6c
Revises: 28bbd91b9715
Create Date: 2026-11-22 22:54:12.106991
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "a5d20faa1d6c"
down_revision: str | None = "28bbd91b9715"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("updated_by", sa.String(length=255), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('holiday', 'workday')", name=op.f("ck_calendar_day_kind_known")
        ),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_day")),
    )
    op.create_table(
        "checkin",
        sa.Column("booking_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("resident_sub", sa.String(length=255), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("booking_id", name=op.f("pk_checkin")),
    )
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checkin_resident_sub_activity_id",
            ["resident_sub", "activity_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_checkin_resident_sub_facility_id",
            ["resident_sub", "facility_id"],
            unique=False,
        )

    op.create_table(
        "demand_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "requester",
            sa.String(length=10),
            nullable=False,
            comment="resident or community",
        ),
        sa.Column("resident_sub", sa.String(length=255), nullable=True),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("subdistrict", sa.String(length=50), nullable=True),
        sa.Column("community", sa.String(length=50), nullable=True),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("preferred_from", sa.Date(), nullable=True),
        sa.Column("preferred_to", sa.Date(), nullable=True),
        sa.Column(
            "period",
            sa.String(length=7),
            nullable=False,
            comment="Quarter it was filed in",
        ),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("answer_note", sa.Text(), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("answered_by", sa.String(length=255), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('submitted', 'planned', 'declined', 'delivered')",
            name=op.f("ck_demand_request_status_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demand_request")),
    )
    with op.batch_alter_table("demand_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_demand_request_created_at", ["created_at"], unique=False
        )
        batch_op.create_index(
            "ix_demand_request_resident_sub_id", ["resident_sub", "id"], unique=False
        )
        batch_op.create_index(
            "ix_demand_request_subdistrict_id", ["subdistrict", "id"], unique=False
        )

    op.create_table(
        "facility_operation",
        sa.Column("facility_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "mode", sa.String(length=20), nullable=False, comment="government or social"
        ),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("subdistrict", sa.String(length=50), nullable=True),
        sa.Column("name_zh", sa.String(length=200), nullable=True),
        sa.Column(
            "source",
            sa.String(length=10),
            nullable=False,
            comment="event, lookup or seed",
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("facility_id", name=op.f("pk_facility_operation")),
    )
    op.create_table(
        "menu_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "subdistrict",
            sa.String(length=50),
            nullable=True,
            comment="null: the whole district",
        ),
        sa.Column("offer_from", sa.Date(), nullable=False),
        sa.Column("offer_to", sa.Date(), nullable=False),
        sa.Column("voting_opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voting_closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("max_choices", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'closed', 'published')",
            name=op.f("ck_menu_round_status_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_menu_round")),
    )
    with op.batch_alter_table("menu_round", schema=None) as batch_op:
        batch_op.create_index("ix_menu_round_status_id", ["status", "id"], unique=False)

    op.create_table(
        "moderation_word",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=50), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_word")),
        sa.UniqueConstraint("word", name=op.f("uq_moderation_word_word")),
    )
    op.create_table(
        "open311_client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_client")),
        sa.UniqueConstraint("key_prefix", name=op.f("uq_open311_client_key_prefix")),
    )
    op.create_table(
        "rating_aggregate",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("operator_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("subdistrict", sa.String(length=50), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("overall_sum", sa.Integer(), nullable=False),
        sa.Column(
            "satisfied",
            sa.Integer(),
            nullable=False,
            comment="ratings with overall 4 or 5",
        ),
        sa.Column("verified_n", sa.Integer(), nullable=False),
        sa.Column("verified_sum", sa.Integer(), nullable=False),
        sa.Column("verified_satisfied", sa.Integer(), nullable=False),
        sa.Column("environment_n", sa.Integer(), nullable=False),
        sa.Column("environment_sum", sa.Integer(), nullable=False),
        sa.Column("content_n", sa.Integer(), nullable=False),
        sa.Column("content_sum", sa.Integer(), nullable=False),
        sa.Column("staff_n", sa.Integer(), nullable=False),
        sa.Column("staff_sum", sa.Integer(), nullable=False),
        sa.Column("convenience_n", sa.Integer(), nullable=False),
        sa.Column("convenience_sum", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month",
            "target_type",
            "target_id",
            "operator_key",
            name=op.f("pk_rating_aggregate"),
        ),
    )
    with op.batch_alter_table("rating_aggregate", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rating_aggregate_facility_id_month",
            ["facility_id", "month"],
            unique=False,
        )
        batch_op.create_index(
            "ix_rating_aggregate_operator_key_month",
            ["operator_key", "month"],
            unique=False,
        )
        batch_op.create_index(
            "ix_rating_aggregate_subdistrict_month",
            ["subdistrict", "month"],
            unique=False,
        )

    op.create_table(
        "rating_burst",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("client_network", sa.String(length=32), nullable=True),
        sa.Column("rating_count", sa.Integer(), nullable=False),
        sa.Column(
            "status", sa.String(length=10), server_default="open", nullable=False
        ),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=255), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "reason IN ('new_accounts', 'one_network')",
            name=op.f("ck_rating_burst_reason_known"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'released', 'hidden')",
            name=op.f("ck_rating_burst_status_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_burst")),
    )
    with op.batch_alter_table("rating_burst", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rating_burst_status_id", ["status", "id"], unique=False
        )
        batch_op.create_index(
            "ix_rating_burst_target_type_target_id_status",
            ["target_type", "target_id", "status"],
            unique=False,
        )

    op.create_table(
        "menu_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column(
            "votes",
            sa.Integer(),
            nullable=True,
            comment="Frozen when the results are published",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["menu_round.id"],
            name=op.f("fk_menu_item_round_id_menu_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_menu_item")),
    )
    with op.batch_alter_table("menu_item", schema=None) as batch_op:
        batch_op.create_index(
            "ix_menu_item_round_id_id", ["round_id", "id"], unique=False
        )

    op.create_table(
        "resident_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=True),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("subdistrict", sa.String(length=50), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("photo_urls", sa.JSON(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("contact_name", sa.String(length=100), nullable=True),
        sa.Column("contact_phone", sa.String(length=30), nullable=True),
        sa.Column("contact_email", sa.String(length=200), nullable=True),
        sa.Column("resident_sub", sa.String(length=255), nullable=True),
        sa.Column(
            "source", sa.String(length=10), nullable=False, comment="app or open311"
        ),
        sa.Column("open311_client_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "assignee_type",
            sa.String(length=10),
            nullable=True,
            comment="operator or official",
        ),
        sa.Column("assignee_operator_id", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_on_time", sa.Boolean(), nullable=True),
        sa.Column("response_text", sa.Text(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopen_count", sa.SmallInteger(), nullable=False),
        sa.Column("answer_rating", sa.SmallInteger(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('complaint', 'suggestion', 'praise', 'consultation')",
            name=op.f("ck_resident_case_kind_known"),
        ),
        sa.CheckConstraint(
            "status IN ('submitted', 'accepted', 'assigned', 'responded', 'reopened', 'confirmed', 'closed')",
            name=op.f("ck_resident_case_status_known"),
        ),
        sa.CheckConstraint(
            "answer_rating IS NULL OR answer_rating BETWEEN 1 AND 5",
            name=op.f("ck_resident_case_answer_rating_1_to_5"),
        ),
        sa.ForeignKeyConstraint(
            ["open311_client_id"],
            ["open311_client.id"],
            name=op.f("fk_resident_case_open311_client_id_open311_client"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_case")),
        sa.UniqueConstraint("token", name=op.f("uq_resident_case_token")),
    )
    with op.batch_alter_table("resident_case", schema=None) as batch_op:
        batch_op.create_index(
            "ix_resident_case_assignee_operator_id_id",
            ["assignee_operator_id", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_resident_case_created_at", ["created_at"], unique=False
        )
        batch_op.create_index(
            "ix_resident_case_facility_id_created_at",
            ["facility_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_resident_case_open311_client_id_created_at",
            ["open311_client_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_resident_case_operator_id_created_at",
            ["operator_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_resident_case_resident_sub_id", ["resident_sub", "id"], unique=False
        )
        batch_op.create_index(
            "ix_resident_case_status_due_at", ["status", "due_at"], unique=False
        )

    op.create_table(
        "case_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column(
            "actor_sub",
            sa.String(length=255),
            nullable=True,
            comment="never shown to residents or the public",
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["resident_case.id"],
            name=op.f("fk_case_step_case_id_resident_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_step")),
    )
    with op.batch_alter_table("case_step", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_step_case_id_id", ["case_id", "id"], unique=False
        )

    op.create_table(
        "menu_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("resident_sub", sa.String(length=255), nullable=False),
        sa.Column("community", sa.String(length=50), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["menu_item.id"],
            name=op.f("fk_menu_vote_item_id_menu_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["menu_round.id"],
            name=op.f("fk_menu_vote_round_id_menu_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_menu_vote")),
        sa.UniqueConstraint(
            "round_id",
            "resident_sub",
            "item_id",
            name=op.f("uq_menu_vote_round_id_resident_sub_item_id"),
        ),
    )
    with op.batch_alter_table("menu_vote", schema=None) as batch_op:
        batch_op.create_index("ix_menu_vote_item_id", ["item_id"], unique=False)

    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.add_column(sa.Column("facility_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "subdistrict", sa.String(length=50), server_default="", nullable=False
            )
        )
        batch_op.add_column(sa.Column("operator_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "month",
                sa.String(length=7),
                nullable=True,
                comment="Calendar month in Asia/Shanghai, e.g. 2026-11",
            )
        )
        batch_op.add_column(
            sa.Column(
                "comment_status",
                sa.String(length=10),
                server_default="none",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "status", sa.String(length=10), server_default="visible", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "verified", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(sa.Column("burst_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("client_network", sa.String(length=32), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "new_account", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "reply_text",
                sa.Text(),
                nullable=True,
                comment="The operator's one public reply",
            )
        )
        batch_op.add_column(sa.Column("reply_operator_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("moderated_by", sa.String(length=255), nullable=True)
        )
        batch_op.add_column(
            sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("moderation_note", sa.String(length=500), nullable=True)
        )
        batch_op.drop_index(batch_op.f("ix_rating_resident_sub_id"))
        batch_op.create_index(
            "ix_rating_facility_id_created_at",
            ["facility_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_rating_operator_id_created_at",
            ["operator_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_rating_resident_sub_created_at",
            ["resident_sub", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_rating_review",
            ["id"],
            unique=False,
            postgresql_where=sa.text("comment_status = 'pending' OR status = 'held'"),
            sqlite_where=sa.text("comment_status = 'pending' OR status = 'held'"),
        )
        batch_op.create_index(
            "ix_rating_target_type_target_id_created_at",
            ["target_type", "target_id", "created_at"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_rating_burst_id_rating_burst"),
            "rating_burst",
            ["burst_id"],
            ["id"],
            ondelete="SET NULL",
        )

    _backfill_ratings()
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.alter_column("facility_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column(
            "month",
            existing_type=sa.String(length=7),
            nullable=False,
            existing_comment="Calendar month in Asia/Shanghai, e.g. 2026-11",
        )
    _build_aggregates()


def _backfill_ratings() -> None:
    bind = op.get_bind()
    beijing = ZoneInfo("Asia/Shanghai")
    rating = sa.table(
        "rating",
        sa.column("id", sa.Integer),
        sa.column("target_id", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("facility_id", sa.Integer),
        sa.column("month", sa.String),
        sa.column("comment", sa.Text),
        sa.column("comment_status", sa.String),
    )
    rows = bind.execute(sa.select(rating.c.id, rating.c.created_at)).all()
    for row in rows:
        created = (
            row.created_at
            if row.created_at.tzinfo
            else row.created_at.replace(tzinfo=UTC)
        )
        local: datetime = created.astimezone(beijing)
        bind.execute(
            rating.update()
            .where(rating.c.id == row.id)
            .values(month=f"{local.year}-{local.month:02d}")
        )
    bind.execute(rating.update().values(facility_id=rating.c.target_id))
    bind.execute(
        rating.update()
        .where(rating.c.comment.is_not(None))
        .values(comment_status="published")
    )


def _build_aggregates() -> None:
    # Every rating before this revision is of a facility, visible, unverified and government-run as far as
    # this service knows (operator 0); live ones count.
    dims = "".join(
        f", COUNT({d}), COALESCE(SUM({d}), 0)"
        for d in ("environment", "content", "staff", "convenience")
    )
    op.execute(
        "INSERT INTO rating_aggregate (month, target_type, target_id, operator_key, facility_id, subdistrict, n,"
        " overall_sum, satisfied, verified_n, verified_sum, verified_satisfied, environment_n, environment_sum,"
        " content_n, content_sum, staff_n, staff_sum, convenience_n, convenience_sum)"
        " SELECT month, target_type, target_id, 0, MIN(facility_id), MIN(subdistrict), COUNT(*), SUM(overall),"
        " SUM(CASE WHEN overall >= 4 THEN 1 ELSE 0 END), 0, 0, 0"
        + dims
        + " FROM rating WHERE live GROUP BY month, target_type, target_id"
    )


def downgrade() -> None:
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_rating_burst_id_rating_burst"), type_="foreignkey"
        )
        batch_op.drop_index("ix_rating_target_type_target_id_created_at")
        batch_op.drop_index(
            "ix_rating_review",
            postgresql_where=sa.text("comment_status = 'pending' OR status = 'held'"),
            sqlite_where=sa.text("comment_status = 'pending' OR status = 'held'"),
        )
        batch_op.drop_index("ix_rating_resident_sub_created_at")
        batch_op.drop_index("ix_rating_operator_id_created_at")
        batch_op.drop_index("ix_rating_facility_id_created_at")
        batch_op.create_index(
            batch_op.f("ix_rating_resident_sub_id"),
            ["resident_sub", "id"],
            unique=False,
        )
        batch_op.drop_column("moderation_note")
        batch_op.drop_column("moderated_at")
        batch_op.drop_column("moderated_by")
        batch_op.drop_column("replied_at")
        batch_op.drop_column("reply_operator_id")
        batch_op.drop_column("reply_text")
        batch_op.drop_column("new_account")
        batch_op.drop_column("client_network")
        batch_op.drop_column("burst_id")
        batch_op.drop_column("verified")
        batch_op.drop_column("status")
        batch_op.drop_column("comment_status")
        batch_op.drop_column("month")
        batch_op.drop_column("operator_id")
        batch_op.drop_column("subdistrict")
        batch_op.drop_column("facility_id")

    with op.batch_alter_table("menu_vote", schema=None) as batch_op:
        batch_op.drop_index("ix_menu_vote_item_id")

    op.drop_table("menu_vote")
    with op.batch_alter_table("case_step", schema=None) as batch_op:
        batch_op.drop_index("ix_case_step_case_id_id")

    op.drop_table("case_step")
    with op.batch_alter_table("resident_case", schema=None) as batch_op:
        batch_op.drop_index("ix_resident_case_status_due_at")
        batch_op.drop_index("ix_resident_case_resident_sub_id")
        batch_op.drop_index("ix_resident_case_operator_id_created_at")
        batch_op.drop_index("ix_resident_case_open311_client_id_created_at")
        batch_op.drop_index("ix_resident_case_facility_id_created_at")
        batch_op.drop_index("ix_resident_case_created_at")
        batch_op.drop_index("ix_resident_case_assignee_operator_id_id")

    op.drop_table("resident_case")
    with op.batch_alter_table("menu_item", schema=None) as batch_op:
        batch_op.drop_index("ix_menu_item_round_id_id")

    op.drop_table("menu_item")
    with op.batch_alter_table("rating_burst", schema=None) as batch_op:
        batch_op.drop_index("ix_rating_burst_target_type_target_id_status")
        batch_op.drop_index("ix_rating_burst_status_id")

    op.drop_table("rating_burst")
    with op.batch_alter_table("rating_aggregate", schema=None) as batch_op:
        batch_op.drop_index("ix_rating_aggregate_subdistrict_month")
        batch_op.drop_index("ix_rating_aggregate_operator_key_month")
        batch_op.drop_index("ix_rating_aggregate_facility_id_month")

    op.drop_table("rating_aggregate")
    op.drop_table("open311_client")
    op.drop_table("moderation_word")
    with op.batch_alter_table("menu_round", schema=None) as batch_op:
        batch_op.drop_index("ix_menu_round_status_id")

    op.drop_table("menu_round")
    op.drop_table("facility_operation")
    with op.batch_alter_table("demand_request", schema=None) as batch_op:
        batch_op.drop_index("ix_demand_request_subdistrict_id")
        batch_op.drop_index("ix_demand_request_resident_sub_id")
        batch_op.drop_index("ix_demand_request_created_at")

    op.drop_table("demand_request")
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.drop_index("ix_checkin_resident_sub_facility_id")
        batch_op.drop_index("ix_checkin_resident_sub_activity_id")

    op.drop_table("checkin")
    op.drop_table("calendar_day")
