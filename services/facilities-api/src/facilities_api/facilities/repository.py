from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, String, and_, cast, delete, exists, false, func, insert, or_, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from facilities_api.areas.models import Community, Subdistrict
from facilities_api.facilities.geo import M_PER_DEG_LAT, bounding_box, lat_cells, m_per_deg_lon
from facilities_api.facilities.hours import minutes_to_time
from facilities_api.facilities.models import Facility, FacilityChange, OpeningException, OpeningSlot
from facilities_api.facilities.search import escape_like, needles
from service_kit.repository import RepositoryBase

# Any SELECT over facilities (whole rows, or ids with their distance).
SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True, slots=True)
class OpenAt:
    """A local moment: the day, its weekday (0 = Monday) and minutes after midnight."""

    day: date
    weekday: int
    minute: int


@dataclass(frozen=True, slots=True)
class FacilityFilter:
    q: str | None = None
    kind: str | None = None
    level: str | None = None
    subdistrict: str | None = None
    community: str | None = None
    status: str | None = None
    accessibility: tuple[str, ...] = field(default_factory=tuple)
    open_at: OpenAt | None = None  # only facilities open at that moment
    operator_id: int | None = None
    ids: tuple[int, ...] | None = None  # only these facilities


@dataclass(frozen=True, slots=True)
class Near:
    lat: float
    lon: float
    radius_m: float


def json_has(column: InstrumentedAttribute[Any], value: str) -> ColumnElement[bool]:
    """A JSON list column holds this string (enum values only: the quoted token is unambiguous)."""
    return cast(column, String).like(f'%"{escape_like(value)}"%', escape="\\")


def open_condition(open_at: OpenAt) -> ColumnElement[bool]:
    """Open at that local moment: an exception covering the day decides; otherwise the weekly slots."""
    exc = OpeningException
    minute_time = minutes_to_time(open_at.minute)
    covering = and_(exc.facility_id == Facility.id, exc.starts_on <= open_at.day, exc.ends_on >= open_at.day)
    by_exception = exists().where(covering, exc.closed.is_(False), exc.opens <= minute_time, exc.closes > minute_time)
    any_exception = exists().where(covering)
    by_slot = exists().where(
        OpeningSlot.facility_id == Facility.id,
        OpeningSlot.weekday == open_at.weekday,
        OpeningSlot.opens_min <= open_at.minute,
        OpeningSlot.closes_min > open_at.minute,
    )
    return and_(Facility.status == "open", or_(by_exception, and_(~any_exception, by_slot)))


