from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, synonym

from feedback_api.db import Base
from service_kit.db import AwareDateTime


class FacilityOperation(Base):
    """The local map facility → who runs it (from facilities-api's facility.operator_changed events, or
    from a lookup when no event was seen yet): routes cases and groups the per-operator index."""

    __tablename__ = "facility_operation"

    facility_id: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False
    )
    # The key under the name every repository reads records by.
    id: Mapped[int] = synonym("facility_id")
    mode: Mapped[str] = mapped_column(String(20), comment="government or social")
    operator_id: Mapped[int | None] = mapped_column(Integer)
    operator_name: Mapped[str | None] = mapped_column(String(200))
    contract_id: Mapped[int | None] = mapped_column(Integer)
    subdistrict: Mapped[str | None] = mapped_column(String(50))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(10), comment="event, lookup or seed")
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())


class Checkin(Base):
    """A resident's check-in at an activity, as facilities-api recorded it (checkin.recorded): makes that
    resident's ratings of the activity, its facility and the facility's services verified."""

    __tablename__ = "checkin"
    __table_args__ = (
        Index("ix_checkin_resident_sub_activity_id", "resident_sub", "activity_id"),
        Index("ix_checkin_resident_sub_facility_id", "resident_sub", "facility_id"),
    )

    booking_id: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False
    )
    id: Mapped[int] = synonym("booking_id")
    activity_id: Mapped[int] = mapped_column(Integer)
    facility_id: Mapped[int] = mapped_column(Integer)
    resident_sub: Mapped[str] = mapped_column(String(255))
    checked_in_at: Mapped[datetime] = mapped_column(AwareDateTime())
