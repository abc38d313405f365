"""A demand request's history (filed, answered, reopened when its activity was cancelled)

Revision ID: 5b1e0c7d2a94
Revises: ddede0ca1697
Create Date: 2026-12-07 15:58:10.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b1e0c7d2a94"
down_revision: str | None = "ddede0ca1697"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "demand_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demand_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.String(length=20),
            nullable=False,
            comment="submit, answer or reopen",
        ),
        sa.Column("from_status", sa.String(length=10), nullable=True),
        sa.Column("to_status", sa.String(length=10), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column(
            "actor_sub", sa.String(length=255), nullable=True, comment="never shown"
        ),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["demand_id"],
            ["demand_request.id"],
            name=op.f("fk_demand_step_demand_id_demand_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demand_step")),
    )
    with op.batch_alter_table("demand_step", schema=None) as batch_op:
        batch_op.create_index(
            "ix_demand_step_demand_id_id", ["demand_id", "id"], unique=False
        )

    with op.batch_alter_table("demand_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_demand_request_activity_id", ["activity_id"], unique=False
        )
        batch_op.create_index(
            "ix_demand_request_facility_id_id", ["facility_id", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("demand_request", schema=None) as batch_op:
        batch_op.drop_index("ix_demand_request_facility_id_id")
        batch_op.drop_index("ix_demand_request_activity_id")

    with op.batch_alter_table("demand_step", schema=None) as batch_op:
        batch_op.drop_index("ix_demand_step_demand_id_id")

    op.drop_table("demand_step")
