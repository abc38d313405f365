from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field


def _not_bool(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("a number, not true or false")
    return value


Degrees = Annotated[float, BeforeValidator(_not_bool)]


class Point(BaseModel):
    lat: Degrees
    lon: Degrees


class CommunityRead(BaseModel):
    code: str = Field(examples=["chaoyangmen-shijia"])
    subdistrict: str = Field(description="The subdistrict's code.")
    name_zh: str
    name_en: str
    population: int
    centroid: Point | None


class SubdistrictRead(BaseModel):
    code: str = Field(examples=["chaoyangmen"])
    name_zh: str = Field(examples=["朝阳门街道"])
    name_en: str
    population: int
    centroid: Point | None
    community_count: int
