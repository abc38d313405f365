"""Coverage for the dashboard's 有没有 / 够不够: facilities by kind and level, floor area and seats per
10,000 residents, weekly open hours, a month's activities and attendance per subdistrict; which
communities have no open facility within a walk; the main-branch trees with their service points."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.coverage.repository import CoverageRepository
from facilities_api.facilities.geo import M_PER_DEG_LAT, haversine_m, m_per_deg_lon
from facilities_api.facilities.models import Facility
from facilities_api.facilities.rules import BRANCH_PARENT_KINDS
from facilities_api.vocab import local_range, local_today
from service_kit.problems import NotFound, RuleViolation


def month_range(month: str | None, now: datetime) -> tuple[str, date, date]:
    today = local_today(now)
    if month is None:
        year, mon = today.year, today.month
    else:
        try:
            year, mon = (int(p) for p in month.split("-"))
            date(year, mon, 1)
        except ValueError as exc:
            raise RuleViolation("month", "month is YYYY-MM.", code="invalid-month") from exc
        if not 2000 <= year <= 2100:
            raise RuleViolation("month", "A month between 2000 and 2100.", code="invalid-month")
    first = date(year, mon, 1)
    last = date(year + (mon == 12), mon % 12 + 1, 1).toordinal() - 1
    return f"{year:04d}-{mon:02d}", first, date.fromordinal(last)


class _Grid:
    """Open facilities bucketed by ~radius-sized cells: the nearest within a radius in a few cells."""

    def __init__(self, points: list[Any], cell_m: float, ref_lat: float) -> None:
        self.dlat = cell_m / M_PER_DEG_LAT
        self.dlon = cell_m / m_per_deg_lon(ref_lat)
        self.cells: dict[tuple[int, int], list[Any]] = defaultdict(list)
        for p in points:
            self.cells[self._key(p.lat, p.lon)].append(p)
        self.points = points

    def _key(self, lat: float, lon: float) -> tuple[int, int]:
        return math.floor(lat / self.dlat), math.floor(lon / self.dlon)

    def nearest(self, lat: float, lon: float, within_cells: int = 1) -> tuple[Any, float] | None:
        ki, kj = self._key(lat, lon)
        best: tuple[Any, float] | None = None
        for i in range(ki - within_cells, ki + within_cells + 1):
            for j in range(kj - within_cells, kj + within_cells + 1):
                for p in self.cells.get((i, j), ()):
                    d = haversine_m(lat, lon, p.lat, p.lon)
                    if best is None or d < best[1]:
                        best = (p, d)
        return best

    def nearest_anywhere(self, lat: float, lon: float) -> tuple[Any, float] | None:
        found = self.nearest(lat, lon)
        if found is not None:
            return found
        best = None
        for p in self.points:
            d = haversine_m(lat, lon, p.lat, p.lon)
            if best is None or d < best[1]:
                best = (p, d)
        return best


@dataclass(frozen=True, slots=True)
class Figures:
    """Supply in an area against its population (the month's activities and attendance included)."""

    population: int
    community_count: int
    facilities: int
    facilities_by_kind: dict[str, int]
    facilities_by_level: dict[str, int]
    floor_area_m2: int
    floor_area_m2_per_10k: float
    seats: int
    seats_per_10k: float
    open_hours_per_week: float
    activities_held: int
    attendance: int
    communities_without_facility: list[str]


@dataclass(frozen=True, slots=True)
class SubdistrictFigures(Figures):
    code: str
    name_zh: str


@dataclass(frozen=True, slots=True)
class Table:
    month: str
    walking_radius_m: int
    district: Figures
    subdistricts: list[SubdistrictFigures]


@dataclass(frozen=True, slots=True)
class Nearest:
    id: int
    name_zh: str
    kind: str
    distance_m: float


@dataclass(frozen=True, slots=True)
class CommunityRow:
    code: str
    subdistrict: str
    name_zh: str
    population: int
    facilities: int
    nearest: Nearest | None
    covered: bool


@dataclass(frozen=True, slots=True)
class Communities:
    walking_radius_m: int
    communities: list[CommunityRow]


@dataclass(frozen=True, slots=True)
class Branch:
    """A facility in a main-branch tree, with the branches and service points under it."""

    id: int
    name_zh: str
    kind: str
    level: str
    status: str
    subdistrict: str
    children: list[Branch] = field(default_factory=list)


def _values(figures: Figures) -> dict[str, Any]:
    return {f.name: getattr(figures, f.name) for f in fields(figures)}


def _per_10k(value: float, population: int) -> float:
    return round(value * 10_000 / population, 2) if population else 0.0


async def _community_coverage(
    repo: CoverageRepository, radius_m: int
) -> tuple[list[CommunityRow], dict[int, list[str]]]:
    points = await repo.open_points()
    communities = await repo.communities()
    subdistricts = {s.id: s.code for s in await repo.subdistricts()}
    ref_lat = points[0].lat if points else 39.9
    grid = _Grid(points, float(radius_m), ref_lat)
    per_community: dict[int, int] = defaultdict(int)
    for p in points:
        if p.community_id is not None:
            per_community[p.community_id] += 1
    out: list[CommunityRow] = []
    uncovered: dict[int, list[str]] = defaultdict(list)
    for c in communities:
        nearest = None
        covered = False
        if c.centroid_lat is not None and c.centroid_lon is not None:
            found = grid.nearest_anywhere(c.centroid_lat, c.centroid_lon)
            if found is not None:
                p, d = found
                nearest = Nearest(id=p.id, name_zh=p.name_zh, kind=p.kind, distance_m=round(d, 1))
                covered = d <= radius_m
        if not covered:
            uncovered[c.subdistrict_id].append(c.code)
        out.append(
            CommunityRow(
                code=c.code,
                subdistrict=subdistricts.get(c.subdistrict_id, ""),
                name_zh=c.name_zh,
                population=c.population,
                facilities=per_community.get(c.id, 0),
                nearest=nearest,
                covered=covered,
            )
        )
    return out, uncovered


async def coverage_table(session: AsyncSession, *, month: str | None, radius_m: int, now: datetime) -> Table:
    repo = CoverageRepository(session)
    label, first, last = month_range(month, now)
    start, end = local_range(first, last)
    subdistricts = await repo.subdistricts()
    communities = await repo.communities()
    community_count: dict[int, int] = defaultdict(int)
    for c in communities:
        community_count[c.subdistrict_id] += 1
    by_kind: dict[int, dict[str, int]] = defaultdict(dict)
    for s, kind, n in await repo.counts_by(Facility.kind):
        by_kind[s][kind] = n
    by_level: dict[int, dict[str, int]] = defaultdict(dict)
    for s, level, n in await repo.counts_by(Facility.level):
        by_level[s][level] = n
    sums = await repo.sums()
    minutes = await repo.weekly_minutes()
    held = await repo.activities_held(start, end, now)
    attendance = await repo.attendance(start, end)
    _, uncovered = await _community_coverage(repo, radius_m)

    def figures(ids: list[int], population: int) -> Figures:
        kinds: dict[str, int] = defaultdict(int)
        levels: dict[str, int] = defaultdict(int)
        for i in ids:
            for k, n in by_kind.get(i, {}).items():
                kinds[k] += n
            for k, n in by_level.get(i, {}).items():
                levels[k] += n
        count = sum(sums.get(i, (0, 0, 0))[0] for i in ids)
        area = sum(sums.get(i, (0, 0, 0))[1] for i in ids)
        seats = sum(sums.get(i, (0, 0, 0))[2] for i in ids)
        return Figures(
            population=population,
            community_count=sum(community_count.get(i, 0) for i in ids),
            facilities=count,
            facilities_by_kind=dict(sorted(kinds.items())),
            facilities_by_level=dict(sorted(levels.items())),
            floor_area_m2=area,
            floor_area_m2_per_10k=_per_10k(area, population),
            seats=seats,
            seats_per_10k=_per_10k(seats, population),
            open_hours_per_week=round(sum(minutes.get(i, 0) for i in ids) / 60, 1),
            activities_held=sum(held.get(i, 0) for i in ids),
            attendance=sum(attendance.get(i, 0) for i in ids),
            communities_without_facility=[code for i in ids for code in uncovered.get(i, [])],
        )

    rows = [
        SubdistrictFigures(code=s.code, name_zh=s.name_zh, **_values(figures([s.id], s.population)))
        for s in subdistricts
    ]
    district = figures([s.id for s in subdistricts], sum(s.population for s in subdistricts))
    return Table(month=label, walking_radius_m=radius_m, district=district, subdistricts=rows)


async def community_coverage(session: AsyncSession, *, subdistrict: str | None, radius_m: int) -> Communities:
    repo = CoverageRepository(session)
    rows, _ = await _community_coverage(repo, radius_m)
    if subdistrict is not None:
        if not any(r.subdistrict == subdistrict for r in rows) and subdistrict not in {
            s.code for s in await repo.subdistricts()
        }:
            raise NotFound(f"No subdistrict with code {subdistrict!r}.")
        rows = [r for r in rows if r.subdistrict == subdistrict]
    return Communities(walking_radius_m=radius_m, communities=rows)


async def branch_systems(session: AsyncSession, *, subdistrict: str | None) -> list[Branch]:
    """Each main-branch tree: a library or cultural centre without a parent that has branches (or is
    of a kind that heads one), its branches and their service points, nested."""
    rows = await CoverageRepository(session).branch_rows()
    nodes = {
        r.id: Branch(id=r.id, name_zh=r.name_zh, kind=r.kind, level=r.level, status=r.status, subdistrict=r.code)
        for r in rows
    }
    roots = []
    for r in rows:
        if r.parent_id is not None and r.parent_id in nodes:
            nodes[r.parent_id].children.append(nodes[r.id])
    for r in rows:
        node = nodes[r.id]
        if r.parent_id is None and (
            node.children or (r.kind in BRANCH_PARENT_KINDS and r.level in ("district", "municipal"))
        ):
            roots.append(node)
    if subdistrict is not None:
        roots = [n for n in roots if _touches(n, subdistrict)]
    return roots


def _touches(node: Branch, subdistrict: str) -> bool:
    return node.subdistrict == subdistrict or any(_touches(c, subdistrict) for c in node.children)
