from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilities_api.db import Base
from facilities_api.facilities.models import Facility
from service_kit.db import AwareDateTime


class Activity(Base):
    """活动: something that happens at a facility at a time, with seats to book."""

    __tablename__ = "activity"
    __table_args__ = (
        # The public listing: published activities in a time window, in start order.
        Index("ix_activity_status_starts_at", "status", "starts_at"),
        Index("ix_activity_facility_id_starts_at", "facility_id", "starts_at"),
        Index("ix_activity_category_starts_at", "category", "starts_at"),
        Index("ix_activity_brand", "brand"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40))
    brand: Mapped[str] = mapped_column(String(100), default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(AwareDateTime())
    ends_at: Mapped[datetime] = mapped_column(AwareDateTime())
    capacity: Mapped[int] = mapped_column(Integer)
    # Seats held by confirmed bookings: updated only by a conditional UPDATE, so never above capacity.
    booked_count: Mapped[int] = mapped_column(Integer, default=0)
    fee_fen: Mapped[int] = mapped_column(Integer, default=0)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service_offered.id", ondelete="SET NULL"))
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    booking_required: Mapped[bool] = mapped_column(Boolean, default=True)
    booking_opens_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    booking_closes_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    cancel_cutoff_minutes: Mapped[int] = mapped_column(Integer, default=60)
    status: Mapped[str] = mapped_column(String(20))  # draft, published, cancelled (finished is derived)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())
    published_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    facility: Mapped[Facility] = relationship(lazy="raise")
