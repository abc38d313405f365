"""audit log append only: the database refuses UPDATE, DELETE (and, on PostgreSQL, TRUNCATE) of
audit_entry, so nobody edits the log, not even with a database client.

Revision ID: 5a1d0c7e9b31
Revises: ee772f49b086
Create Date: 2026-11-22 23:24:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5a1d0c7e9b31"
down_revision: str | None = "ee772f49b086"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "audit_entry is append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_entry_no_{event.lower()} BEFORE {event} ON audit_entry "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entry_no_truncate ON audit_entry")
        op.execute("DROP TRIGGER audit_entry_no_change ON audit_entry")
        op.execute("DROP FUNCTION audit_entry_append_only()")
        return
    for event in ("update", "delete"):
        op.execute(f"DROP TRIGGER audit_entry_no_{event}")
