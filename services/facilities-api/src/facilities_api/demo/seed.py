"""Demo data: the district's subdistricts, communities and facilities. Idempotent: run it again and
nothing is duplicated (rows are matched by their codes and names)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy import select

from facilities_api.areas.models import Community, Subdistrict
from facilities_api.db import Base  # noqa: F401
from facilities_api.facilities.models import Facility, FacilityChange
from facilities_api.settings import Settings
from service_kit.clock import utcnow
from service_kit.db import make_engine, make_sessionmaker


def _load(name: str) -> Any:
    return json.loads(resources.files("facilities_api.demo").joinpath("data", name).read_text(encoding="utf-8"))


async def seed_demo(settings: Settings) -> str:
    engine = make_engine(settings.database_url)
    maker = make_sessionmaker(engine)
    added_areas = added_facilities = 0
    try:
        async with maker() as session:
            subdistricts = {s.code: s for s in (await session.execute(select(Subdistrict))).scalars()}
            communities = {c.code: c for c in (await session.execute(select(Community))).scalars()}
            for area in _load("areas.json"):
                sub = subdistricts.get(area["code"])
                if sub is None:
                    sub = Subdistrict(
                        code=area["code"],
                        name_zh=area["name_zh"],
                        name_en=area["name_en"],
                        population=area["population"],
                        centroid_lat=area["centroid"]["lat"],
                        centroid_lon=area["centroid"]["lon"],
                    )
                    session.add(sub)
                    await session.flush()
                    subdistricts[sub.code] = sub
                    added_areas += 1
                for c in area["communities"]:
                    if c["code"] in communities:
                        continue
                    community = Community(
                        code=c["code"],
                        subdistrict_id=sub.id,
                        name_zh=c["name_zh"],
                        name_en=c["name_en"],
                        population=c["population"],
                        centroid_lat=c["centroid"]["lat"],
                        centroid_lon=c["centroid"]["lon"],
                    )
                    session.add(community)
                    communities[c["code"]] = community
                    added_areas += 1
            await session.flush()
            existing = {f.name_zh: f for f in (await session.execute(select(Facility))).scalars()}
            by_key: dict[str, Facility] = {}
            now = utcnow()
            for item in _load("facilities.json"):
                facility = existing.get(item["name_zh"])
                if facility is None:
                    parent = by_key.get(item["parent_key"]) if item.get("parent_key") else None
                    community = communities.get(item["community_code"]) if item.get("community_code") else None
                    facility = Facility(
                        name_zh=item["name_zh"],
                        name_en=item["name_en"],
                        kind=item["kind"],
                        level=item["level"],
                        parent_id=parent.id if parent else None,
                        subdistrict_id=subdistricts[item["subdistrict_code"]].id,
                        community_id=community.id if community else None,
                        address_zh=item["address_zh"],
                        lat=item["lat"],
                        lon=item["lon"],
                        floor_area_m2=item["floor_area_m2"],
                        seats=item["seats"],
                        opening_hours=item["opening_hours"],
                        accessibility=item["accessibility"],
                        contact_phone=item.get("phone", ""),
                        contact_email="",
                        status=item["status"],
                        operation_mode="government",
                        photos=[],
                        description_zh=item.get("description_zh", ""),
                        version=1,
                        created_at=now,
                        updated_at=now,
                    )
                    session.add(facility)
                    await session.flush()
                    session.add(
                        FacilityChange(
                            facility_id=facility.id,
                            version=1,
                            actor="demo-seed",
                            action="created",
                            changes={},
                            changed_at=now,
                        )
                    )
                    added_facilities += 1
                by_key[item["key"]] = facility
            await session.commit()
    finally:
        await engine.dispose()
    return f"facilities-api demo data: {added_areas} areas and {added_facilities} facilities added"
