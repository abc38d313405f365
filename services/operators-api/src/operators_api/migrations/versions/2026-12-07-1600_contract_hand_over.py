"""contract hand over: a contract signed before its start date hands its facilities over on that date,
so the moment of hand-over (contract.started) is kept apart from the activation. Contracts already
activated were handed over when activated.

Revision ID: 7c3e91a4d2f0
Revises: 5a1d0c7e9b31
Create Date: 2026-12-07 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c3e91a4d2f0"
down_revision: str | None = "5a1d0c7e9b31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contract") as batch:
        batch.add_column(sa.Column("handed_over_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE contract SET handed_over_at = activated_at WHERE activated_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("contract") as batch:
        batch.drop_column("handed_over_at")
