from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from feedback_api.db import Base
from service_kit.db import AwareDateTime


class MenuRound(Base):
    """菜单式需求: officials publish a menu of possible offerings for a period and an area; residents
    choose up to `max_choices` items while voting is open; the results are published and fed to planning."""

    __tablename__ = "menu_round"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'open', 'closed', 'published')", name="status_known"
        ),
        Index("ix_menu_round_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    subdistrict: Mapped[str | None] = mapped_column(
        String(50), comment="null: the whole district"
    )
    offer_from: Mapped[date] = mapped_column(Date)
    offer_to: Mapped[date] = mapped_column(Date)
    voting_opens_at: Mapped[datetime] = mapped_column(AwareDateTime())
    voting_closes_at: Mapped[datetime] = mapped_column(AwareDateTime())
    max_choices: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    published_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    # SQLAlchemy's typing declares it as an instance attribute; it is read from the class.
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}  # type: ignore[misc]


class MenuItem(Base):
    __tablename__ = "menu_item"
    __table_args__ = (Index("ix_menu_item_round_id_id", "round_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("menu_round.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30))
    description: Mapped[str | None] = mapped_column(Text)
    facility_id: Mapped[int | None] = mapped_column(Integer)
    votes: Mapped[int | None] = mapped_column(
        Integer, comment="Frozen when the results are published"
    )


class MenuVote(Base):
    __tablename__ = "menu_vote"
    __table_args__ = (
        UniqueConstraint("round_id", "resident_sub", "item_id"),
        Index("ix_menu_vote_item_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("menu_round.id", ondelete="CASCADE")
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("menu_item.id", ondelete="CASCADE"))
    resident_sub: Mapped[str] = mapped_column(String(255))
    community: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
