"""refresh tokens: when each was rotated

Only a token presented again after it was rotated means two parties hold it; one revoked by a sign-out,
a password change or a disabled account, or presented again within seconds of its rotation (two tabs
refreshing at once), is refused without revoking its family.

Revision ID: 5d2c8e1f7a43
Revises: 9a41f266cb91
Create Date: 2026-12-07 17:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d2c8e1f7a43"
down_revision: str | None = "9a41f266cb91"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("refresh_token") as batch:
        batch.add_column(sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("refresh_token") as batch:
        batch.drop_column("rotated_at")
