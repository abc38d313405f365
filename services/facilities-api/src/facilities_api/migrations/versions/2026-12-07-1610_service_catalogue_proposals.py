"""the basic-service catalogue is the bureau's: proposals decided by a district official, and the
periods during which each service was basic

Revision ID: 7c5d2e81a0b6
Revises: 3b1e7c2a9d40
Create Date: 2026-12-07 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c5d2e81a0b6"
down_revision: str | None = "3b1e7c2a9d40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_basic_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service_offered.id"],
            name=op.f("fk_service_basic_period_service_id_service_offered"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_basic_period")),
    )
    with op.batch_alter_table("service_basic_period", schema=None) as batch_op:
        batch_op.create_index("ix_service_basic_period_service_id", ["service_id"], unique=False)
    # The services basic today have been basic since they were added (the earliest the record knows).
    op.execute(
        "INSERT INTO service_basic_period (service_id, starts_at, ends_at) "
        "SELECT id, created_at, NULL FROM service_offered WHERE basic"
    )
    op.create_table(
        "service_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("proposed_by", sa.String(length=200), nullable=False),
        sa.Column("proposer_operator_id", sa.Integer(), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_service_proposal_facility_id_facility"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service_offered.id"],
            name=op.f("fk_service_proposal_service_id_service_offered"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_proposal")),
    )
    with op.batch_alter_table("service_proposal", schema=None) as batch_op:
        batch_op.create_index("ix_service_proposal_facility_id_status", ["facility_id", "status"], unique=False)
        batch_op.create_index("ix_service_proposal_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("service_proposal", schema=None) as batch_op:
        batch_op.drop_index("ix_service_proposal_status")
        batch_op.drop_index("ix_service_proposal_facility_id_status")
    op.drop_table("service_proposal")
    with op.batch_alter_table("service_basic_period", schema=None) as batch_op:
        batch_op.drop_index("ix_service_basic_period_service_id")
    op.drop_table("service_basic_period")
