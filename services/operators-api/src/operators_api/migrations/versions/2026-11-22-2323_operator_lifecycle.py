"""operator lifecycle

Revision ID: ee772f49b086
Revises: 2d8cdf29c7a6
Create Date: 2026-11-22 23:23:44.662915
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ee772f49b086"
down_revision: str | None = "2d8cdf29c7a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("from_state", sa.String(length=30), nullable=True),
        sa.Column("to_state", sa.String(length=30), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entry_entity_type_entity_id", ["entity_type", "entity_id"], unique=False)

    op.create_table(
        "evaluation_scheme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("payment_percent", sa.JSON(), nullable=False),
        sa.Column("credit_points", sa.JSON(), nullable=False),
        sa.Column("renewal_min_grade", sa.String(length=20), nullable=False),
        sa.Column("consecutive_fails_for_termination", sa.Integer(), nullable=False),
        sa.Column("appeal_window_days", sa.Integer(), nullable=False),
        sa.Column("rectification_days", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_scheme")),
    )
    op.create_table(
        "fee_guideline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cap_percent_of_market", sa.Integer(), nullable=False),
        sa.Column("min_special_group_free_percent", sa.Integer(), nullable=False),
        sa.Column("max_special_group_price_percent", sa.Integer(), nullable=False),
        sa.Column("allowed_categories", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_guideline")),
        sa.UniqueConstraint("version", name=op.f("uq_fee_guideline_version")),
    )
    op.create_table(
        "selection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("purchaser_subdistrict", sa.String(length=40), nullable=True),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("budget_fen", sa.BigInteger(), nullable=False),
        sa.Column("facility_ids", sa.JSON(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("price_formula", sa.JSON(), nullable=False),
        sa.Column("trim_extremes", sa.Boolean(), nullable=False),
        sa.Column("bids_open_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bids_close_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service_starts_on", sa.Date(), nullable=False),
        sa.Column("service_ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("awarded_bid_id", sa.Integer(), nullable=True),
        sa.Column("award_reason", sa.Text(), nullable=True),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection")),
        sa.UniqueConstraint("reference", name=op.f("uq_selection_reference")),
    )
    with op.batch_alter_table("selection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_selection_purchaser_subdistrict"), ["purchaser_subdistrict"], unique=False)
        batch_op.create_index(batch_op.f("ix_selection_status"), ["status"], unique=False)

    op.create_table(
        "training_programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("organiser", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("audience", sa.String(length=30), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("min_sessions_for_completion", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_programme")),
    )
    op.create_table(
        "bid",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("selection_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("price_fen", sa.BigInteger(), nullable=False),
        sa.Column("proposal_summary", sa.Text(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"], name=op.f("fk_bid_operator_id_operator")),
        sa.ForeignKeyConstraint(
            ["selection_id"], ["selection.id"], name=op.f("fk_bid_selection_id_selection"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bid")),
        sa.UniqueConstraint("selection_id", "operator_id", name=op.f("uq_bid_selection_id_operator_id")),
    )
    with op.batch_alter_table("bid", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bid_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bid_selection_id"), ["selection_id"], unique=False)

    op.create_table(
        "credit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source_type", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"], name=op.f("fk_credit_entry_operator_id_operator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_entry")),
    )
    with op.batch_alter_table("credit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_entry_operator_id"), ["operator_id"], unique=False)

    op.create_table(
        "enrolment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("participant_name", sa.String(length=100), nullable=False),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("enrolled_by", sa.String(length=200), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"], name=op.f("fk_enrolment_operator_id_operator")),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["training_programme.id"],
            name=op.f("fk_enrolment_programme_id_training_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment")),
        sa.UniqueConstraint(
            "programme_id",
            "participant_name",
            "organisation_name",
            name=op.f("uq_enrolment_programme_id_participant_name_organisation_name"),
        ),
    )
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolment_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrolment_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "honour",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("awarded_by", sa.String(length=200), nullable=False),
        sa.Column("awarded_on", sa.Date(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"], name=op.f("fk_honour_operator_id_operator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_honour")),
    )
    with op.batch_alter_table("honour", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_honour_operator_id"), ["operator_id"], unique=False)

    op.create_table(
        "incubation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("mentor", sa.String(length=200), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("planned_end_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"], name=op.f("fk_incubation_operator_id_operator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incubation")),
    )
    op.create_table(
        "panel_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("selection_id", sa.Integer(), nullable=False),
        sa.Column("sub", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("conflicted_operator_ids", sa.JSON(), nullable=False),
        sa.Column("declaration", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["selection_id"], ["selection.id"], name=op.f("fk_panel_member_selection_id_selection"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_member")),
        sa.UniqueConstraint("selection_id", "sub", name=op.f("uq_panel_member_selection_id_sub")),
    )
    with op.batch_alter_table("panel_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_member_selection_id"), ["selection_id"], unique=False)

    op.create_table(
        "training_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["training_programme.id"],
            name=op.f("fk_training_session_programme_id_training_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_session")),
        sa.UniqueConstraint("programme_id", "seq", name=op.f("uq_training_session_programme_id_seq")),
    )
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_session_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "volunteer_team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("leader_name", sa.String(length=100), nullable=False),
        sa.Column("founded_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"], name=op.f("fk_volunteer_team_operator_id_operator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_team")),
        sa.UniqueConstraint("name", name=op.f("uq_volunteer_team_name")),
    )
    with op.batch_alter_table("volunteer_team", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_volunteer_team_operator_id"), ["operator_id"], unique=False)

    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"], ["enrolment.id"], name=op.f("fk_attendance_enrolment_id_enrolment"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_session.id"],
            name=op.f("fk_attendance_session_id_training_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint("enrolment_id", "session_id", name=op.f("uq_attendance_enrolment_id_session_id")),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_enrolment_id"), ["enrolment_id"], unique=False)

    op.create_table(
        "bid_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("selection_id", sa.Integer(), nullable=False),
        sa.Column("bid_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("criterion_key", sa.String(length=40), nullable=False),
        sa.Column("score_centi", sa.Integer(), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bid_id"], ["bid.id"], name=op.f("fk_bid_score_bid_id_bid"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["panel_member.id"], name=op.f("fk_bid_score_member_id_panel_member"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["selection_id"], ["selection.id"], name=op.f("fk_bid_score_selection_id_selection"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bid_score")),
        sa.UniqueConstraint(
            "bid_id", "member_id", "criterion_key", name=op.f("uq_bid_score_bid_id_member_id_criterion_key")
        ),
    )
    with op.batch_alter_table("bid_score", schema=None) as batch_op:
        batch_op.create_index("ix_bid_score_selection_id", ["selection_id"], unique=False)

    op.create_table(
        "contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("selection_id", sa.Integer(), nullable=True),
        sa.Column("bid_id", sa.Integer(), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("purchaser_subdistrict", sa.String(length=40), nullable=True),
        sa.Column("procurement_method", sa.String(length=40), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("service_standards", sa.JSON(), nullable=False),
        sa.Column("kpi_targets", sa.JSON(), nullable=False),
        sa.Column("evaluation_scheme_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("renewed_from_id", sa.Integer(), nullable=True),
        sa.Column("termination_proposed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("termination_proposal", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bid_id"], ["bid.id"], name=op.f("fk_contract_bid_id_bid")),
        sa.ForeignKeyConstraint(
            ["evaluation_scheme_id"],
            ["evaluation_scheme.id"],
            name=op.f("fk_contract_evaluation_scheme_id_evaluation_scheme"),
        ),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"], name=op.f("fk_contract_operator_id_operator")),
        sa.ForeignKeyConstraint(
            ["renewed_from_id"], ["contract.id"], name=op.f("fk_contract_renewed_from_id_contract")
        ),
        sa.ForeignKeyConstraint(["selection_id"], ["selection.id"], name=op.f("fk_contract_selection_id_selection")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract")),
        sa.UniqueConstraint("reference", name=op.f("uq_contract_reference")),
    )
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contract_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contract_selection_id"), ["selection_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contract_status"), ["status"], unique=False)

    op.create_table(
        "volunteer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("verified_minutes", sa.Integer(), nullable=False),
        sa.Column("recognition_level", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["volunteer_team.id"], name=op.f("fk_volunteer_team_id_volunteer_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer")),
    )
    with op.batch_alter_table("volunteer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_volunteer_team_id"), ["team_id"], unique=False)

    op.create_table(
        "contract_facility",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contract.id"], name=op.f("fk_contract_facility_contract_id_contract"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_facility")),
        sa.UniqueConstraint("contract_id", "facility_id", name=op.f("uq_contract_facility_contract_id_facility_id")),
    )
    with op.batch_alter_table("contract_facility", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contract_facility_facility_id"), ["facility_id"], unique=False)

    op.create_table(
        "evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("period_start_on", sa.Date(), nullable=False),
        sa.Column("period_end_on", sa.Date(), nullable=False),
        sa.Column("scheme", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("missing_inputs", sa.JSON(), nullable=False),
        sa.Column("expert_score_centi", sa.Integer(), nullable=True),
        sa.Column("expert_assessor", sa.String(length=200), nullable=True),
        sa.Column("expert_note", sa.Text(), nullable=True),
        sa.Column("reweighted", sa.Boolean(), nullable=False),
        sa.Column("score_centi", sa.Integer(), nullable=True),
        sa.Column("original_score_centi", sa.Integer(), nullable=True),
        sa.Column("grade", sa.String(length=20), nullable=True),
        sa.Column("consequences", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(length=200), nullable=True),
        sa.Column("appeal_deadline_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_evaluation_contract_id_contract")),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"], name=op.f("fk_evaluation_operator_id_operator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation")),
        sa.UniqueConstraint("contract_id", "period", name=op.f("uq_evaluation_contract_id_period")),
    )
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluation_grade"), ["grade"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluation_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluation_status"), ["status"], unique=False)

    op.create_table(
        "fee_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("service_name", sa.String(length=200), nullable=False),
        sa.Column("service_category", sa.String(length=40), nullable=False),
        sa.Column("market_price_fen", sa.BigInteger(), nullable=False),
        sa.Column("proposed_fee_fen", sa.BigInteger(), nullable=False),
        sa.Column("special_group_free_percent", sa.Integer(), nullable=False),
        sa.Column("special_group_fee_fen", sa.BigInteger(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("guideline_version", sa.Integer(), nullable=False),
        sa.Column("guideline_check", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_fee_application_contract_id_contract")),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"], name=op.f("fk_fee_application_operator_id_operator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_application")),
    )
    with op.batch_alter_table("fee_application", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_application_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index("ix_fee_application_facility_id_service_id", ["facility_id", "service_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fee_application_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fee_application_status"), ["status"], unique=False)

    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("announced", sa.Boolean(), nullable=False),
        sa.Column("inspector", sa.String(length=200), nullable=False),
        sa.Column("inspector_name", sa.String(length=200), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("score_centi", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_inspection_contract_id_contract")),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"], name=op.f("fk_inspection_operator_id_operator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
    )
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_operator_id"), ["operator_id"], unique=False)

    op.create_table(
        "instalment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("linked_period", sa.String(length=7), nullable=True),
        sa.Column("evaluation_id", sa.Integer(), nullable=True),
        sa.Column("adjustment_percent", sa.Integer(), nullable=True),
        sa.Column("adjusted_amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("paid_amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("payment_reference", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contract.id"], name=op.f("fk_instalment_contract_id_contract"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instalment")),
        sa.UniqueConstraint("contract_id", "seq", name=op.f("uq_instalment_contract_id_seq")),
    )
    with op.batch_alter_table("instalment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instalment_contract_id"), ["contract_id"], unique=False)

    op.create_table(
        "service_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("cross_check", sa.JSON(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("filed_by", sa.String(length=200), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_service_report_contract_id_contract")),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"], name=op.f("fk_service_report_operator_id_operator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_report")),
        sa.UniqueConstraint("contract_id", "month", name=op.f("uq_service_report_contract_id_month")),
    )
    with op.batch_alter_table("service_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_report_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_report_operator_id"), ["operator_id"], unique=False)

    op.create_table(
        "volunteer_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("activity", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_by", sa.String(length=200), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteer.id"],
            name=op.f("fk_volunteer_service_volunteer_id_volunteer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_service")),
    )
    with op.batch_alter_table("volunteer_service", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_volunteer_service_volunteer_id"), ["volunteer_id"], unique=False)

    op.create_table(
        "appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("revised_score_centi", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"], name=op.f("fk_appeal_evaluation_id_evaluation")),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"], name=op.f("fk_appeal_operator_id_operator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal")),
        sa.UniqueConstraint("evaluation_id", name=op.f("uq_appeal_evaluation_id")),
    )
    op.create_table(
        "evaluation_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("input", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("request", sa.String(length=500), nullable=False),
        sa.Column("from_on", sa.Date(), nullable=False),
        sa.Column("to_on", sa.Date(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluation.id"],
            name=op.f("fk_evaluation_evidence_evaluation_id_evaluation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_evidence")),
    )
    with op.batch_alter_table("evaluation_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_evidence_evaluation_id"), ["evaluation_id"], unique=False)

    op.create_table(
        "rectification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("evaluation_id", sa.Integer(), nullable=True),
        sa.Column("finding", sa.Text(), nullable=False),
        sa.Column("required_action", sa.Text(), nullable=False),
        sa.Column("deadline_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("response_documents", sa.JSON(), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_late", sa.Boolean(), nullable=False),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ordered_by", sa.String(length=200), nullable=False),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_rectification_contract_id_contract")),
        sa.ForeignKeyConstraint(
            ["inspection_id"], ["inspection.id"], name=op.f("fk_rectification_inspection_id_inspection")
        ),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"], name=op.f("fk_rectification_operator_id_operator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification")),
    )
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rectification_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rectification_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index("ix_rectification_status_deadline_on", ["status", "deadline_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.drop_index("ix_rectification_status_deadline_on")
        batch_op.drop_index(batch_op.f("ix_rectification_operator_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_contract_id"))

    op.drop_table("rectification")
    with op.batch_alter_table("evaluation_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_evidence_evaluation_id"))

    op.drop_table("evaluation_evidence")
    op.drop_table("appeal")
    with op.batch_alter_table("volunteer_service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_service_volunteer_id"))

    op.drop_table("volunteer_service")
    with op.batch_alter_table("service_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_report_operator_id"))
        batch_op.drop_index(batch_op.f("ix_service_report_contract_id"))

    op.drop_table("service_report")
    with op.batch_alter_table("instalment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instalment_contract_id"))

    op.drop_table("instalment")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_operator_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_contract_id"))

    op.drop_table("inspection")
    with op.batch_alter_table("fee_application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_application_status"))
        batch_op.drop_index(batch_op.f("ix_fee_application_operator_id"))
        batch_op.drop_index("ix_fee_application_facility_id_service_id")
        batch_op.drop_index(batch_op.f("ix_fee_application_contract_id"))

    op.drop_table("fee_application")
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_status"))
        batch_op.drop_index(batch_op.f("ix_evaluation_operator_id"))
        batch_op.drop_index(batch_op.f("ix_evaluation_grade"))
        batch_op.drop_index(batch_op.f("ix_evaluation_contract_id"))

    op.drop_table("evaluation")
    with op.batch_alter_table("contract_facility", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_facility_facility_id"))

    op.drop_table("contract_facility")
    with op.batch_alter_table("volunteer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_team_id"))

    op.drop_table("volunteer")
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_status"))
        batch_op.drop_index(batch_op.f("ix_contract_selection_id"))
        batch_op.drop_index(batch_op.f("ix_contract_operator_id"))

    op.drop_table("contract")
    with op.batch_alter_table("bid_score", schema=None) as batch_op:
        batch_op.drop_index("ix_bid_score_selection_id")

    op.drop_table("bid_score")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_enrolment_id"))

    op.drop_table("attendance")
    with op.batch_alter_table("volunteer_team", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_team_operator_id"))

    op.drop_table("volunteer_team")
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_session_programme_id"))

    op.drop_table("training_session")
    with op.batch_alter_table("panel_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_member_selection_id"))

    op.drop_table("panel_member")
    op.drop_table("incubation")
    with op.batch_alter_table("honour", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_honour_operator_id"))

    op.drop_table("honour")
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolment_programme_id"))
        batch_op.drop_index(batch_op.f("ix_enrolment_operator_id"))

    op.drop_table("enrolment")
    with op.batch_alter_table("credit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_entry_operator_id"))

    op.drop_table("credit_entry")
    with op.batch_alter_table("bid", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bid_selection_id"))
        batch_op.drop_index(batch_op.f("ix_bid_operator_id"))

    op.drop_table("bid")
    op.drop_table("training_programme")
    with op.batch_alter_table("selection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selection_status"))
        batch_op.drop_index(batch_op.f("ix_selection_purchaser_subdistrict"))

    op.drop_table("selection")
    op.drop_table("fee_guideline")
    op.drop_table("evaluation_scheme")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_entity_type_entity_id")

    op.drop_table("audit_entry")
