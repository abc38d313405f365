from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from operators_api.db import Base
from service_kit.db import AwareDateTime


class Contract(Base):
    """合同: an operator runs facilities for a period, for an amount paid in instalments, to service
    standards and KPI targets. draft → active ⇄ suspended → terminated | expired (draft → cancelled)."""

    __tablename__ = "contract"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    selection_id: Mapped[int | None] = mapped_column(ForeignKey("selection.id"), index=True)
    bid_id: Mapped[int | None] = mapped_column(ForeignKey("bid.id"))
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"), index=True)
    purchaser_subdistrict: Mapped[str | None] = mapped_column(String(40))
    procurement_method: Mapped[str] = mapped_column(String(40))
    justification: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    service_standards: Mapped[list[str]] = mapped_column(JSON, default=list)
    # {open_hours_per_week, activities_per_month, participants_per_month,
    #  special_group_services_per_month, complaint_on_time_percent, min_satisfaction_score}
    kpi_targets: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    evaluation_scheme_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_scheme.id"))
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    activated_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    # When the facilities were handed over (contract.started): on activation when the period has begun,
    # else by the start sweep on the start date (Asia/Shanghai). Null: signed but not started.
    handed_over_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    ended_on: Mapped[date | None] = mapped_column(Date)
    renewed_from_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"))
    termination_proposed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    termination_proposal: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())


class ContractFacility(Base):
    """A facility a contract covers (the facility lives in facilities-api; this is its id)."""

    __tablename__ = "contract_facility"
    __table_args__ = (UniqueConstraint("contract_id", "facility_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"))
    facility_id: Mapped[int] = mapped_column(Integer, index=True)


class Instalment(Base):
    """支付节点: one payment of a contract; a linked one is adjusted by the grade of the evaluation
    of its period."""

    __tablename__ = "instalment"
    __table_args__ = (UniqueConstraint("contract_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    linked_period: Mapped[str | None] = mapped_column(String(7))
    evaluation_id: Mapped[int | None] = mapped_column(Integer)
    adjustment_percent: Mapped[int | None] = mapped_column(Integer)
    adjusted_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    payment_reference: Mapped[str | None] = mapped_column(String(100))
