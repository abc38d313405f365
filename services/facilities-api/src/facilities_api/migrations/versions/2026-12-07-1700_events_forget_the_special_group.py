"""The special_request.submitted events already published forget the special group

The event no longer carries the special group (sensitive personal information that the request's read
shows only to its handler); events recorded before that change still did, readable by every reader of
the feed and replayable to webhooks. Their data loses the key. The downgrade cannot know the groups again
and gives nothing back.

Revision ID: 4e7a9c2b5d18
Revises: 9a4f6b3c1e27
Create Date: 2026-12-07 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4e7a9c2b5d18"
down_revision: str | None = "9a4f6b3c1e27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

event = sa.table("event", sa.column("seq", sa.BigInteger), sa.column("type", sa.String), sa.column("data", sa.JSON))


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(event.c.seq, event.c.data).where(event.c.type == "special_request.submitted")).all()
    for seq, data in rows:
        if isinstance(data, dict) and "special_group" in data:
            kept = {k: v for k, v in data.items() if k != "special_group"}
            conn.execute(event.update().where(event.c.seq == seq).values(data=kept))


def downgrade() -> None:
    pass
