from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from feedback_api.db import Base

DIMENSIONS = ("environment", "content", "staff", "convenience")


class Rating(Base):
    """评价: one resident's score of one target (for now a facility) in one period (a quarter).

    One live rating per resident, target and period: rating again in the same period replaces the
    live one, which is kept as history (live false, replaced_by the new rating).
    """

    __tablename__ = "rating"
    __table_args__ = (
        CheckConstraint("overall BETWEEN 1 AND 5", name="overall_1_to_5"),
        *(
            CheckConstraint(f"{d} IS NULL OR {d} BETWEEN 1 AND 5", name=f"{d}_1_to_5")
            for d in DIMENSIONS
        ),
        # The rule "one live rating per resident, target and period", kept by the database itself. It also
        # serves the public reads of a target's live ratings in a period (its leading columns).
        Index(
            "uq_rating_live_target_period_resident",
            "target_type",
            "target_id",
            "period",
            "resident_sub",
            unique=True,
            postgresql_where=text("live"),
            sqlite_where=text("live"),
        ),
        Index("ix_rating_resident_sub_id", "resident_sub", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The token's subject: never shown publicly, never put in an event.
    resident_sub: Mapped[str] = mapped_column(String(255))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(7), comment="Calendar quarter in Asia/Shanghai, e.g. 2026Q4")
    overall: Mapped[int] = mapped_column(SmallInteger)
    environment: Mapped[int | None] = mapped_column(SmallInteger, comment="环境")
    content: Mapped[int | None] = mapped_column(SmallInteger, comment="内容")
    staff: Mapped[int | None] = mapped_column(SmallInteger, comment="服务人员")
    convenience: Mapped[int | None] = mapped_column(SmallInteger, comment="便利")
    comment: Mapped[str | None] = mapped_column(Text)
    live: Mapped[bool] = mapped_column(default=True, server_default=true())
    replaced_by: Mapped[int | None] = mapped_column(ForeignKey("rating.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    replaced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
