"""Demo data: the district's subdistricts, communities and facilities; the services each offers; a
month of activities around today with bookings and check-ins; holiday closures; a few special-group
requests. Idempotent: run it again and nothing is duplicated (areas and facilities are matched by
their codes and names; the rest is added only where a facility has none yet)."""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, datetime, time, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from facilities_api.activities.models import Activity
from facilities_api.areas.models import Community, Subdistrict
from facilities_api.bookings.models import Booking
from facilities_api.bookings.service import new_code
from facilities_api.db import Base, infra
from facilities_api.demo.activity_data import FEE_DEMO_SERVICES, PROGRAMME, SERVICES, START_HOURS
from facilities_api.facilities.geo import lat_cell
from facilities_api.facilities.hours import slots_from_json
from facilities_api.facilities.models import Facility, FacilityChange, OpeningException, OpeningSlot
from facilities_api.facilities.search import search_text
from facilities_api.offerings.models import ServiceBasicPeriod, ServiceOffered
from facilities_api.settings import Settings
from facilities_api.special_requests.models import SpecialRequest
from service_kit.clock import DISTRICT_TZ, utcnow
from service_kit.db import make_engine, make_sessionmaker

assert Base.metadata.tables  # every table on the metadata
SEED = "demo-seed"
# The gateway's demo accounts are created in order on a fresh identity database, so demo-resident is
# user 1 and its tokens carry sub "1" (gateway/src/gateway/demo.py).
DEMO_RESIDENT_SUB = "1"
DEMO_RESIDENT_NAME = "李华 (demo resident)"
SYNTHETIC_RESIDENTS = 400
DAYS_BACK, DAYS_AHEAD = 16, 16


def _load(name: str) -> Any:
    return json.loads(resources.files("facilities_api.demo").joinpath("data", name).read_text(encoding="utf-8"))


async def seed_demo(settings: Settings) -> str:
    engine = make_engine(settings.database_url)
    maker = make_sessionmaker(engine)
    try:
        async with maker() as session:
            areas, facilities = await _areas_and_facilities(session)
            services = await _services(session)
            exceptions = await _exceptions(session)
            activities, bookings, checkins = await _programme(session)
            requests = await _special_requests(session)
            await session.commit()
    finally:
        await engine.dispose()
    return (
        f"facilities-api demo data: {areas} areas, {facilities} facilities, {services} services, {exceptions} opening "
        f"exceptions, {activities} activities, {bookings} bookings ({checkins} check-ins), {requests} special-group requests added"
    )


async def _areas_and_facilities(session: AsyncSession) -> tuple[int, int]:
    added_areas = added_facilities = 0
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
            home = communities.get(item["community_code"]) if item.get("community_code") else None
            facility = Facility(
                name_zh=item["name_zh"],
                name_en=item["name_en"],
                kind=item["kind"],
                level=item["level"],
                parent_id=parent.id if parent else None,
                subdistrict_id=subdistricts[item["subdistrict_code"]].id,
                community_id=home.id if home else None,
                address_zh=item["address_zh"],
                lat=item["lat"],
                lon=item["lon"],
                lat_cell=lat_cell(item["lat"]),
                floor_area_m2=item["floor_area_m2"],
                seats=item["seats"],
                opening_hours=item["opening_hours"],
                accessibility=item["accessibility"],
                contact_phone=item.get("phone", ""),
                contact_email="",
                status=item["status"],
                # Who runs it comes from operators-api's contract events, never from the seed.
                operation_mode="government",
                photos=[],
                description_zh=item.get("description_zh", ""),
                search_text=search_text(item["name_zh"], item["name_en"], item["address_zh"]),
                version=1,
                created_at=now,
                updated_at=now,
            )
            session.add(facility)
            await session.flush()
            session.add(
                FacilityChange(
                    facility_id=facility.id, version=1, actor=SEED, action="created", changes={}, changed_at=now
                )
            )
            slots = slots_from_json(facility.opening_hours)
            if slots:
                await session.execute(
                    insert(OpeningSlot),
                    [{"facility_id": facility.id, "weekday": w, "opens_min": o, "closes_min": c} for w, o, c in slots],
                )
            added_facilities += 1
        by_key[item["key"]] = facility
    await session.flush()
    return added_areas, added_facilities


