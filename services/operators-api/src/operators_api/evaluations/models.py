from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from operators_api.db import Base
from service_kit.db import AwareDateTime


class EvaluationScheme(Base):
    """考核方案: the weights of an evaluation's four parts, the grade thresholds and the consequences
    of each grade. Never edited once made (a contract's evaluations keep a copy of theirs)."""

    __tablename__ = "evaluation_scheme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # {kpi, inspection, satisfaction, expert}: integers summing to 100
    weights: Mapped[dict[str, int]] = mapped_column(JSON)
    # {excellent, good, pass}: the lowest score of each grade
    thresholds: Mapped[dict[str, int]] = mapped_column(JSON)
    # grade → percent of a linked instalment paid
    payment_percent: Mapped[dict[str, int]] = mapped_column(JSON)
    # grade → credit points
    credit_points: Mapped[dict[str, int]] = mapped_column(JSON)
    renewal_min_grade: Mapped[str] = mapped_column(String(20))
    consecutive_fails_for_termination: Mapped[int] = mapped_column(Integer)
    appeal_window_days: Mapped[int] = mapped_column(Integer)
    rectification_days: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())


class Evaluation(Base):
    """绩效考核: one contract, one period. draft (inputs gathered, missing ones named) → published
    (score, grade and consequences final; the operator may appeal once within the window)."""

    __tablename__ = "evaluation"
    __table_args__ = (UniqueConstraint("contract_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    period_start_on: Mapped[date] = mapped_column(Date)
    period_end_on: Mapped[date] = mapped_column(Date)
    scheme: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    components: Mapped[dict[str, Any]] = mapped_column(JSON)
    missing_inputs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    expert_score_centi: Mapped[int | None] = mapped_column(Integer)
    expert_assessor: Mapped[str | None] = mapped_column(String(200))
    expert_note: Mapped[str | None] = mapped_column(Text)
    reweighted: Mapped[bool] = mapped_column(Boolean, default=False)
    score_centi: Mapped[int | None] = mapped_column(Integer)
    original_score_centi: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str | None] = mapped_column(String(20), index=True)
    consequences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(AwareDateTime())
    published_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    published_by: Mapped[str | None] = mapped_column(String(200))
    appeal_deadline_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())


class EvaluationEvidence(Base):
    """One figure an evaluation used (or could not get): from which source, asked how, for which
    days, fetched when; the answer as it came."""

    __tablename__ = "evaluation_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    input: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(60))
    request: Mapped[str] = mapped_column(String(500))
    from_on: Mapped[date] = mapped_column(Date)
    to_on: Mapped[date] = mapped_column(Date)
    fetched_at: Mapped[datetime] = mapped_column(AwareDateTime())
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class EvaluationVersion(Base):
    """One version of a published evaluation, kept as it was: 1 as published, 2 as revised by an upheld
    appeal (recomputed from the corrected inputs). Never changed once written."""

    __tablename__ = "evaluation_version"
    __table_args__ = (UniqueConstraint("evaluation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # "published" or "appeal_upheld"
    kind: Mapped[str] = mapped_column(String(20))
    components: Mapped[dict[str, Any]] = mapped_column(JSON)
    score_centi: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(20))
    consequences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [{input, from, to, reason}]: the inputs an upheld appeal corrected (empty for the published version)
    corrections: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text)
    made_by: Mapped[str] = mapped_column(String(200))
    made_at: Mapped[datetime] = mapped_column(AwareDateTime())


class Appeal(Base):
    """申诉: the operator contests a published evaluation, once, within the window, with its evidence
    documents; an official other than the publisher upholds it (giving the corrected inputs, from which
    the evaluation is recomputed) or rejects it, with the reason."""

    __tablename__ = "appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), unique=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    reason: Mapped[str] = mapped_column(Text)
    # [{title, url, sha256?}]: the operator's evidence
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(AwareDateTime())
    status: Mapped[str] = mapped_column(String(20))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    revised_score_centi: Mapped[int | None] = mapped_column(Integer)
    corrections: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
