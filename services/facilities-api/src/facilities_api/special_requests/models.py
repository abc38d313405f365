from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilities_api.db import Base
from facilities_api.facilities.models import Facility
from service_kit.db import AwareDateTime


class SpecialRequest(Base):
    """预约服务/上门服务: an elderly, minor, disabled or low-income resident asks for an appointment or
    a home delivery of a service. Address and phone are shown only to the assigned staff and officials."""

    __tablename__ = "special_request"
    __table_args__ = (
        Index("ix_special_request_resident_sub", "resident_sub"),
        Index("ix_special_request_facility_id_status", "facility_id", "status"),
        Index("ix_special_request_closed_at", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: filed on behalf of someone without an account (an elder without a phone), by `filed_by_sub`.
    resident_sub: Mapped[str | None] = mapped_column(String(200))
    filed_by_sub: Mapped[str | None] = mapped_column(String(200))
    resident_name: Mapped[str] = mapped_column(String(200), default="")
    # Sensitive personal information (敏感个人信息): erased (None) once the request no longer needs it.
    special_group: Mapped[str | None] = mapped_column(String(20))
    health_notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    group_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_by: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # appointment, home_delivery
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="RESTRICT"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service_offered.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    preferred_time: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20))
    assigned_to_sub: Mapped[str | None] = mapped_column(String(200))
    assigned_to_name: Mapped[str] = mapped_column(String(200), default="")
    assigned_operator_id: Mapped[int | None] = mapped_column(Integer)
    scheduled_for: Mapped[datetime | None] = mapped_column(AwareDateTime())
    done_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    note: Mapped[str] = mapped_column(Text, default="")
    # When it was done, rejected or cancelled: the retention of its sensitive data counts from here.
    closed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    personal_data_erased_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())

    facility: Mapped[Facility] = relationship(lazy="raise")