async def _services(session: AsyncSession) -> int:
    """Each facility's services by kind: basic ones free; non-basic ones at fee 0 until an approval arrives."""
    have = set((await session.execute(select(ServiceOffered.facility_id).distinct())).scalars())
    now = utcnow()
    rows = []
    for f in (await session.execute(select(Facility).order_by(Facility.id))).scalars():
        if f.id in have:
            continue
        for name, category, basic, delivery, groups in SERVICES.get(f.kind, []):
            rows.append(
                {
                    "facility_id": f.id,
                    "name_zh": name,
                    "name_en": "",
                    "category": category,
                    "basic": basic,
                    "fee_fen": 0,
                    "target_groups": groups,
                    "delivery": delivery,
                    "description_zh": "" if basic else "普惠性非基本公共文化服务：收费须经优惠收费审批。",
                    "active": True,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    for facility_id, named in FEE_DEMO_SERVICES.items():
        if facility_id in have or await session.get(Facility, facility_id) is None:
            continue
        for service_id, name, category, groups in named:
            rows.append(
                {
                    "id": service_id,
                    "facility_id": facility_id,
                    "name_zh": name,
                    "name_en": "",
                    "category": category,
                    "basic": False,
                    "fee_fen": 0,
                    "target_groups": groups,
                    "delivery": "on_site",
                    "description_zh": "普惠性非基本公共文化服务：收费须经优惠收费审批。",
                    "active": True,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    if rows:
        # Rows with and without an id go in separate statements (one executemany needs the same keys).
        generic = [r for r in rows if "id" not in r]
        if generic:
            await session.execute(insert(ServiceOffered), generic)
        fixed = [r for r in rows if "id" in r]
        if fixed:
            await session.execute(insert(ServiceOffered), fixed)
            if session.get_bind().dialect.name == "postgresql":  # the id sequence moves past the fixed ids
                highest = select(func.max(ServiceOffered.id)).scalar_subquery()
                sequence = func.pg_get_serial_sequence(ServiceOffered.__tablename__, "id")
                await session.execute(select(func.setval(sequence, highest)))
        # The basic ones have been basic since they were added.
        added = select(ServiceOffered.id, ServiceOffered.created_at).where(
            ServiceOffered.basic.is_(True),
            ServiceOffered.facility_id.not_in(have),
            ServiceOffered.id.not_in(select(ServiceBasicPeriod.service_id)),
        )
        await session.execute(insert(ServiceBasicPeriod).from_select(["service_id", "starts_at"], added))
    return len(rows)


def _spring_festival(today: date) -> tuple[date, date]:
    """除夕 to 初二 of the coming Spring Festival (demo years)."""
    eves = {
        2025: date(2025, 1, 28),
        2026: date(2026, 2, 16),
        2027: date(2027, 2, 5),
        2028: date(2028, 1, 25),
        2029: date(2029, 2, 12),
    }
    eve = next((d for y, d in sorted(eves.items()) if d + timedelta(days=2) >= today), date(today.year + 1, 2, 1))
    return eve, eve + timedelta(days=2)


async def _exceptions(session: AsyncSession) -> int:
    have = set((await session.execute(select(OpeningException.facility_id).distinct())).scalars())
    today = utcnow().astimezone(DISTRICT_TZ).date()
    eve, third = _spring_festival(today)
    new_year = date(today.year + (today.month > 1 or today.day > 1), 1, 1)
    now = utcnow()
    rows = []
    closing_kinds = {
        "public_library",
        "cultural_centre",
        "culture_sports_centre",
        "community_culture_room",
        "service_point",
    }
    facilities = (
        (await session.execute(select(Facility).where(Facility.status == "open").order_by(Facility.id))).scalars().all()
    )
    for i, f in enumerate(facilities):
        if f.id in have:
            continue
        if f.kind in closing_kinds:
            rows.append(
                {
                    "facility_id": f.id,
                    "starts_on": eve,
                    "ends_on": third,
                    "closed": True,
                    "opens": None,
                    "closes": None,
                    "reason_zh": "春节闭馆（除夕至初二）",
                }
            )
            rows.append(
                {
                    "facility_id": f.id,
                    "starts_on": new_year,
                    "ends_on": new_year,
                    "closed": False,
                    "opens": time(10),
                    "closes": time(16),
                    "reason_zh": "元旦缩短开放时间",
                }
            )
        if i % 29 == 7:
            start = today + timedelta(days=3)
            rows.append(
                {
                    "facility_id": f.id,
                    "starts_on": start,
                    "ends_on": start + timedelta(days=1),
                    "closed": True,
                    "opens": None,
                    "closes": None,
                    "reason_zh": "设备检修，临时闭馆",
                }
            )
    for r in rows:
        r.update(created_by=SEED, created_at=now)
    if rows:
        await session.execute(insert(OpeningException), rows)
    return len(rows)


async def _programme(session: AsyncSession) -> tuple[int, int, int]:
    """A month of activities around today at the open facilities with seats, with bookings from
    synthetic residents and the demo resident, check-ins at the ones that are over, and their events."""
    seeded = (await session.execute(select(func.count(Activity.id)).where(Activity.created_by == SEED))).scalar_one()
    if seeded:
        return 0, 0, 0
    rng = random.Random(20261122)
    now = utcnow()
    today = now.astimezone(DISTRICT_TZ).date()
    facilities = (
        (
            await session.execute(
                select(Facility).where(Facility.status == "open", Facility.seats > 0).order_by(Facility.id)
            )
        )
        .scalars()
        .all()
    )
    activity_rows: list[dict[str, Any]] = []
    for f in facilities:
        programme = PROGRAMME.get(f.kind)
        if not programme:
            continue
        open_days = {s["weekday"] for s in f.opening_hours} or set(range(7))
        every = 3 if f.level in ("district", "municipal", "national") else 5
        day = today - timedelta(days=DAYS_BACK) + timedelta(days=rng.randrange(every))
        while day <= today + timedelta(days=DAYS_AHEAD):
            if day.weekday() in open_days:
                title, category, brand, groups, hours = rng.choice(programme)
                start = datetime.combine(day, time(rng.choice(START_HOURS)), tzinfo=DISTRICT_TZ)
                capacity = max(10, min(f.seats, rng.choice((20, 30, 40, 60, 80))))
                activity_rows.append(
                    {
                        "facility_id": f.id,
                        "title": title,
                        "description": f"{f.name_zh}举办。免费参加，请提前预约，凭预约码签到入场。",
                        "category": category,
                        "brand": brand,
                        "venue": rng.choice(("多功能厅", "一层阅读区", "活动室", "报告厅", "")),
                        "starts_at": start.astimezone(now.tzinfo),
                        "ends_at": (start + timedelta(hours=hours)).astimezone(now.tzinfo),
                        "capacity": capacity,
                        "booked_count": 0,
                        "fee_fen": 0,
                        "service_id": None,
                        "target_groups": groups,
                        "booking_required": True,
                        "booking_opens_at": None,
                        "booking_closes_at": None,
                        "cancel_cutoff_minutes": 60,
                        "status": "published",
                        "cancel_reason": "",
                        "created_by": SEED,
                        "version": 1,
                        "created_at": now - timedelta(days=DAYS_BACK + 7),
                        "updated_at": now - timedelta(days=DAYS_BACK + 7),
                        "published_at": now - timedelta(days=DAYS_BACK + 7),
                    }
                )
            day += timedelta(days=every)
    if not activity_rows:
        return 0, 0, 0
    # One upcoming activity in three hundred is called off, so residents see what a cancellation looks like.
    for i, row in enumerate(activity_rows):
        if i % 97 == 13 and row["starts_at"] > now:
            row.update(status="cancelled", cancel_reason="因场地维修取消，敬请谅解", cancelled_at=now)
    ids = (
        (await session.execute(insert(Activity).returning(Activity.id, sort_by_parameter_order=True), activity_rows))
        .scalars()
        .all()
    )
    booking_rows: list[dict[str, Any]] = []
    booked: dict[int, int] = {}
    demo_picks = _demo_resident_picks(activity_rows, now, rng)
    for index, (activity_id, row) in enumerate(zip(ids, activity_rows, strict=True)):
        over = row["ends_at"] <= now
        share = rng.uniform(0.5, 0.95) if over else rng.uniform(0.1, 0.8)
        if rng.random() < 0.08 and not over:
            share = 1.15  # a full one with a waitlist
        wanted = int(row["capacity"] * share)
        residents = rng.sample(range(1, SYNTHETIC_RESIDENTS + 1), min(wanted, SYNTHETIC_RESIDENTS))
        subs = [(f"demo-resident-{n}", f"居民{n:03d}") for n in residents]
        if index in demo_picks:
            subs.insert(0, (DEMO_RESIDENT_SUB, DEMO_RESIDENT_NAME))
        codes: set[str] = set()
        seats_taken = 0
        for k, (sub, name) in enumerate(subs):
            code = new_code()
            while code in codes:
                code = new_code()
            codes.add(code)
            queued = row["published_at"] + timedelta(minutes=5 + k * 7)
            confirmed = seats_taken < row["capacity"]
            if confirmed:
                seats_taken += 1
            show = (
                confirmed
                and over
                and row["status"] == "published"
                and (sub == DEMO_RESIDENT_SUB or rng.random() < 0.82)
            )
            booking_rows.append(
                {
                    "activity_id": activity_id,
                    "resident_sub": sub,
                    "resident_name": name,
                    "seats": 1,
                    "status": "confirmed" if confirmed else "waitlisted",
                    "check_in_code": code,
                    "queued_at": queued,
                    "confirmed_at": queued if confirmed else None,
                    "cancelled_at": None,
                    "checked_in_at": row["starts_at"] - timedelta(minutes=rng.randrange(0, 20)) if show else None,
                    "checked_in_by": SEED if show else None,
                    "created_at": queued,
                    "updated_at": queued,
                }
            )
        booked[activity_id] = seats_taken
    for activity_id, seats in booked.items():
        if seats:
            await session.execute(
                update(Activity)
                .where(Activity.id == activity_id)
                .values(booked_count=seats)
                .execution_options(synchronize_session=False)
            )
    booking_ids = (
        (await session.execute(insert(Booking).returning(Booking.id, sort_by_parameter_order=True), booking_rows))
        .scalars()
        .all()
    )
    facility_of = {activity_id: row["facility_id"] for activity_id, row in zip(ids, activity_rows, strict=True)}
    events = []
    for booking_id, b in zip(booking_ids, booking_rows, strict=True):
        if b["checked_in_at"] is None:
            continue
        events.append(
            {
                "id": str(uuid.uuid4()),
                "type": "checkin.recorded",
                "subject": f"booking/{booking_id}",
                "data": {
                    "booking_id": booking_id,
                    "activity_id": b["activity_id"],
                    "facility_id": facility_of[b["activity_id"]],
                    "resident_sub": b["resident_sub"],
                    "checked_in_at": b["checked_in_at"].isoformat(),
                },
                "request_id": None,
                "actor": SEED,
                "occurred_at": b["checked_in_at"],
            }
        )
    events.sort(key=lambda e: e["occurred_at"])
    if events:
        await session.execute(infra.event.insert(), events)
    return len(activity_rows), len(booking_rows), len(events)


def _demo_resident_picks(rows: list[dict[str, Any]], now: datetime, rng: random.Random) -> set[int]:
    """The demo resident booked six past activities (all attended) and three upcoming ones."""
    past = [i for i, r in enumerate(rows) if r["ends_at"] <= now and r["status"] == "published"]
    upcoming = [i for i, r in enumerate(rows) if r["starts_at"] > now and r["status"] == "published"]
    return set(rng.sample(past, min(6, len(past)))) | set(rng.sample(upcoming, min(3, len(upcoming))))


async def _special_requests(session: AsyncSession) -> int:
    if (await session.execute(select(func.count(SpecialRequest.id)))).scalar_one():
        return 0
    libraries = (
        (
            await session.execute(
                select(Facility)
                .where(Facility.kind == "public_library", Facility.status == "open")
                .order_by(Facility.id)
                .limit(3)
            )
        )
        .scalars()
        .all()
    )
    if not libraries:
        return 0
    now = utcnow()
    samples = [
        (
            DEMO_RESIDENT_SUB,
            DEMO_RESIDENT_NAME,
            "elderly",
            "home_delivery",
            "腿脚不便，想请图书馆每月送两次大字版图书上门",
            "submitted",
            False,
        ),
        (
            "demo-resident-11",
            "居民011",
            "disabled",
            "home_delivery",
            "视障人士，希望借阅有声读物并上门讲解使用方法",
            "assigned",
            True,
        ),
        ("demo-resident-12", "居民012", "elderly", "appointment", "想预约一次智能手机使用辅导", "scheduled", True),
        ("demo-resident-13", "居民013", "minor", "appointment", "孩子想预约周末的古籍修复体验", "done", True),
        (
            "demo-resident-14",
            "居民014",
            "low_income",
            "home_delivery",
            "希望为家中老人送一套戏曲光盘",
            "confirmed",
            True,
        ),
    ]
    for i, (sub, name, group, kind, text, status, verified) in enumerate(samples):
        f = libraries[i % len(libraries)]
        created = now - timedelta(days=10 - i)
        session.add(
            SpecialRequest(
                resident_sub=sub,
                resident_name=name,
                special_group=group,
                group_verified=verified,
                verified_by=SEED if verified else None,
                kind=kind,
                facility_id=f.id,
                service_id=None,
                description=text,
                address="东城区景山东街12号院3号楼2单元401" if kind == "home_delivery" else "",
                phone=f"1381234{5670 + i}",
                preferred_time="工作日上午",
                status=status,
                assigned_to_sub="demo-staff" if status != "submitted" else None,
                assigned_to_name="馆员 张老师" if status != "submitted" else "",
                assigned_operator_id=None,
                scheduled_for=now + timedelta(days=2)
                if status == "scheduled"
                else (now - timedelta(days=3) if status in ("done", "confirmed") else None),
                done_at=now - timedelta(days=2) if status in ("done", "confirmed") else None,
                confirmed_at=now - timedelta(days=1) if status == "confirmed" else None,
                # The erasure sweep counts from here (done, rejected or cancelled).
                closed_at=(now - timedelta(days=2))
                if status in ("done", "confirmed", "rejected", "cancelled")
                else None,
                note="",
                version=1,
                created_at=created,
                updated_at=created,
            )
        )
    return len(samples)
