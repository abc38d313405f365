from __future__ import annotations

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from feedback_api.db import Base

# Sums kept per dimension: (count, sum) column pairs.
DIMENSION_COLUMNS = {
    "environment": ("environment_n", "environment_sum"),
    "content": ("content_n", "content_sum"),
    "staff": ("staff_n", "staff_sum"),
    "convenience": ("convenience_n", "convenience_sum"),
}


class RatingAggregate(Base):
    """Running totals of the counted ratings (live and visible) of one target in one month, under one
    operator: kept up to date in each rating's transaction, so the index never scans raw ratings.
    `operator_key` is the operator's id, or 0 for a government-run facility."""

    __tablename__ = "rating_aggregate"
    __table_args__ = (
        Index("ix_rating_aggregate_facility_id_month", "facility_id", "month"),
        Index("ix_rating_aggregate_operator_key_month", "operator_key", "month"),
        Index("ix_rating_aggregate_subdistrict_month", "subdistrict", "month"),
    )

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    target_id: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False
    )
    operator_key: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False
    )
    facility_id: Mapped[int] = mapped_column(Integer)
    subdistrict: Mapped[str] = mapped_column(String(50))
    n: Mapped[int] = mapped_column(Integer, default=0)
    overall_sum: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(
        Integer, default=0, comment="ratings with overall 4 or 5"
    )
    verified_n: Mapped[int] = mapped_column(Integer, default=0)
    verified_sum: Mapped[int] = mapped_column(Integer, default=0)
    verified_satisfied: Mapped[int] = mapped_column(Integer, default=0)
    environment_n: Mapped[int] = mapped_column(Integer, default=0)
    environment_sum: Mapped[int] = mapped_column(Integer, default=0)
    content_n: Mapped[int] = mapped_column(Integer, default=0)
    content_sum: Mapped[int] = mapped_column(Integer, default=0)
    staff_n: Mapped[int] = mapped_column(Integer, default=0)
    staff_sum: Mapped[int] = mapped_column(Integer, default=0)
    convenience_n: Mapped[int] = mapped_column(Integer, default=0)
    convenience_sum: Mapped[int] = mapped_column(Integer, default=0)
