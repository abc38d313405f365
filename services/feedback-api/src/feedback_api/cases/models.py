from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from feedback_api.db import Base
from service_kit.db import AwareDateTime

STATUSES = (
    "submitted",
    "accepted",
    "assigned",
    "responded",
    "reopened",
    "confirmed",
    "closed",
)


class ResidentCase(Base):
    """案件: a resident's complaint, suggestion, praise or consultation, from the app or over Open311.

    submitted → accepted → assigned (to the operator running the facility at that moment, or to an
    official) → responded → confirmed or reopened by the resident → closed. Every step is a CaseStep."""

    __tablename__ = "resident_case"
    __table_args__ = (
        CheckConstraint(
            "status IN ('submitted', 'accepted', 'assigned', 'responded', 'reopened', 'confirmed', 'closed')",
            name="status_known",
        ),
        CheckConstraint(
            "kind IN ('complaint', 'suggestion', 'praise', 'consultation')",
            name="kind_known",
        ),
        CheckConstraint(
            "answer_rating IS NULL OR answer_rating BETWEEN 1 AND 5",
            name="answer_rating_1_to_5",
        ),
        Index("ix_resident_case_resident_sub_id", "resident_sub", "id"),
        Index("ix_resident_case_status_due_at", "status", "due_at"),
        Index("ix_resident_case_assignee_operator_id_id", "assignee_operator_id", "id"),
        Index("ix_resident_case_facility_id_created_at", "facility_id", "created_at"),
        Index("ix_resident_case_operator_id_created_at", "operator_id", "created_at"),
        Index("ix_resident_case_created_at", "created_at"),
        Index(
            "ix_resident_case_open311_client_id_created_at",
            "open311_client_id",
            "created_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str | None] = mapped_column(String(20))
    target_id: Mapped[int | None] = mapped_column(Integer)
    facility_id: Mapped[int | None] = mapped_column(Integer)
    subdistrict: Mapped[str | None] = mapped_column(String(50))
    # The operator running the facility when the case was routed (kept for its statistics after escalation).
    operator_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    photo_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    resident_sub: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(10), comment="app or open311")
    open311_client_id: Mapped[int | None] = mapped_column(
        ForeignKey("open311_client.id", ondelete="SET NULL")
    )
    token: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    assignee_type: Mapped[str | None] = mapped_column(
        String(10), comment="operator or official"
    )
    assignee_operator_id: Mapped[int | None] = mapped_column(Integer)
    assignee_name: Mapped[str | None] = mapped_column(
        String(200), comment="the operator's name as facilities-api announced it"
    )
    # An overcharge complaint: the price approved for what was charged, read from facilities-api when the
    # case was filed (None: the complaint names no service or activity), and what it was read from.
    approved_fee_fen: Mapped[int | None] = mapped_column(Integer)
    approved_fee_basis: Mapped[str | None] = mapped_column(String(200))
    due_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    first_responded_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    responded_on_time: Mapped[bool | None] = mapped_column()
    response_text: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    reopen_count: Mapped[int] = mapped_column(SmallInteger, default=0)
    answer_rating: Mapped[int | None] = mapped_column(SmallInteger)
    closed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())

    # SQLAlchemy's typing declares it as an instance attribute; it is read from the class.
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}  # type: ignore[misc]


class CaseStep(Base):
    """One step in a case's timeline: who did what, from which status to which, and when."""

    __tablename__ = "case_step"
    __table_args__ = (Index("ix_case_step_case_id_id", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("resident_case.id", ondelete="CASCADE")
    )
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_role: Mapped[str] = mapped_column(String(20))
    actor_sub: Mapped[str | None] = mapped_column(
        String(255), comment="never shown to residents or the public"
    )
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(AwareDateTime())
