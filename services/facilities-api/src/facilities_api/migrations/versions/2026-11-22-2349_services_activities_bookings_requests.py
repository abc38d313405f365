"""services offered, fee approvals, activities, bookings, special-group requests, opening slots and
exceptions, operation periods; facility search text, latitude band and operator name

Revision ID: f9c0b437380c
Revises: ad4c46da9c6a
Create Date: 2026-11-22 23:49:52.684645
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "f9c0b437380c"
down_revision: str | None = "ad4c46da9c6a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fee_approval",
        sa.Column("application_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("approved_fee_fen", sa.Integer(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_fee_approval")),
    )
    with op.batch_alter_table("fee_approval", schema=None) as batch_op:
        batch_op.create_index("ix_fee_approval_facility_id_service_id", ["facility_id", "service_id"], unique=False)

    op.create_table(
        "opening_exception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=True),
        sa.Column("closes", sa.Time(), nullable=True),
        sa.Column("reason_zh", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_opening_exception_facility_id_facility"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opening_exception")),
    )
    with op.batch_alter_table("opening_exception", schema=None) as batch_op:
        batch_op.create_index("ix_opening_exception_facility_id_starts_on", ["facility_id", "starts_on"], unique=False)

    op.create_table(
        "opening_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens_min", sa.Integer(), nullable=False),
        sa.Column("closes_min", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_opening_slot_facility_id_facility"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opening_slot")),
    )
    with op.batch_alter_table("opening_slot", schema=None) as batch_op:
        batch_op.create_index("ix_opening_slot_facility_id_weekday", ["facility_id", "weekday"], unique=False)

    op.create_table(
        "operation_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_operation_period_facility_id_facility"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_period")),
    )
    with op.batch_alter_table("operation_period", schema=None) as batch_op:
        batch_op.create_index("ix_operation_period_facility_id", ["facility_id"], unique=False)
        batch_op.create_index("ix_operation_period_operator_id", ["operator_id"], unique=False)

    op.create_table(
        "service_offered",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("basic", sa.Boolean(), nullable=False),
        sa.Column("fee_fen", sa.Integer(), nullable=False),
        sa.Column("target_groups", sa.JSON(), nullable=False),
        sa.Column("delivery", sa.String(length=20), nullable=False),
        sa.Column("description_zh", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_service_offered_facility_id_facility"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_offered")),
    )
    with op.batch_alter_table("service_offered", schema=None) as batch_op:
        batch_op.create_index("ix_service_offered_facility_id", ["facility_id"], unique=False)

    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("brand", sa.String(length=100), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked_count", sa.Integer(), nullable=False),
        sa.Column("fee_fen", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("target_groups", sa.JSON(), nullable=False),
        sa.Column("booking_required", sa.Boolean(), nullable=False),
        sa.Column("booking_opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("booking_closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_cutoff_minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("cancel_reason", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_activity_facility_id_facility"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service_offered.id"],
            name=op.f("fk_activity_service_id_service_offered"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index("ix_activity_brand", ["brand"], unique=False)
        batch_op.create_index("ix_activity_category_starts_at", ["category", "starts_at"], unique=False)
        batch_op.create_index("ix_activity_facility_id_starts_at", ["facility_id", "starts_at"], unique=False)
        batch_op.create_index("ix_activity_status_starts_at", ["status", "starts_at"], unique=False)

    op.create_table(
        "special_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_sub", sa.String(length=200), nullable=False),
        sa.Column("resident_name", sa.String(length=200), nullable=False),
        sa.Column("special_group", sa.String(length=20), nullable=False),
        sa.Column("group_verified", sa.Boolean(), nullable=False),
        sa.Column("verified_by", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("preferred_time", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("assigned_to_sub", sa.String(length=200), nullable=True),
        sa.Column("assigned_to_name", sa.String(length=200), nullable=False),
        sa.Column("assigned_operator_id", sa.Integer(), nullable=True),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_special_request_facility_id_facility"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service_offered.id"],
            name=op.f("fk_special_request_service_id_service_offered"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_special_request")),
    )
    with op.batch_alter_table("special_request", schema=None) as batch_op:
        batch_op.create_index("ix_special_request_facility_id_status", ["facility_id", "status"], unique=False)
        batch_op.create_index("ix_special_request_resident_sub", ["resident_sub"], unique=False)

    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("resident_sub", sa.String(length=200), nullable=False),
        sa.Column("resident_name", sa.String(length=200), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("check_in_code", sa.String(length=12), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_booking_activity_id_activity"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking")),
        sa.UniqueConstraint("activity_id", "check_in_code", name=op.f("uq_booking_activity_id_check_in_code")),
        sa.UniqueConstraint("activity_id", "resident_sub", name=op.f("uq_booking_activity_id_resident_sub")),
    )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index(
            "ix_booking_activity_id_status_queued_at", ["activity_id", "status", "queued_at"], unique=False
        )
        batch_op.create_index("ix_booking_resident_sub", ["resident_sub"], unique=False)

    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lat_cell", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("operator_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("search_text", sa.String(length=2000), server_default="", nullable=False))
        batch_op.create_index("ix_facility_lat_cell_lon", ["lat_cell", "lon", "lat", "status"], unique=False)
        batch_op.create_index("ix_facility_operator_id", ["operator_id"], unique=False)

    _backfill_facilities()


def downgrade() -> None:
    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.drop_index("ix_facility_operator_id")
        batch_op.drop_index("ix_facility_lat_cell_lon")
        batch_op.drop_column("search_text")
        batch_op.drop_column("operator_name")
        batch_op.drop_column("lat_cell")

    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index("ix_booking_resident_sub")
        batch_op.drop_index("ix_booking_activity_id_status_queued_at")

    op.drop_table("booking")
    with op.batch_alter_table("special_request", schema=None) as batch_op:
        batch_op.drop_index("ix_special_request_resident_sub")
        batch_op.drop_index("ix_special_request_facility_id_status")

    op.drop_table("special_request")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_status_starts_at")
        batch_op.drop_index("ix_activity_facility_id_starts_at")
        batch_op.drop_index("ix_activity_category_starts_at")
        batch_op.drop_index("ix_activity_brand")

    op.drop_table("activity")
    with op.batch_alter_table("service_offered", schema=None) as batch_op:
        batch_op.drop_index("ix_service_offered_facility_id")

    op.drop_table("service_offered")
    with op.batch_alter_table("operation_period", schema=None) as batch_op:
        batch_op.drop_index("ix_operation_period_operator_id")
        batch_op.drop_index("ix_operation_period_facility_id")

    op.drop_table("operation_period")
    with op.batch_alter_table("opening_slot", schema=None) as batch_op:
        batch_op.drop_index("ix_opening_slot_facility_id_weekday")

    op.drop_table("opening_slot")
    with op.batch_alter_table("opening_exception", schema=None) as batch_op:
        batch_op.drop_index("ix_opening_exception_facility_id_starts_on")

    op.drop_table("opening_exception")
    with op.batch_alter_table("fee_approval", schema=None) as batch_op:
        batch_op.drop_index("ix_fee_approval_facility_id_service_id")

    op.drop_table("fee_approval")


def _backfill_facilities() -> None:
    """Facilities that exist already get their search text (names and pinyin), latitude band and opening slots."""
    from facilities_api.facilities.geo import lat_cell
    from facilities_api.facilities.hours import slots_from_json
    from facilities_api.facilities.search import search_text

    facility = sa.table(
        "facility",
        sa.column("id", sa.Integer),
        sa.column("name_zh", sa.String),
        sa.column("name_en", sa.String),
        sa.column("address_zh", sa.String),
        sa.column("lat", sa.Float),
        sa.column("opening_hours", sa.JSON),
        sa.column("search_text", sa.String),
        sa.column("lat_cell", sa.Integer),
    )
    slot = sa.table(
        "opening_slot",
        sa.column("facility_id", sa.Integer),
        sa.column("weekday", sa.Integer),
        sa.column("opens_min", sa.Integer),
        sa.column("closes_min", sa.Integer),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            facility.c.id,
            facility.c.name_zh,
            facility.c.name_en,
            facility.c.address_zh,
            facility.c.lat,
            facility.c.opening_hours,
        )
    ).all()
    for row in rows:
        bind.execute(
            facility.update()
            .where(facility.c.id == row.id)
            .values(search_text=search_text(row.name_zh, row.name_en or "", row.address_zh), lat_cell=lat_cell(row.lat))
        )
        slots = slots_from_json(row.opening_hours or [])
        if slots:
            bind.execute(
                slot.insert(),
                [{"facility_id": row.id, "weekday": w, "opens_min": o, "closes_min": c} for w, o, c in slots],
            )
