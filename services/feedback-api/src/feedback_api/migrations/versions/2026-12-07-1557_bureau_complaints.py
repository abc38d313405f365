"""Complaints about an operator go to the bureau, with the approved price beside an overcharge

Open complaints about an operator's own charges or staff that were routed to that operator are given to
the officials of the facility's area, with a step in their timeline saying why. Downgrading keeps them
with the officials.

Revision ID: ddede0ca1697
Revises: 000edd7ad982
Create Date: 2026-12-07 15:57:44.626386
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# cases.categories: the complaints about the operator itself (kept here as they were at this revision).
ABOUT_OPERATOR = ("fee_overcharge", "staff_conduct")
OPEN = ("submitted", "accepted", "assigned", "reopened")

revision: str = "ddede0ca1697"
down_revision: str | None = "000edd7ad982"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("resident_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_fee_fen", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("approved_fee_basis", sa.String(length=200), nullable=True)
        )

    rerouted = sa.and_(
        sa.column("category").in_(ABOUT_OPERATOR),
        sa.column("status").in_(OPEN),
        sa.column("assignee_type") == "operator",
    )
    case = sa.table(
        "resident_case",
        sa.column("id"),
        sa.column("category"),
        sa.column("status"),
        sa.column("assignee_type"),
        sa.column("assignee_operator_id"),
        sa.column("assignee_name"),
        sa.column("version"),
        sa.column("updated_at"),
    )
    step = sa.table(
        "case_step",
        sa.column("case_id"),
        sa.column("action"),
        sa.column("from_status"),
        sa.column("to_status"),
        sa.column("actor_role"),
        sa.column("note"),
        sa.column("at"),
    )
    op.execute(
        step.insert().from_select(
            [
                "case_id",
                "action",
                "from_status",
                "to_status",
                "actor_role",
                "note",
                "at",
            ],
            sa.select(
                case.c.id,
                sa.literal("assign"),
                case.c.status,
                case.c.status,
                sa.literal("system"),
                sa.literal(
                    "routed to the culture bureau: a complaint about the operator's own charges or staff is not the operator's to answer"
                ),
                sa.func.current_timestamp(),
            ).where(rerouted),
        )
    )
    op.execute(
        case.update()
        .where(rerouted)
        .values(
            assignee_type="official",
            assignee_operator_id=None,
            assignee_name=None,
            version=case.c.version + 1,
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("resident_case", schema=None) as batch_op:
        batch_op.drop_column("approved_fee_basis")
        batch_op.drop_column("approved_fee_fen")
