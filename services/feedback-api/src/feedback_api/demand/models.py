from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from feedback_api.db import Base
from service_kit.db import AwareDateTime


class DemandRequest(Base):
    """订单式需求: a resident (or a community, through an official) asks for a kind of service at a place
    and time; officials answer: planned, declined with a reason, or delivered (linked to the activity)."""

    __tablename__ = "demand_request"
    __table_args__ = (
        CheckConstraint(
            "status IN ('submitted', 'planned', 'declined', 'delivered')",
            name="status_known",
        ),
        Index("ix_demand_request_resident_sub_id", "resident_sub", "id"),
        Index("ix_demand_request_created_at", "created_at"),
        Index("ix_demand_request_subdistrict_id", "subdistrict", "id"),
        Index("ix_demand_request_activity_id", "activity_id"),
        Index("ix_demand_request_facility_id_id", "facility_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requester: Mapped[str] = mapped_column(String(10), comment="resident or community")
    resident_sub: Mapped[str | None] = mapped_column(String(255))
    category: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    subdistrict: Mapped[str | None] = mapped_column(String(50))
    community: Mapped[str | None] = mapped_column(String(50))
    facility_id: Mapped[int | None] = mapped_column(Integer)
    place: Mapped[str | None] = mapped_column(String(200))
    preferred_from: Mapped[date | None] = mapped_column(Date)
    preferred_to: Mapped[date | None] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(7), comment="Quarter it was filed in")
    status: Mapped[str] = mapped_column(String(10))
    answer_note: Mapped[str | None] = mapped_column(Text)
    activity_id: Mapped[int | None] = mapped_column(Integer)
    answered_by: Mapped[str | None] = mapped_column(String(255))
    answered_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())

    # SQLAlchemy's typing declares it as an instance attribute; it is read from the class.
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}  # type: ignore[misc]


class DemandStep(Base):
    """One step in a demand request's history: filed, answered, or reopened because the activity that
    delivered it was cancelled (with the reason)."""

    __tablename__ = "demand_step"
    __table_args__ = (Index("ix_demand_step_demand_id_id", "demand_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(
        ForeignKey("demand_request.id", ondelete="CASCADE")
    )
    action: Mapped[str] = mapped_column(String(20), comment="submit, answer or reopen")
    from_status: Mapped[str | None] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    actor_role: Mapped[str] = mapped_column(String(20))
    actor_sub: Mapped[str | None] = mapped_column(String(255), comment="never shown")
    activity_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(AwareDateTime())
