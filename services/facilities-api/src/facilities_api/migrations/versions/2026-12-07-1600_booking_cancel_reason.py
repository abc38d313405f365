"""booking: why it was cancelled (the resident, an official, or the activity's cancellation) and the
text the resident reads

Revision ID: 3b1e7c2a9d40
Revises: f9c0b437380c
Create Date: 2026-12-07 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b1e7c2a9d40"
down_revision: str | None = "f9c0b437380c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancel_reason", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("cancel_note", sa.String(length=500), server_default="", nullable=False))
    op.execute("UPDATE booking SET cancel_reason = 'resident' WHERE status = 'cancelled'")


def downgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_column("cancel_note")
        batch_op.drop_column("cancel_reason")
