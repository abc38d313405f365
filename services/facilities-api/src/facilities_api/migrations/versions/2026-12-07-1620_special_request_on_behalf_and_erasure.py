"""special-group requests: filed on behalf of an elder without a phone, health notes, and the erasure
of sensitive data once the request no longer needs it

Revision ID: 9a4f6b3c1e27
Revises: 7c5d2e81a0b6
Create Date: 2026-12-07 16:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9a4f6b3c1e27"
down_revision: str | None = "7c5d2e81a0b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("special_request", schema=None) as batch_op:
        batch_op.alter_column("resident_sub", existing_type=sa.String(length=200), nullable=True)
        batch_op.alter_column("special_group", existing_type=sa.String(length=20), nullable=True)
        batch_op.add_column(sa.Column("filed_by_sub", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("health_notes", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("personal_data_erased_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_special_request_closed_at", ["closed_at"], unique=False)
    op.execute(
        "UPDATE special_request SET closed_at = COALESCE(done_at, updated_at) "
        "WHERE status IN ('done', 'confirmed', 'rejected', 'cancelled')"
    )


def downgrade() -> None:
    op.execute("UPDATE special_request SET resident_sub = COALESCE(filed_by_sub, '') WHERE resident_sub IS NULL")
    op.execute("UPDATE special_request SET special_group = 'erased' WHERE special_group IS NULL")
    with op.batch_alter_table("special_request", schema=None) as batch_op:
        batch_op.drop_index("ix_special_request_closed_at")
        batch_op.drop_column("personal_data_erased_at")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("health_notes")
        batch_op.drop_column("filed_by_sub")
        batch_op.alter_column("special_group", existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column("resident_sub", existing_type=sa.String(length=200), nullable=False)
