from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from operators_api.db import Base
from service_kit.db import AwareDateTime


class Inspection(Base):
    """督查: an official's visit to a facility under contract (announced or not), scored against the
    checklist, with findings."""

    __tablename__ = "inspection"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"), index=True)
    facility_id: Mapped[int] = mapped_column(Integer)
    inspected_on: Mapped[date] = mapped_column(Date)
    announced: Mapped[bool] = mapped_column(Boolean)
    inspector: Mapped[str] = mapped_column(String(200))
    inspector_name: Mapped[str] = mapped_column(String(200), default="")
    # [{key, name_zh, max_score, score, finding}]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    score_centi: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())


class Rectification(Base):
    """整改: a correction ordered after an inspection finding or a failed evaluation, with a deadline.
    open → responded → accepted, or reopened → responded …; withdrawn when its cause falls away."""

    __tablename__ = "rectification"
    __table_args__ = (Index("ix_rectification_status_deadline_on", "status", "deadline_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"), index=True)
    facility_id: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    evaluation_id: Mapped[int | None] = mapped_column(Integer)
    finding: Mapped[str] = mapped_column(Text)
    required_action: Mapped[str] = mapped_column(Text)
    deadline_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    response: Mapped[str | None] = mapped_column(Text)
    response_documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    responded_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    responded_late: Mapped[bool] = mapped_column(Boolean, default=False)
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    ordered_by: Mapped[str] = mapped_column(String(200))
    ordered_at: Mapped[datetime] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
