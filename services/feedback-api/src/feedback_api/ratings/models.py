from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from feedback_api.db import Base
from service_kit.db import AwareDateTime

DIMENSIONS = ("environment", "content", "staff", "convenience")
TARGET_TYPES = ("facility", "activity", "service")
# status: visible (public, counted), held (a burst: public but out of the index until reviewed), hidden.
STATUSES = ("visible", "held", "hidden")
# comment_status: none, published, pending (tripped the abuse filter: hidden until approved), rejected.
COMMENT_STATUSES = ("none", "published", "pending", "rejected")


class Rating(Base):
    """评价: one resident's score of one target (a facility, an activity or a service) in one period (a quarter).

    One live rating per resident, target and period: rating again in the same period replaces the
    live one, which is kept as history (live false, replaced_by the new rating). A live rating counts
    in the satisfaction index while its status is `visible`.
    """

    __tablename__ = "rating"
    __table_args__ = (
        CheckConstraint("overall BETWEEN 1 AND 5", name="overall_1_to_5"),
        *(
            CheckConstraint(f"{d} IS NULL OR {d} BETWEEN 1 AND 5", name=f"{d}_1_to_5")
            for d in DIMENSIONS
        ),
        CheckConstraint("status IN ('visible', 'held', 'hidden')", name="status_known"),
        CheckConstraint(
            "comment_status IN ('none', 'published', 'pending', 'rejected')",
            name="comment_status_known",
        ),
        # The rule "one live rating per resident, target and period", kept by the database itself.
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
        # Per-resident limits, the new-account test and "my ratings".
        Index("ix_rating_resident_sub_created_at", "resident_sub", "created_at"),
        # Bursts on one target, and the public list of a target's ratings.
        Index(
            "ix_rating_target_type_target_id_created_at",
            "target_type",
            "target_id",
            "created_at",
        ),
        # Partial months of a facility's or an operator's index.
        Index("ix_rating_facility_id_created_at", "facility_id", "created_at"),
        Index("ix_rating_operator_id_created_at", "operator_id", "created_at"),
        # Officials' queue: the few ratings waiting for a decision.
        Index(
            "ix_rating_review",
            "id",
            postgresql_where=text("comment_status = 'pending' OR status = 'held'"),
            sqlite_where=text("comment_status = 'pending' OR status = 'held'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The token's subject: never shown publicly, never put in an event.
    resident_sub: Mapped[str] = mapped_column(String(255))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)
    # The facility the target belongs to (itself for a facility), its subdistrict and the operator running
    # it when the rating was made (null: government-run): the index groups by these.
    facility_id: Mapped[int] = mapped_column(Integer)
    subdistrict: Mapped[str] = mapped_column(String(50), server_default="")
    operator_id: Mapped[int | None] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(
        String(7), comment="Calendar quarter in Asia/Shanghai, e.g. 2026Q4"
    )
    month: Mapped[str] = mapped_column(
        String(7), comment="Calendar month in Asia/Shanghai, e.g. 2026-11"
    )
    overall: Mapped[int] = mapped_column(SmallInteger)
    environment: Mapped[int | None] = mapped_column(SmallInteger, comment="环境")
    content: Mapped[int | None] = mapped_column(SmallInteger, comment="内容")
    staff: Mapped[int | None] = mapped_column(SmallInteger, comment="服务人员")
    convenience: Mapped[int | None] = mapped_column(SmallInteger, comment="便利")
    # As shown: phone and ID numbers are masked before it is stored.
    comment: Mapped[str | None] = mapped_column(Text)
    comment_status: Mapped[str] = mapped_column(String(10), server_default="none")
    status: Mapped[str] = mapped_column(String(10), server_default="visible")
    verified: Mapped[bool] = mapped_column(default=False, server_default=false())
    live: Mapped[bool] = mapped_column(default=True, server_default=true())
    replaced_by: Mapped[int | None] = mapped_column(
        ForeignKey("rating.id", ondelete="RESTRICT")
    )
    burst_id: Mapped[int | None] = mapped_column(
        ForeignKey("rating_burst.id", ondelete="SET NULL")
    )
    # A hash of the client's network (never the address itself), for the one-network burst rule.
    client_network: Mapped[str | None] = mapped_column(String(32))
    # Whether its author was a new account when it was made (no earlier rating here, or a recent first one).
    new_account: Mapped[bool] = mapped_column(default=False, server_default=false())
    reply_text: Mapped[str | None] = mapped_column(
        Text, comment="The operator's one public reply"
    )
    reply_operator_id: Mapped[int | None] = mapped_column(Integer)
    replied_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    moderated_by: Mapped[str | None] = mapped_column(String(255))
    moderated_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    moderation_note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    replaced_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    @property
    def counted(self) -> bool:
        """Whether it is in the satisfaction index now."""
        return self.live and self.status == "visible"


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
