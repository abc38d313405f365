from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from operators_api.db import Base
from service_kit.db import AwareDateTime


class FeeGuideline(Base):
    """优惠收费服务指南: the standard a preferential fee is checked against. Each edit adds a version;
    an application records the version it was checked against."""

    __tablename__ = "fee_guideline"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    cap_percent_of_market: Mapped[int] = mapped_column(Integer)
    min_special_group_free_percent: Mapped[int] = mapped_column(Integer)
    max_special_group_price_percent: Mapped[int] = mapped_column(Integer)
    allowed_categories: Mapped[list[str]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())


class FeeApplication(Base):
    """优惠收费申请: an operator asks to charge a preferential fee for a non-basic service of a facility
    it runs. submitted → approved | rejected | withdrawn; approved → revoked | expired (with the contract)."""

    __tablename__ = "fee_application"
    __table_args__ = (Index("ix_fee_application_facility_id_service_id", "facility_id", "service_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    facility_id: Mapped[int] = mapped_column(Integer)
    service_id: Mapped[int] = mapped_column(Integer)
    service_name: Mapped[str] = mapped_column(String(200))
    service_category: Mapped[str] = mapped_column(String(40))
    market_price_fen: Mapped[int] = mapped_column(BigInteger)
    proposed_fee_fen: Mapped[int] = mapped_column(BigInteger)
    special_group_free_percent: Mapped[int] = mapped_column(Integer)
    special_group_fee_fen: Mapped[int] = mapped_column(BigInteger)
    justification: Mapped[str] = mapped_column(Text)
    guideline_version: Mapped[int] = mapped_column(Integer)
    guideline_check: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    expires_on: Mapped[date | None] = mapped_column(Date)
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(AwareDateTime())
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
