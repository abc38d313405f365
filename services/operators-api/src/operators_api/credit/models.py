from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from operators_api.db import Base
from service_kit.db import AwareDateTime


class CreditEntry(Base):
    """信用记录: one entry in an operator's credit record, from an evaluation, a rectification, an
    honour or a training; append-only (a correction is a new entry)."""

    __tablename__ = "credit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    points: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    source_type: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(AwareDateTime())


class Honour(Base):
    """荣誉: an award or title an operator received (e.g. 优秀社会化运营单位)."""

    __tablename__ = "honour"

    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    awarded_by: Mapped[str] = mapped_column(String(200))
    awarded_on: Mapped[date] = mapped_column(Date)
    points: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(AwareDateTime())
