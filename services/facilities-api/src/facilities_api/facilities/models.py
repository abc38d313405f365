from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilities_api.areas.models import Community, Subdistrict
from facilities_api.db import Base


class Facility(Base):
    """A public cultural facility (公共文化设施) at one of the five levels of the network."""

    __tablename__ = "facility"
    __table_args__ = (
        Index("ix_facility_subdistrict_id_kind", "subdistrict_id", "kind"),
        Index("ix_facility_lat_lon", "lat", "lon"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(40), index=True)
    level: Mapped[str] = mapped_column(String(20), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("facility.id", ondelete="RESTRICT"), index=True)
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistrict.id", ondelete="RESTRICT"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id", ondelete="RESTRICT"), index=True)
    address_zh: Mapped[str] = mapped_column(String(300))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    floor_area_m2: Mapped[int] = mapped_column(Integer, default=0)
    seats: Mapped[int] = mapped_column(Integer, default=0)
    opening_hours: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    accessibility: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(30), index=True)
    # Who runs it: set only from operators-api contract events, never typed by hand.
    operation_mode: Mapped[str] = mapped_column(String(20), default="government")
    operator_id: Mapped[int | None] = mapped_column(Integer)
    contract_id: Mapped[int | None] = mapped_column(Integer)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    description_zh: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    subdistrict: Mapped[Subdistrict] = relationship(lazy="raise")
    community: Mapped[Community | None] = relationship(lazy="raise")


class FacilityChange(Base):
    """The history of a facility: who changed which fields, when, from what to what."""

    __tablename__ = "facility_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
