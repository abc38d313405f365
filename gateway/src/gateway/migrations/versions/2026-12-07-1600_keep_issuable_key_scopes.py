"""keep on stored API keys only the scopes their kind of key may hold

The scope table (service_kit.scopes.SCOPES) is the one list of scopes; the retired
`facilities:read` and `open311:submit`, which no route checks, and `events:read` on operators' keys
(an integration scope) are dropped from stored keys.

Revision ID: 3c1d2e7f9a10
Revises: 5e60cbe0bcc7
Create Date: 2026-12-07 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c1d2e7f9a10"
down_revision: str | None = "5e60cbe0bcc7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _keep_issuable_scopes()


# The scope table as this revision knows it (service_kit.scopes.SCOPES may change later: a migration
# does not follow it). Scopes a key of that role may hold; anything else is dropped from stored keys.
_ISSUABLE = {
    "integration": {"events:read", "webhooks:manage", "stats:read"},
    "operator": {
        "operator:read",
        "activities:write",
        "checkins:write",
        "reports:write",
        "cases:respond",
        "ratings:reply",
        "special_requests:handle",
        "fees:apply",
        "bids:submit",
        "appeals:submit",
        "services:propose",
    },
}


def _keep_issuable_scopes() -> None:
    api_key = sa.table(
        "api_key", sa.column("id", sa.Integer), sa.column("role", sa.String), sa.column("scopes", sa.JSON)
    )
    conn = op.get_bind()
    for key_id, role, scopes in conn.execute(sa.select(api_key.c.id, api_key.c.role, api_key.c.scopes)).all():
        kept = sorted(s for s in (scopes or []) if s in _ISSUABLE.get(role, set()))
        if kept != list(scopes or []):
            conn.execute(api_key.update().where(api_key.c.id == key_id).values(scopes=kept))


def downgrade() -> None:
    # Scopes dropped from keys are not given back: they were retired, or never the key's to hold.
    pass
