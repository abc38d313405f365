"""appeal evidence and evaluation versions: an appeal carries evidence documents; an upheld appeal
gives the corrected inputs (kept on the appeal) and the evaluation is recomputed from them, each
version kept in evaluation_version. Published evaluations get their version 1 as they stand.

Revision ID: 9e2b4f6a8c15
Revises: 7c3e91a4d2f0
Create Date: 2026-12-07 17:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "9e2b4f6a8c15"
down_revision: str | None = "7c3e91a4d2f0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("appeal") as batch:
        batch.add_column(sa.Column("documents", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch.add_column(sa.Column("corrections", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    op.create_table(
        "evaluation_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("score_centi", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=20), nullable=False),
        sa.Column("consequences", sa.JSON(), nullable=False),
        sa.Column("corrections", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("made_by", sa.String(length=200), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluation.id"],
            name=op.f("fk_evaluation_version_evaluation_id_evaluation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_version")),
        sa.UniqueConstraint("evaluation_id", "number", name=op.f("uq_evaluation_version_evaluation_id_number")),
    )
    with op.batch_alter_table("evaluation_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_version_evaluation_id"), ["evaluation_id"], unique=False)
    # Version 1 of every published evaluation as it was published; one whose appeal was upheld before
    # this change also gets version 2, the revision as it stands (the components before the revision
    # were not kept, so version 1 shows the current ones beside its original score and grade).
    evaluation = sa.table(
        "evaluation",
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("components", sa.JSON),
        sa.column("score_centi", sa.Integer),
        sa.column("original_score_centi", sa.Integer),
        sa.column("grade", sa.String),
        sa.column("consequences", sa.JSON),
        sa.column("published_by", sa.String),
        sa.column("published_at", sa.DateTime(timezone=True)),
        sa.column("scheme", sa.JSON),
    )
    appeal = sa.table(
        "appeal",
        sa.column("evaluation_id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("decision_reason", sa.Text),
        sa.column("decided_by", sa.String),
        sa.column("decided_at", sa.DateTime(timezone=True)),
    )
    version = sa.table(
        "evaluation_version",
        sa.column("evaluation_id", sa.Integer),
        sa.column("number", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("components", sa.JSON),
        sa.column("score_centi", sa.Integer),
        sa.column("grade", sa.String),
        sa.column("consequences", sa.JSON),
        sa.column("corrections", sa.JSON),
        sa.column("reason", sa.Text),
        sa.column("made_by", sa.String),
        sa.column("made_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    rows = (
        bind.execute(
            sa.select(evaluation).where(evaluation.c.status == "published", evaluation.c.score_centi.is_not(None))
        )
        .mappings()
        .all()
    )
    upheld = {
        a["evaluation_id"]: a for a in bind.execute(sa.select(appeal).where(appeal.c.status == "upheld")).mappings()
    }
    versions = []
    for r in rows:
        revised = r["original_score_centi"] is not None
        score = r["original_score_centi"] if revised else r["score_centi"]
        versions.append(
            {
                "evaluation_id": r["id"],
                "number": 1,
                "kind": "published",
                "components": r["components"],
                "score_centi": score,
                "grade": _grade(score, (r["scheme"] or {}).get("thresholds")) if revised else r["grade"],
                "consequences": {} if revised else (r["consequences"] or {}),
                "corrections": [],
                "reason": None,
                "made_by": r["published_by"] or "",
                "made_at": r["published_at"],
            }
        )
        if revised:
            decision: sa.RowMapping | dict[str, Any] = upheld.get(r["id"], {})
            versions.append(
                {
                    "evaluation_id": r["id"],
                    "number": 2,
                    "kind": "appeal_upheld",
                    "components": r["components"],
                    "score_centi": r["score_centi"],
                    "grade": r["grade"],
                    "consequences": r["consequences"] or {},
                    "corrections": [],
                    "reason": decision.get("decision_reason"),
                    "made_by": decision.get("decided_by") or "",
                    "made_at": decision.get("decided_at") or r["published_at"],
                }
            )
    if versions:
        bind.execute(version.insert(), versions)


def _grade(score_centi: int, thresholds: dict[str, int] | None) -> str:
    """The grade a score had under the evaluation's own thresholds (the default ones when it has none)."""
    limits = {"excellent": 90, "good": 80, "pass": 60, **(thresholds or {})}
    for grade in ("excellent", "good", "pass"):
        if score_centi >= limits[grade] * 100:
            return grade
    return "fail"


def downgrade() -> None:
    with op.batch_alter_table("evaluation_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_version_evaluation_id"))
    op.drop_table("evaluation_version")
    with op.batch_alter_table("appeal") as batch:
        batch.drop_column("corrections")
        batch.drop_column("documents")
