from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from operators_api.db import Base
from service_kit.db import AwareDateTime


class VolunteerTeam(Base):
    """文化志愿服务队: a volunteer team, run by an operator or by the district itself."""

    __tablename__ = "volunteer_team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), index=True)
    facility_id: Mapped[int | None] = mapped_column(Integer)
    leader_name: Mapped[str] = mapped_column(String(100))
    founded_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())


class Volunteer(Base):
    """文化志愿者: a member of a team. The phone is personal data, shown masked."""

    __tablename__ = "volunteer"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("volunteer_team.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(30), default="")
    joined_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    # Verified service, in minutes (kept here so lists and recognition need no sum).
    verified_minutes: Mapped[int] = mapped_column(Integer, default=0)
    recognition_level: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())


class VolunteerService(Base):
    """志愿服务记录: hours served at a facility, verified by that facility's operator (or an official)."""

    __tablename__ = "volunteer_service"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id", ondelete="CASCADE"), index=True)
    facility_id: Mapped[int] = mapped_column(Integer)
    served_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    activity: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(AwareDateTime())
    verified_by: Mapped[str | None] = mapped_column(String(200))
    verified_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    reason: Mapped[str | None] = mapped_column(Text)
