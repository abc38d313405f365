from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from operators_api.db import Base
from service_kit.db import AwareDateTime


class TrainingProgramme(Base):
    """培训: a training programme for operators, cultural social organisations and teams: sessions,
    enrolment, attendance and completion."""

    __tablename__ = "training_programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    organiser: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(30))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(Integer)
    min_sessions_for_completion: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    closed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)


class TrainingSession(Base):
    __tablename__ = "training_session"
    __table_args__ = (UniqueConstraint("programme_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("training_programme.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(AwareDateTime())
    ends_at: Mapped[datetime] = mapped_column(AwareDateTime())
    place: Mapped[str] = mapped_column(String(200), default="")


class Enrolment(Base):
    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("programme_id", "participant_name", "organisation_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("training_programme.id", ondelete="CASCADE"), index=True)
    participant_name: Mapped[str] = mapped_column(String(100))
    organisation_name: Mapped[str] = mapped_column(String(200))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    enrolled_by: Mapped[str] = mapped_column(String(200))
    enrolled_at: Mapped[datetime] = mapped_column(AwareDateTime())


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("enrolment_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(AwareDateTime())


class Incubation(Base):
    """孵化: a cultural social organisation or team incubated with the district's help (space, mentor),
    from incubating to graduated or withdrawn."""

    __tablename__ = "incubation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operator.id"))
    facility_id: Mapped[int | None] = mapped_column(Integer)
    mentor: Mapped[str] = mapped_column(String(200), default="")
    started_on: Mapped[date] = mapped_column(Date)
    planned_end_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
