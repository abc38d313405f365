"""Test data builders: areas straight into the database, facilities through the API."""

from __future__ import annotations

from typing import Any

import httpx

from facilities_api.areas.models import Community, Subdistrict


class AreaFactory:
    """Two subdistricts with two communities each, enough to test area rules."""

    def __init__(self, sessionmaker) -> None:
        self.sessionmaker = sessionmaker

    async def district(self) -> None:
        async with self.sessionmaker() as session:
            for code, name, lat, lon in (("jingshan", "景山街道", 39.927, 116.400), ("qianmen", "前门街道", 39.895, 116.398)):
                sub = Subdistrict(code=code, name_zh=name, name_en=code.title(), population=30000, centroid_lat=lat, centroid_lon=lon)
                session.add(sub)
                await session.flush()
                for i in (1, 2):
                    session.add(
                        Community(
                            code=f"{code}-{i}",
                            subdistrict_id=sub.id,
                            name_zh=f"{name}{i}社区",
                            name_en=f"{code.title()} Community {i}",
                            population=15000,
                            centroid_lat=lat + i * 0.001,
                            centroid_lon=lon,
                        )
                    )
            await session.commit()


def facility_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name_zh": "景山街道图书馆",
        "name_en": "Jingshan Subdistrict Library",
        "kind": "public_library",
        "level": "subdistrict",
        "subdistrict": "jingshan",
        "community": "jingshan-1",
        "address_zh": "东城区景山前街1号",
        "location": {"lat": 39.927, "lon": 116.401},
        "floor_area_m2": 800,
        "seats": 120,
        "opening_hours": [
            {"weekday": d, "opens": "09:00", "closes": "17:00"} for d in range(1, 7)
        ],
        "accessibility": ["step_free_entrance", "accessible_toilet"],
        "contact_phone": "010-64000000",
        "status": "open",
    }
    body.update(overrides)
    return body


async def create_facility(client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    resp = await client.post("/api/v1/facilities", json=facility_body(**overrides), headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json()
