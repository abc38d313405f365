from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilities_api.areas.models import Community, Subdistrict
from facilities_api.db import Base
from service_kit.db import AwareDateTime


class Facility(Base):
    """A public cultural facility (公共文化设施) at one of the five levels of the network."""

    __tablename__ = "facility"
    __table_args__ = (
        Index("ix_facility_subdistrict_id_kind", "subdistrict_id", "kind"),
        Index("ix_facility_lat_lon", "lat", "lon"),
        # `near`: a few latitude bands (lat_cell IN ...), a longitude range within each: two-dimensional
        # selectivity from a B-tree, covering the distance and the status check (see geo.py).
        Index("ix_facility_lat_cell_lon", "lat_cell", "lon", "lat", "status"),
        Index("ix_facility_operator_id", "operator_id"),
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
    # floor(lat × LAT_CELLS_PER_DEGREE): the latitude band (~550 m) the facility lies in, for `near`.
    lat_cell: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
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
    operator_name: Mapped[str | None] = mapped_column(String(200))
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    description_zh: Mapped[str] = mapped_column(Text, default="")
    # Lower-cased names and address plus their pinyin (full and initials): what `q` searches.
    search_text: Mapped[str] = mapped_column(String(2000), default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())

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
    changed_at: Mapped[datetime] = mapped_column(AwareDateTime())


class OpeningSlot(Base):
    """One weekly opening slot, kept in step with `facility.opening_hours` so that "open now" is a
    query (minutes after local midnight; weekday 0 = Monday)."""

    __tablename__ = "opening_slot"
    __table_args__ = (Index("ix_opening_slot_facility_id_weekday", "facility_id", "weekday"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)
    opens_min: Mapped[int] = mapped_column(Integer)
    closes_min: Mapped[int] = mapped_column(Integer)


class OpeningException(Base):
    """An exception to the weekly hours over a run of days: closed (a holiday, a temporary closure)
    or open with other hours."""

    __tablename__ = "opening_exception"
    __table_args__ = (Index("ix_opening_exception_facility_id_starts_on", "facility_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    closed: Mapped[bool] = mapped_column(Boolean)
    opens: Mapped[time | None] = mapped_column(Time)
    closes: Mapped[time | None] = mapped_column(Time)
    reason_zh: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
