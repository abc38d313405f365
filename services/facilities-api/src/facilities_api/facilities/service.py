"""Use cases of the facility registry: create, edit (concurrency-safe, with history), read, list and
find near a point, opening hours with their exceptions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.access import check_may_manage, official_covers
from facilities_api.areas.models import Community, Subdistrict
from facilities_api.areas.repository import AreaRepository
from facilities_api.events import outbox
from facilities_api.facilities.geo import haversine_m, lat_cell
from facilities_api.facilities.hours import (
    Exception_,
    day_hours,
    minutes_to_time,
    slots_from_json,
    weekly_hours,
)
from facilities_api.facilities.models import Facility, FacilityChange, OpeningException
from facilities_api.facilities.repository import FacilityFilter, FacilityRepository, Near, OpenAt
from facilities_api.facilities.rules import parent_problem
from facilities_api.facilities.schemas import (
    FacilityCreate,
    FacilityRead,
    FacilityUpdate,
    OpeningExceptionCreate,
    OpeningExceptionRead,
)
from facilities_api.facilities.search import search_text
from facilities_api.serialize import jsonable as _jsonable
from facilities_api.settings import Settings
from facilities_api.vocab import local_today
from service_kit.auth import Principal
from service_kit.clock import DISTRICT_TZ, utcnow
from service_kit.etag import IfMatch
from service_kit.pagination import decode_cursor, decode_id_cursor, encode_cursor
from service_kit.problems import Forbidden, NotFound, RuleViolation


def open_at(now: datetime) -> OpenAt:
    local = now.astimezone(DISTRICT_TZ)
    return OpenAt(day=local.date(), weekday=local.weekday(), minute=local.hour * 60 + local.minute)


def _check_may_edit(principal: Principal, subdistrict_code: str, level: str) -> None:
    if principal.role != "official":
        raise Forbidden("Only officials edit the facility registry.")
    if principal.subdistrict is not None and principal.subdistrict != subdistrict_code:
        raise Forbidden(f"You act for subdistrict {principal.subdistrict}; this facility is in {subdistrict_code}.")
    if not official_covers(principal, subdistrict_code, level):
        raise Forbidden(f"A {level}-level facility serves the whole district: a district official keeps it.")


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
        raise RuleViolation(
            "subdistrict", f"No subdistrict with code {subdistrict_code!r}.", code="unknown-subdistrict"
        )
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
        raise RuleViolation(
            "parent_id", "That parent is this facility or one of its branches: a cycle.", code="parent-cycle"
        )
    problem = parent_problem(child_kind=kind, child_level=level, parent_kind=parent.kind, parent_level=parent.level)
    if problem:
        raise RuleViolation("parent_id", f"Facility {parent_id} cannot be the parent: {problem}.", code="parent-level")


async def create_facility(
    session: AsyncSession, *, settings: Settings, principal: Principal, data: FacilityCreate
) -> Facility:
    _check_may_edit(principal, data.subdistrict, data.level)
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
        lat_cell=lat_cell(data.location.lat),
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
        search_text=search_text(data.name_zh, data.name_en, data.address_zh),
        version=1,
        created_at=now,
        updated_at=now,
    )
    facility.subdistrict = subdistrict
    facility.community = community
    repo.add(facility)
    await repo.flush()
    await repo.replace_slots(facility.id, slots_from_json(facility.opening_hours))
    repo.add_change(
        FacilityChange(
            facility_id=facility.id, version=1, actor=principal.sub, action="created", changes={}, changed_at=now
        )
    )
    await outbox.record(
        session,
        "facility.created",
        _jsonable(FacilityRead.of(facility).event_data()),
        subject=f"facility/{facility.id}",
        actor=principal.sub,
    )
    await session.commit()
    return facility


async def get_facility(session: AsyncSession, *, facility_id: int) -> Facility:
    facility = await FacilityRepository(session).get_or_404(facility_id)
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
    if_match: IfMatch,
) -> Facility:
    repo = FacilityRepository(session)
    facility = await repo.get_or_404(facility_id, for_update=True)
    _check_may_edit(principal, facility.subdistrict.code, facility.level)
    if_match.check(facility.version)
    patch = data.model_dump(exclude_unset=True)
    if patch.get("level") is not None:
        _check_may_edit(principal, facility.subdistrict.code, patch["level"])
    nullable = {"parent_id", "community"}
    for field, value in patch.items():
        if value is None and field not in nullable:
            raise RuleViolation(field, f"{field} cannot be set to null; leave it out to keep it.", code="required")
    changes: dict[str, list[Any]] = {}

    def change(field: str, old: Any, new: Any) -> None:
        if _jsonable(old) != _jsonable(new):
            changes[field] = [_jsonable(old), _jsonable(new)]

    if "subdistrict" in patch or "community" in patch:
        sub_code = patch.get("subdistrict", facility.subdistrict.code)
        com_code = (
            patch["community"] if "community" in patch else (facility.community.code if facility.community else None)
        )
        _check_may_edit(principal, sub_code, patch.get("level") or facility.level)
        subdistrict, community = await _resolve_areas(session, sub_code, com_code)
        change("subdistrict", facility.subdistrict.code, subdistrict.code)
        change(
            "community", facility.community.code if facility.community else None, community.code if community else None
        )
        facility.subdistrict_id, facility.subdistrict = subdistrict.id, subdistrict
        facility.community_id, facility.community = (community.id if community else None), community
    if "location" in patch:
        loc = data.location
        assert loc is not None
        _check_location(settings, loc.lat, loc.lon)
        change("location", {"lat": facility.lat, "lon": facility.lon}, {"lat": loc.lat, "lon": loc.lon})
        facility.lat, facility.lon = loc.lat, loc.lon
        facility.lat_cell = lat_cell(loc.lat)
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
        await repo.replace_slots(facility.id, slots_from_json(hours))
    if "accessibility" in patch:
        features = list(dict.fromkeys(patch["accessibility"] or []))
        change("accessibility", facility.accessibility, features)
        facility.accessibility = features
    if "photos" in patch:
        photos = [str(p) for p in data.photos or []]
        change("photos", facility.photos, photos)
        facility.photos = photos
    if not changes:
        return facility
    now = utcnow()
    facility.search_text = search_text(facility.name_zh, facility.name_en, facility.address_zh)
    facility.version += 1
    facility.updated_at = now
    repo.add_change(
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
    await outbox.record(
        session,
        "facility.updated",
        {"facility": _jsonable(FacilityRead.of(facility).event_data()), "changes": changes},
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
    return facility


@dataclass(frozen=True, slots=True)
class Hit:
    """A facility found, and how far it is from the `near` point when one was given."""

    facility: Facility
    distance_m: float | None = None


@dataclass(frozen=True, slots=True)
class Hits:
    items: list[Hit]
    next_cursor: str | None


async def list_facilities(
    session: AsyncSession,
    *,
    filters: FacilityFilter,
    near: Near | None,
    cursor: str | None,
    limit: int,
) -> Hits:
    repo = FacilityRepository(session)
    if near is not None:
        after = None
        if cursor:
            d2, last_id = decode_cursor(cursor, 2)
            if (
                isinstance(d2, bool)
                or not isinstance(d2, (int, float))
                or isinstance(last_id, bool)
                or not isinstance(last_id, int)
            ):
                raise RuleViolation("cursor", "The cursor is not one this API gave out.", code="invalid-cursor")
            after = (float(d2), last_id)
        pairs = await repo.list_near(filters, near, after=after, limit=limit + 1)
        hits = [Hit(f, round(haversine_m(near.lat, near.lon, f.lat, f.lon), 1)) for f, _ in pairs[:limit]]
        next_cursor = encode_cursor(pairs[limit - 1][1], pairs[limit - 1][0].id) if len(pairs) > limit else None
        return Hits(items=hits, next_cursor=next_cursor)
    rows = await repo.list(filters, after_id=decode_id_cursor(cursor), limit=limit + 1)
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return Hits(items=[Hit(f) for f in rows[:limit]], next_cursor=next_cursor)


async def facilities_geojson(
    session: AsyncSession, *, filters: FacilityFilter, near: Near | None
) -> Sequence[Facility]:
    """The whole filtered set as an RFC 7946 FeatureCollection (nearest first when `near` is given)."""
    repo = FacilityRepository(session)
    if near is not None:
        rows = [f for f, _ in await repo.list_near(filters, near, after=None, limit=None)]
    else:
        rows = list(await repo.list(filters, after_id=None, limit=None))
    return rows


async def facility_history(session: AsyncSession, *, facility_id: int) -> Sequence[FacilityChange]:
    await get_facility(session, facility_id=facility_id)
    return await FacilityRepository(session).history(facility_id)


# -- opening hours and their exceptions ------------------------------------------------------------
def exception_hours(e: OpeningException) -> Exception_:
    return Exception_(e.starts_on, e.ends_on, e.closed, e.opens, e.closes, e.reason_zh)


async def list_exceptions(session: AsyncSession, *, facility_id: int, now: datetime) -> Sequence[OpeningException]:
    """The exceptions that have not ended yet, soonest first."""
    await get_facility(session, facility_id=facility_id)
    return await FacilityRepository(session).exceptions(facility_id, start=local_today(now))


def _exception_data(exc: OpeningException) -> Any:
    return _jsonable(OpeningExceptionRead.model_validate(exc).model_dump())


async def add_exception(
    session: AsyncSession, *, principal: Principal, facility_id: int, data: OpeningExceptionCreate, now: datetime
) -> OpeningException:
    repo = FacilityRepository(session)
    facility = await repo.get_or_404(facility_id, for_update=True)
    check_may_manage(principal, facility, "change opening hours")
    if data.ends_on < data.starts_on:
        raise RuleViolation("ends_on", "The exception ends before it starts.", code="ends-before-start")
    if (data.ends_on - data.starts_on).days > 366:
        raise RuleViolation(
            "ends_on", "An exception covers at most a year; close the facility instead.", code="too-long"
        )
    if data.ends_on < local_today(now):
        raise RuleViolation("ends_on", "The exception is wholly in the past.", code="in-the-past")
    if data.closed:
        if data.opens is not None or data.closes is not None:
            raise RuleViolation(
                "opens", "A closed day has no hours; send closed=false with hours.", code="closed-with-hours"
            )
    else:
        if data.opens is None or data.closes is None:
            raise RuleViolation("opens", "Other hours need both opens and closes.", code="hours-required")
        if data.closes <= data.opens:
            raise RuleViolation("closes", "The hours close before they open.", code="closes-before-opens")
    if await repo.exceptions(facility_id, start=data.starts_on, end=data.ends_on):
        raise RuleViolation(
            "starts_on", "Another exception already covers some of these days.", code="overlapping-exception"
        )
    exc = OpeningException(
        facility_id=facility_id,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        closed=data.closed,
        opens=data.opens,
        closes=data.closes,
        reason_zh=data.reason_zh,
        created_by=principal.sub,
        created_at=now,
    )
    repo.add_exception(exc)
    await repo.flush()
    await outbox.record(
        session,
        "facility.hours_changed",
        {"facility_id": facility_id, "action": "exception_added", "exception": _exception_data(exc)},
        subject=f"facility/{facility_id}",
        actor=principal.sub,
    )
    await session.commit()
    return exc


async def remove_exception(session: AsyncSession, *, principal: Principal, facility_id: int, exception_id: int) -> None:
    repo = FacilityRepository(session)
    facility = await repo.get_or_404(facility_id, for_update=True)
    check_may_manage(principal, facility, "change opening hours")
    exc = await repo.get_exception(facility_id, exception_id)
    if exc is None:
        raise NotFound(f"Facility {facility_id} has no opening exception {exception_id}.")
    data = _exception_data(exc)
    await repo.delete_exception(exc)
    await outbox.record(
        session,
        "facility.hours_changed",
        {"facility_id": facility_id, "action": "exception_removed", "exception": data},
        subject=f"facility/{facility_id}",
        actor=principal.sub,
    )
    await session.commit()


def is_open(facility: Facility, exceptions: list[Exception_], now: datetime) -> bool:
    if facility.status != "open":
        return False
    at = open_at(now)
    slots, _ = day_hours(at.day, slots_from_json(facility.opening_hours), exceptions)
    return any(o <= at.minute < c for o, c in slots)


@dataclass(frozen=True, slots=True)
class Slot:
    opens: time
    closes: time


@dataclass(frozen=True, slots=True)
class DaySchedule:
    date: date
    open: bool
    slots: list[Slot]
    exception: str | None


@dataclass(frozen=True, slots=True)
class Schedule:
    facility_id: int
    weekly_hours: float
    open_now: bool
    days: list[DaySchedule]


async def facility_schedule(
    session: AsyncSession, *, facility_id: int, start: date | None, days: int, now: datetime
) -> Schedule:
    """The hours of each day from `start` (default today), exceptions applied."""
    facility = await get_facility(session, facility_id=facility_id)
    first = start or local_today(now)
    last = first + timedelta(days=days - 1)
    repo = FacilityRepository(session)
    exceptions = [
        exception_hours(e)
        for e in await repo.exceptions(facility_id, start=min(first, local_today(now)), end=max(last, local_today(now)))
    ]
    weekly = slots_from_json(facility.opening_hours)
    out = []
    for i in range(days):
        day = first + timedelta(days=i)
        slots, exc = day_hours(day, weekly, exceptions)
        reason = None if exc is None else (exc.reason or "exception")
        out.append(
            DaySchedule(
                date=day,
                open=facility.status == "open" and bool(slots),
                slots=[Slot(opens=minutes_to_time(o), closes=minutes_to_time(c)) for o, c in slots],
                exception=reason,
            )
        )
    return Schedule(
        facility_id=facility_id,
        weekly_hours=weekly_hours(weekly),
        open_now=is_open(facility, exceptions, now),
        days=out,
    )
