from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from facilities_api.db import Base
from service_kit.db import AwareDateTime


class ServiceOffered(Base):
    """服务项目: a service a facility offers. Basic (基本公共文化服务) is always free; a non-basic one
    (普惠性非基本) may carry a fee only up to an approved preferential-fee application."""

    __tablename__ = "service_offered"
    __table_args__ = (Index("ix_service_offered_facility_id", "facility_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str] = mapped_column(String(40))
    basic: Mapped[bool] = mapped_column(Boolean)
    fee_fen: Mapped[int] = mapped_column(Integer, default=0)
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    delivery: Mapped[str] = mapped_column(String(20), default="on_site")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())


class FeeApproval(Base):
    """An approved preferential-fee application (优惠收费), as operators-api announced it: the cap
    a service's fee may reach until it expires or is revoked."""

    __tablename__ = "fee_approval"
    __table_args__ = (Index("ix_fee_approval_facility_id_service_id", "facility_id", "service_id"),)

    application_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    operator_id: Mapped[int] = mapped_column(Integer)
    contract_id: Mapped[int] = mapped_column(Integer)
    facility_id: Mapped[int] = mapped_column(Integer)
    service_id: Mapped[int] = mapped_column(Integer)
    approved_fee_fen: Mapped[int] = mapped_column(Integer)
    expires_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # active, revoked, expired
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())


class ServiceBasicPeriod(Base):
    """A span of time during which a service offered was basic (基本公共文化服务, always free): the
    record operators-api checks a fee application against. Opened and closed only by a district
    official's decision (or when a basic service is added)."""

    __tablename__ = "service_basic_period"
    __table_args__ = (Index("ix_service_basic_period_service_id", "service_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service_offered.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(AwareDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class ServiceProposal(Base):
    """A proposed change to a facility's catalogue of services (add a service, change its basic
    classification, name or description), by its operator or an official of its area; a district
    official approves or rejects it. The catalogue of basic services is the bureau's."""

    __tablename__ = "service_proposal"
    __table_args__ = (
        Index("ix_service_proposal_facility_id_status", "facility_id", "status"),
        Index("ix_service_proposal_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"))
    # None: a new service (set to the service created when it is approved).
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service_offered.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # add, change
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))  # pending, approved, rejected
    proposed_by: Mapped[str] = mapped_column(String(200))
    proposer_operator_id: Mapped[int | None] = mapped_column(Integer)
    proposed_at: Mapped[datetime] = mapped_column(AwareDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")
