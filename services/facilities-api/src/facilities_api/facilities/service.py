"""Use cases of the facility registry: create, edit (concurrency-safe, with history), read, list."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.areas.models import Community, Subdistrict
from facilities_api.areas.repository import AreaRepository
from facilities_api.events import outbox
from facilities_api.facilities.models import Facility, FacilityChange
from facilities_api.facilities.repository import FacilityFilter, FacilityRepository
from facilities_api.facilities.rules import parent_problem
from facilities_api.facilities.schemas import FacilityCreate, FacilityUpdate
from facilities_api.settings import Settings
from service_kit.auth import Principal
from service_kit.clock import as_aware, utcnow
from service_kit.pagination import decode_cursor, encode_cursor
from service_kit.problems import Forbidden, NotFound, RuleViolation


def facility_read(f: Facility) -> dict[str, Any]:
    return {
        "id": f.id,
        "name_zh": f.name_zh,
        "name_en": f.name_en,
        "kind": f.kind,
        "level": f.level,
        "parent_id": f.parent_id,
        "subdistrict": f.subdistrict.code,
        "community": f.community.code if f.community else None,
        "address_zh": f.address_zh,
        "location": {"lat": f.lat, "lon": f.lon},
        "floor_area_m2": f.floor_area_m2,
        "seats": f.seats,
        "opening_hours": f.opening_hours,
        "accessibility": f.accessibility,
        "contact_phone": f.contact_phone,
        "contact_email": f.contact_email,
        "status": f.status,
        "operation": {"mode": f.operation_mode, "operator_id": f.operator_id, "contract_id": f.contract_id},
        "photos": f.photos,
        "description_zh": f.description_zh,
        "version": f.version,
        "created_at": as_aware(f.created_at),
        "updated_at": as_aware(f.updated_at),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat(timespec="minutes") if hasattr(value, "hour") and not hasattr(value, "year") else value.isoformat()
    return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)


def _check_may_edit(principal: Principal, subdistrict_code: str) -> None:
    if principal.role != "official":
        raise Forbidden("Only officials edit the facility registry.")
    if principal.subdistrict is not None and principal.subdistrict != subdistrict_code:
        raise Forbidden(
            f"You act for subdistrict {principal.subdistrict}; this facility is in {subdistrict_code}."
        )


def _check_location(settings: Settings, lat: float, lon: float) -> None:
    if not (settings.bbox_min_lat <= lat <= settings.bbox_max_lat):
        raise RuleViolation(
            "location.lat",
            f"Latitude {lat} is outside the district ({settings.bbox_min_lat}–{settings.bbox_max_lat} N).",
            code="outside-district",
        )
    if not (settings.bbox_min_lon <= lon <= settings.bbox_max_lon):
        raise RuleViolation(
            "location.lon",
            f"Longitude {lon} is outside the district ({settings.bbox_min_lon}–{settings.bbox_max_lon} E).",
            code="outside-district",
        )


async def _resolve_areas(
    session: AsyncSession, subdistrict_code: str, community_code: str | None
) -> tuple[Subdistrict, Community | None]:
    areas = AreaRepository(session)
    subdistrict = await areas.subdistrict_by_code(subdistrict_code)
    if subdistrict is None:
        raise RuleViolation("subdistrict", f"No subdistrict with code {subdistrict_code!r}.", code="unknown-subdistrict")
    community = None
    if community_code is not None:
        community = await areas.community_by_code(community_code)
        if community is None:
            raise RuleViolation("community", f"No community with code {community_code!r}.", code="unknown-community")
        if community.subdistrict_id != subdistrict.id:
            raise RuleViolation(
                "community",
                f"Community {community_code} is in {community.subdistrict.code}, not in {subdistrict_code}.",
                code="community-outside-subdistrict",
            )
    return subdistrict, community


async def _check_parent(
    repo: FacilityRepository, *, facility_id: int | None, parent_id: int | None, kind: str, level: str
) -> None:
    if parent_id is None:
        return
    parent = await repo.get(parent_id)
    if parent is None:
        raise RuleViolation("parent_id", f"No facility {parent_id} to be the parent.", code="unknown-parent")
    if facility_id is not None and facility_id in await repo.parent_chain(parent_id):
        raise RuleViolation("parent_id", "That parent is this facility or one of its branches: a cycle.", code="parent-cycle")
    problem = parent_problem(child_kind=kind, child_level=level, parent_kind=parent.kind, parent_level=parent.level)
    if problem:
        raise RuleViolation("parent_id", f"Facility {parent_id} cannot be the parent: {problem}.", code="parent-level")


async def create_facility(
    session: AsyncSession, *, settings: Settings, principal: Principal, data: FacilityCreate
) -> dict[str, Any]:
    _check_may_edit(principal, data.subdistrict)
    _check_location(settings, data.location.lat, data.location.lon)
    subdistrict, community = await _resolve_areas(session, data.subdistrict, data.community)
    repo = FacilityRepository(session)
    await _check_parent(repo, facility_id=None, parent_id=data.parent_id, kind=data.kind, level=data.level)
    now = utcnow()
    facility = Facility(
        name_zh=data.name_zh,
        name_en=data.name_en,
        kind=data.kind,
        level=data.level,
        parent_id=data.parent_id,
        subdistrict_id=subdistrict.id,
        community_id=community.id if community else None,
        address_zh=data.address_zh,
        lat=data.location.lat,
        lon=data.location.lon,
        floor_area_m2=data.floor_area_m2,
        seats=data.seats,
        opening_hours=_jsonable([s.model_dump() for s in data.opening_hours]),
        accessibility=list(dict.fromkeys(data.accessibility)),
        contact_phone=data.contact_phone,
        contact_email=data.contact_email,
        status=data.status,
        operation_mode="government",
        photos=[str(p) for p in data.photos],
        description_zh=data.description_zh,
        version=1,
        created_at=now,
        updated_at=now,
    )
    facility.subdistrict = subdistrict
    facility.community = community
    repo.add(facility)
    await repo.flush()
    read = facility_read(facility)
    repo.add(
        FacilityChange(
            facility_id=facility.id, version=1, actor=principal.sub, action="created", changes={}, changed_at=now
        )
    )
    await outbox.record(
        session, "facility.created", _jsonable(read), subject=f"facility/{facility.id}", actor=principal.sub
    )
    await session.commit()
    return read


async def get_facility(session: AsyncSession, *, facility_id: int) -> Facility:
    facility = await FacilityRepository(session).get(facility_id)
    if facility is None:
        raise NotFound(f"No facility {facility_id}.")
    return facility


_SIMPLE_FIELDS = (
    "name_zh",
    "name_en",
    "kind",
    "level",
    "parent_id",
    "address_zh",
    "floor_area_m2",
    "seats",
    "contact_phone",
    "contact_email",
    "status",
    "description_zh",
)


async def update_facility(
    session: AsyncSession,
    *,
    settings: Settings,
    principal: Principal,
    facility_id: int,
    data: FacilityUpdate,
    check_version,  # callable(version) raising 412/428: the router passes the If-Match check
) -> dict[str, Any]:
    repo = FacilityRepository(session)
    facility = await repo.get_for_update(facility_id)
    if facility is None:
        raise NotFound(f"No facility {facility_id}.")
    _check_may_edit(principal, facility.subdistrict.code)
    check_version(facility.version)
    patch = data.model_dump(exclude_unset=True)
    for field in ("name_zh", "kind", "level", "address_zh", "location", "subdistrict", "status"):
        if field in patch and patch[field] is None:
            raise RuleViolation(field, f"{field} cannot be emptied.", code="required")
    before = facility_read(facility)
    changes: dict[str, list[Any]] = {}

    def change(field: str, old: Any, new: Any) -> None:
        if _jsonable(old) != _jsonable(new):
            changes[field] = [_jsonable(old), _jsonable(new)]

    if "subdistrict" in patch or "community" in patch:
        sub_code = patch.get("subdistrict", facility.subdistrict.code)
        com_code = patch["community"] if "community" in patch else (facility.community.code if facility.community else None)
        _check_may_edit(principal, sub_code)
        subdistrict, community = await _resolve_areas(session, sub_code, com_code)
        change("subdistrict", before["subdistrict"], subdistrict.code)
        change("community", before["community"], community.code if community else None)
        facility.subdistrict_id, facility.subdistrict = subdistrict.id, subdistrict
        facility.community_id, facility.community = (community.id if community else None), community
    if "location" in patch:
        loc = data.location
        assert loc is not None
        _check_location(settings, loc.lat, loc.lon)
        change("location", before["location"], {"lat": loc.lat, "lon": loc.lon})
        facility.lat, facility.lon = loc.lat, loc.lon
    if {"parent_id", "kind", "level"} & patch.keys():
        await _check_parent(
            repo,
            facility_id=facility.id,
            parent_id=patch.get("parent_id", facility.parent_id),
            kind=patch.get("kind", facility.kind),
            level=patch.get("level", facility.level),
        )
    for field in _SIMPLE_FIELDS:
        if field in patch:
            change(field, getattr(facility, field), patch[field])
            setattr(facility, field, patch[field])
    if "opening_hours" in patch:
        hours = _jsonable([s.model_dump() for s in data.opening_hours or []])
        change("opening_hours", facility.opening_hours, hours)
        facility.opening_hours = hours
    if "accessibility" in patch:
        features = list(dict.fromkeys(patch["accessibility"] or []))
        change("accessibility", facility.accessibility, features)
        facility.accessibility = features
    if "photos" in patch:
        photos = [str(p) for p in data.photos or []]
        change("photos", facility.photos, photos)
        facility.photos = photos
    if not changes:
        return before
    now = utcnow()
    facility.version += 1
    facility.updated_at = now
    repo.add(
        FacilityChange(
            facility_id=facility.id,
            version=facility.version,
            actor=principal.sub,
            action="updated",
            changes=changes,
            changed_at=now,
        )
    )
    await repo.flush()
    read = facility_read(facility)
    await outbox.record(
        session,
        "facility.updated",
        {"facility": _jsonable(read), "changes": changes},
        subject=f"facility/{facility.id}",
        actor=principal.sub,
    )
    if "status" in changes:
        old, new = changes["status"]
        await outbox.record(
            session,
            "facility.status_changed",
            {"facility_id": facility.id, "old": old, "new": new},
            subject=f"facility/{facility.id}",
            actor=principal.sub,
        )
    await session.commit()
    return read


async def list_facilities(
    session: AsyncSession, *, filters: FacilityFilter, cursor: str | None, limit: int
) -> dict[str, Any]:
    after_id = int(decode_cursor(cursor, 1)[0]) if cursor else None
    rows = await FacilityRepository(session).list(filters, after_id=after_id, limit=limit + 1)
    items = [facility_read(f) for f in rows[:limit]]
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return {"items": items, "next_cursor": next_cursor}


async def facility_history(session: AsyncSession, *, facility_id: int) -> list[dict[str, Any]]:
    await get_facility(session, facility_id=facility_id)
    return [
        {
            "version": c.version,
            "actor": c.actor,
            "action": c.action,
            "changes": c.changes,
            "changed_at": as_aware(c.changed_at),
        }
        for c in await FacilityRepository(session).history(facility_id)
    ]
