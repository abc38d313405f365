from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from feedback_api.db import Base
from service_kit.db import AwareDateTime


class ModerationWord(Base):
    """An abuse word officials added to the built-in list: a comment containing it waits for moderation."""

    __tablename__ = "moderation_word"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(50), unique=True)
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())


class RatingBurst(Base):
    """A burst of ratings on one target in a short window, from new accounts or from one network: its
    ratings are held out of the satisfaction index until an official reviews them."""

    __tablename__ = "rating_burst"
    __table_args__ = (
        CheckConstraint(
            "reason IN ('new_accounts', 'one_network')", name="reason_known"
        ),
        CheckConstraint(
            "status IN ('open', 'released', 'hidden')", name="status_known"
        ),
        Index(
            "ix_rating_burst_target_type_target_id_status",
            "target_type",
            "target_id",
            "status",
        ),
        Index("ix_rating_burst_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)
    facility_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))
    client_network: Mapped[str | None] = mapped_column(String(32))
    rating_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), server_default="open")
    detected_at: Mapped[datetime] = mapped_column(AwareDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(255))
    reviewed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    review_note: Mapped[str | None] = mapped_column(String(500))