class FacilityRepository(RepositoryBase[Facility]):
    model = Facility
    noun = "facility"
    # `near` widens its box from here (metres) until it holds a page, so a dense registry reads few rows.
    NEAR_FIRST_RADIUS_M = 300.0

    def statement(self) -> Select[Facility]:
        return select(Facility).options(joinedload(Facility.subdistrict), joinedload(Facility.community))

    async def get_many_for_update(self, ids: Sequence[int]) -> Sequence[Facility]:
        """Lock in id order, so two writers never wait on each other crosswise."""
        if not ids:
            return []
        stmt = self.statement().where(Facility.id.in_(ids)).order_by(Facility.id).with_for_update(of=Facility)
        return (await self.session.execute(stmt)).scalars().all()

    async def parent_chain(self, facility_id: int, limit: int = 10) -> list[int]:
        """Ids from this facility up through its ancestors (bounded, so a bad row cannot loop)."""
        chain: list[int] = []
        current: int | None = facility_id
        while current is not None and len(chain) < limit:
            chain.append(current)
            current = (
                await self.session.execute(select(Facility.parent_id).where(Facility.id == current))
            ).scalar_one_or_none()
        return chain

    def _filtered(self, stmt: SelectT, f: FacilityFilter) -> SelectT:
        if f.ids is not None:
            stmt = stmt.where(Facility.id.in_(f.ids))
        if f.kind:
            stmt = stmt.where(Facility.kind == f.kind)
        if f.level:
            stmt = stmt.where(Facility.level == f.level)
        if f.status:
            stmt = stmt.where(Facility.status == f.status)
        if f.operator_id is not None:
            stmt = stmt.where(Facility.operator_id == f.operator_id)
        if f.subdistrict:
            sub_id = select(Subdistrict.id).where(Subdistrict.code == f.subdistrict).scalar_subquery()
            stmt = stmt.where(Facility.subdistrict_id == sub_id)
        if f.community:
            com_id = select(Community.id).where(Community.code == f.community).scalar_subquery()
            stmt = stmt.where(Facility.community_id == com_id)
        for feature in f.accessibility:
            stmt = stmt.where(json_has(Facility.accessibility, feature))
        if f.q:
            forms = needles(f.q)
            if not forms:
                return stmt.where(false())
            stmt = stmt.where(or_(*(Facility.search_text.like(f"%{escape_like(n)}%", escape="\\") for n in forms)))
        if f.open_at is not None:
            stmt = stmt.where(open_condition(f.open_at))
        return stmt

    async def list(self, f: FacilityFilter, *, after_id: int | None, limit: int | None) -> Sequence[Facility]:
        stmt = self._filtered(self.statement().order_by(Facility.id), f)
        if limit is not None:
            stmt = stmt.limit(limit)
        if after_id is not None:
            stmt = stmt.where(Facility.id > after_id)
        return (await self.session.execute(stmt)).scalars().all()

    async def list_near(
        self, f: FacilityFilter, near: Near, *, after: tuple[float, int] | None, limit: int | None
    ) -> builtins.list[tuple[Facility, float]]:
        """Nearest first, within the radius, in two steps. First the ids: an indexed bounding box
        bounds each query, only (id, distance) is sorted, and the box grows (×3) until it holds
        `limit` facilities within its inscribed circle, or reaches the radius; rows within the circle,
        ordered by distance, are exactly the nearest ones. Then the page's facilities, by id."""
        ky, kx = M_PER_DEG_LAT, m_per_deg_lon(near.lat)
        dy = (Facility.lat - near.lat) * ky
        dx = (Facility.lon - near.lon) * kx
        d2 = (dy * dy + dx * dx).label("d2")
        radius = self.NEAR_FIRST_RADIUS_M if limit is not None else near.radius_m
        if after is not None:
            radius = max(radius, after[0] ** 0.5 * 1.5)
        while True:
            radius = min(radius, near.radius_m)
            box = bounding_box(near.lat, near.lon, radius)
            stmt = (
                select(Facility.id, d2)
                .where(Facility.lat.between(box.min_lat, box.max_lat), Facility.lon.between(box.min_lon, box.max_lon))
                .where(d2 <= radius * radius)
            )
            bands = lat_cells(box)
            if bands is not None:
                stmt = stmt.where(Facility.lat_cell.in_(bands))
            stmt = self._filtered(stmt, f).order_by(d2, Facility.id)
            if after is not None:
                stmt = stmt.where(or_(d2 > after[0], and_(d2 == after[0], Facility.id > after[1])))
            if limit is not None:
                stmt = stmt.limit(limit)
            found = [(int(i), float(dist2)) for i, dist2 in (await self.session.execute(stmt)).all()]
            if limit is None or len(found) >= limit or radius >= near.radius_m:
                break
            radius *= 3
        if not found:
            return []
        by_id = {
            fac.id: fac
            for fac in (
                await self.session.execute(self.statement().where(Facility.id.in_([i for i, _ in found])))
            ).scalars()
        }
        return [(by_id[i], dist2) for i, dist2 in found if i in by_id]

    async def history(self, facility_id: int) -> Sequence[FacilityChange]:
        stmt = select(FacilityChange).where(FacilityChange.facility_id == facility_id).order_by(FacilityChange.id)
        return (await self.session.execute(stmt)).scalars().all()

    # -- opening hours -----------------------------------------------------------------------------
    async def replace_slots(self, facility_id: int, slots: Sequence[tuple[int, int, int]]) -> None:
        await self.session.execute(delete(OpeningSlot).where(OpeningSlot.facility_id == facility_id))
        if slots:
            await self.session.execute(
                insert(OpeningSlot),
                [{"facility_id": facility_id, "weekday": w, "opens_min": o, "closes_min": c} for w, o, c in slots],
            )

    async def exceptions(
        self, facility_id: int, *, start: date | None = None, end: date | None = None
    ) -> Sequence[OpeningException]:
        stmt = select(OpeningException).where(OpeningException.facility_id == facility_id)
        if end is not None:
            stmt = stmt.where(OpeningException.starts_on <= end)
        if start is not None:
            stmt = stmt.where(OpeningException.ends_on >= start)
        return (
            (await self.session.execute(stmt.order_by(OpeningException.starts_on, OpeningException.id))).scalars().all()
        )

    async def exceptions_of(self, facility_ids: Sequence[int], start: date, end: date) -> Sequence[OpeningException]:
        if not facility_ids:
            return []
        stmt = (
            select(OpeningException)
            .where(OpeningException.facility_id.in_(facility_ids))
            .where(OpeningException.starts_on <= end, OpeningException.ends_on >= start)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def get_exception(self, facility_id: int, exception_id: int) -> OpeningException | None:
        stmt = select(OpeningException).where(
            OpeningException.id == exception_id, OpeningException.facility_id == facility_id
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def delete_exception(self, exc: OpeningException) -> None:
        await self.session.delete(exc)

    def add_change(self, change: FacilityChange) -> None:
        self.session.add(change)

    def add_exception(self, exc: OpeningException) -> None:
        self.session.add(exc)

    async def count_by(self, column: InstrumentedAttribute[str]) -> dict[str, int]:
        rows = (await self.session.execute(select(column, func.count()).group_by(column))).all()
        return {k: int(n) for k, n in rows}
