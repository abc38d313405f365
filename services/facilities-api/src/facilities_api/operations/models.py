from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from facilities_api.db import Base


class OperationPeriod(Base):
    """A stretch of time a facility was socially operated (社会化运营) under one contract: opened by
    contract.started, closed by contract.ended. Figures "by operator" sum over these periods."""

    __tablename__ = "operation_period"
    __table_args__ = (
        Index("ix_operation_period_operator_id", "operator_id"),
        Index("ix_operation_period_facility_id", "facility_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"))
    operator_id: Mapped[int] = mapped_column(Integer)
    contract_id: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(String(200), default="")
