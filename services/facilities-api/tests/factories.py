"""Test data builders: areas straight into the database, facilities through the API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from facilities_api.areas.models import Community, Subdistrict
from facilities_api.offerings.service import apply_fee_approved
from facilities_api.operations.service import apply_contract_started
from service_kit.clock import DISTRICT_TZ


class AreaFactory:
    """Two subdistricts with two communities each, enough to test area rules."""

    def __init__(self, sessionmaker) -> None:
        self.sessionmaker = sessionmaker

    async def district(self) -> None:
        async with self.sessionmaker() as session:
            for code, name, lat, lon in (
                ("jingshan", "景山街道", 39.927, 116.400),
                ("qianmen", "前门街道", 39.895, 116.398),
            ):
                sub = Subdistrict(
                    code=code, name_zh=name, name_en=code.title(), population=30000, centroid_lat=lat, centroid_lon=lon
                )
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
        "opening_hours": [{"weekday": d, "opens": "09:00", "closes": "17:00"} for d in range(1, 7)],
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


# -- the rest of the registry: a fixed "now", operators, services, activities, bookings -------------
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=DISTRICT_TZ).astimezone(UTC)  # a Friday morning in Beijing


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A time in November 2026, Asia/Shanghai."""
    return datetime(2026, month, day, hour, minute, tzinfo=DISTRICT_TZ)


def activity_body(facility_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "facility_id": facility_id,
        "title": "书海听涛·周末读书会",
        "description": "一起读老舍《四世同堂》",
        "category": "reading",
        "brand": "书海听涛",
        "venue": "二层阅览室",
        "starts_at": local(21, 14).isoformat(),
        "ends_at": local(21, 16).isoformat(),
        "capacity": 30,
        "target_groups": ["all"],
        "publish": True,
    }
    body.update(overrides)
    return body


class World:
    """Builds what tests need through the API (and operators' contracts through the event handler)."""

    def __init__(self, *, client: httpx.AsyncClient, auth, sessionmaker) -> None:
        self.client = client
        self.auth = auth
        self.sessionmaker = sessionmaker
        self.official = auth("official", sub="official-wang", name="王科长")

    async def facility(self, **overrides: Any) -> dict[str, Any]:
        return await create_facility(self.client, self.official, **overrides)

    async def operate(
        self, facility_id: int, *, operator_id: int = 7, contract_id: int = 3, name: str = "美后肆时"
    ) -> None:
        """As operators-api's contract.started would: the facility becomes socially operated."""
        async with self.sessionmaker() as session:
            await apply_contract_started(
                session,
                {
                    "contract_id": contract_id,
                    "operator_id": operator_id,
                    "operator_name": name,
                    "facility_ids": [facility_id],
                    "starts_on": "2026-01-01",
                    "ends_on": "2028-12-31",
                },
                now=NOW,
            )
            await session.commit()

    def operator(self, operator_id: int = 7, sub: str = "operator-staff-1") -> dict[str, str]:
        return self.auth("operator", sub=sub, operator_id=operator_id, name="运营专员")

    def resident(self, n: int = 1) -> dict[str, str]:
        return self.auth("resident", sub=f"resident-{n}", name=f"居民{n}")

    async def activity(
        self, facility_id: int, headers: dict[str, str] | None = None, **overrides: Any
    ) -> dict[str, Any]:
        resp = await self.client.post(
            "/api/v1/activities", json=activity_body(facility_id, **overrides), headers=headers or self.official
        )
        assert resp.status_code == 201, resp.text
        return resp.json()

    async def book(
        self, activity_id: int, headers: dict[str, str], *, status: int = 201, **body: Any
    ) -> dict[str, Any]:
        resp = await self.client.post(f"/api/v1/activities/{activity_id}/bookings", json=body or None, headers=headers)
        assert resp.status_code == status, resp.text
        return resp.json()

    async def events(self, *types: str) -> list[dict[str, Any]]:
        resp = await self.client.get("/api/v1/events", params={"limit": 1000}, headers=self.auth("auditor"))
        assert resp.status_code == 200, resp.text
        return [e for e in resp.json()["items"] if not types or e["type"] in types]

    async def approve_fee(
        self, facility_id: int, service_id: int, *, cap: int, application_id: int = 11, expires_on: str = "2027-06-30"
    ) -> None:
        async with self.sessionmaker() as session:
            await apply_fee_approved(
                session,
                {
                    "application_id": application_id,
                    "operator_id": 7,
                    "contract_id": 3,
                    "facility_id": facility_id,
                    "service_id": service_id,
                    "approved_fee_fen": cap,
                    "expires_on": expires_on,
                },
                now=NOW,
            )
            await session.commit()
