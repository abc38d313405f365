from typing import Annotated

from pydantic import AliasPath, BaseModel, BeforeValidator, ConfigDict, Field, computed_field


def _not_bool(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("a number, not true or false")
    return value


Degrees = Annotated[float, BeforeValidator(_not_bool)]


class Point(BaseModel):
    lat: Degrees
    lon: Degrees


def point_or_none(lat: float | None, lon: float | None) -> Point | None:
    return Point(lat=lat, lon=lon) if lat is not None and lon is not None else None


class CommunityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(examples=["chaoyangmen-shijia"])
    subdistrict: str = Field(validation_alias=AliasPath("subdistrict", "code"), description="The subdistrict's code.")
    name_zh: str
    name_en: str
    population: int
    centroid_lat: float | None = Field(exclude=True)
    centroid_lon: float | None = Field(exclude=True)

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented form; mypy cannot see through it
    @property
    def centroid(self) -> Point | None:
        return point_or_none(self.centroid_lat, self.centroid_lon)


def _of(field: str) -> AliasPath:
    return AliasPath("subdistrict", field)


class SubdistrictRead(BaseModel):
    """Read from a `SubdistrictSummary`: the subdistrict and how many communities it has."""

    model_config = ConfigDict(from_attributes=True)

    code: str = Field(validation_alias=_of("code"), examples=["chaoyangmen"])
    name_zh: str = Field(validation_alias=_of("name_zh"), examples=["朝阳门街道"])
    name_en: str = Field(validation_alias=_of("name_en"))
    population: int = Field(validation_alias=_of("population"))
    centroid_lat: float | None = Field(validation_alias=_of("centroid_lat"), exclude=True)
    centroid_lon: float | None = Field(validation_alias=_of("centroid_lon"), exclude=True)
    community_count: int

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented form; mypy cannot see through it
    @property
    def centroid(self) -> Point | None:
        return point_or_none(self.centroid_lat, self.centroid_lon)
