from pydantic import BaseModel, Field


class Point(BaseModel):
    lat: float
    lon: float


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
