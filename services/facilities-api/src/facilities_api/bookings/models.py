from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilities_api.activities.models import Activity
from facilities_api.db import Base
from service_kit.db import AwareDateTime


class Booking(Base):
    """A resident's seats at an activity: confirmed, waitlisted (in queue order) or cancelled. One per
    resident per activity (a cancelled one is reused when they book again)."""

    __tablename__ = "booking"
    __table_args__ = (
        UniqueConstraint("activity_id", "resident_sub"),
        UniqueConstraint("activity_id", "check_in_code"),
        Index("ix_booking_activity_id_status_queued_at", "activity_id", "status", "queued_at"),
        Index("ix_booking_resident_sub", "resident_sub"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    resident_sub: Mapped[str] = mapped_column(String(200))
    resident_name: Mapped[str] = mapped_column(String(200), default="")
    seats: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20))  # confirmed, waitlisted, cancelled
    check_in_code: Mapped[str] = mapped_column(String(12))
    queued_at: Mapped[datetime] = mapped_column(AwareDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    # resident (they cancelled), official (an official of the area did), activity_cancelled.
    cancel_reason: Mapped[str | None] = mapped_column(String(40))
    # What the resident reads: the activity's cancellation text when the activity was cancelled.
    cancel_note: Mapped[str] = mapped_column(String(500), default="", server_default="")
    checked_in_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    checked_in_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())

    activity: Mapped[Activity] = relationship(lazy="raise")
