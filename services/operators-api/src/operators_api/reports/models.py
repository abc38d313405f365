from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from operators_api.db import Base
from service_kit.db import AwareDateTime


class ServiceReport(Base):
    """服务月报: the figures an operator files for one month of a contract, one line per facility,
    and the platform's own record beside them (cross-check), with differences beyond the tolerance
    flagged."""

    __tablename__ = "service_report"
    __table_args__ = (UniqueConstraint("contract_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    # [{facility_id, open_hours (decimal string), activities, participants, special_group_services, incidents, notes}]
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    summary: Mapped[str] = mapped_column(Text, default="")
    cross_check: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    filed_by: Mapped[str] = mapped_column(String(200))
    filed_at: Mapped[datetime] = mapped_column(AwareDateTime())
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
