from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilities_api.db import Base


class Subdistrict(Base):
    """街道: one of the district's 17 subdistricts."""

    __tablename__ = "subdistrict"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    population: Mapped[int] = mapped_column(Integer)
    centroid_lat: Mapped[float | None] = mapped_column(Float)
    centroid_lon: Mapped[float | None] = mapped_column(Float)

    communities: Mapped[list[Community]] = relationship(back_populates="subdistrict", lazy="raise")


class Community(Base):
    """社区: a residents' community within a subdistrict."""

    __tablename__ = "community"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistrict.id", ondelete="RESTRICT"), index=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    population: Mapped[int] = mapped_column(Integer)
    centroid_lat: Mapped[float | None] = mapped_column(Float)
    centroid_lon: Mapped[float | None] = mapped_column(Float)

    subdistrict: Mapped[Subdistrict] = relationship(back_populates="communities", lazy="raise")
