from __future__ import annotations

from pydantic import BaseModel, Field


class AreaFigures(BaseModel):
    population: int
    community_count: int
    facilities: int = Field(description="Open facilities.")
    facilities_by_kind: dict[str, int]
    facilities_by_level: dict[str, int]
    floor_area_m2: int
    floor_area_m2_per_10k: float = Field(description="Per 10,000 residents.")
    seats: int
    seats_per_10k: float
    open_hours_per_week: float = Field(description="Summed over the open facilities' weekly hours.")
    activities_held: int = Field(description="In the month: published activities that ended, not cancelled.")
    attendance: int = Field(description="In the month: check-ins at activities that started then.")
    communities_without_facility: list[str] = Field(
        description="Codes of communities with no open facility within the walking radius of their centroid."
    )


class SubdistrictCoverage(AreaFigures):
    code: str
    name_zh: str


class CoverageTable(BaseModel):
    """有没有 / 够不够: supply per subdistrict against its population."""

    month: str = Field(examples=["2026-11"])
    walking_radius_m: int
    district: AreaFigures
    subdistricts: list[SubdistrictCoverage]


class NearestFacility(BaseModel):
    id: int
    name_zh: str
    kind: str
    distance_m: float


class CommunityCoverage(BaseModel):
    code: str
    subdistrict: str
    name_zh: str
    population: int
    facilities: int = Field(description="Open facilities registered in this community.")
    nearest: NearestFacility | None = Field(description="The nearest open facility to the community's centroid.")
    covered: bool = Field(description="An open facility is within the walking radius.")


class CommunityCoverageList(BaseModel):
    walking_radius_m: int
    communities: list[CommunityCoverage]


class BranchNode(BaseModel):
    """总分馆制: a main branch with its branches and service points."""

    id: int
    name_zh: str
    kind: str
    level: str
    status: str
    subdistrict: str
    children: list[BranchNode]
