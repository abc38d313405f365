"""facilities-api bench: `near` and a filtered activity listing through the gateway, their cost
against a light GET in the same run, how `near` grows from 1,000 to 100,000 facilities, and 200
concurrent bookings for the last 10 seats. On SQLite and on PostgreSQL.

    python bench/facilities/run.py                        # both databases
    python bench/facilities/run.py --database sqlite
    python bench/facilities/run.py --database postgres --pg-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

For each database: generates 10,000 facilities and 200,000 activities with bulk inserts, migrates,
starts facilities-api and the gateway (`python -m gateway serve`, GATEWAY_FACILITIES_URL pointing at
it) on free loopback ports, and measures single-client latency over one keep-alive connection
through the gateway, the three requests interleaved: a light GET (/api/v1/facilities/{id}), `near`
(the 20 nearest open facilities to a random point in the district), and a filtered activity listing
(a random week, one category, seats left). Then fires 200 booking requests at once, as 200 residents,
for an activity with 10 seats left. Then rebuilds the registry with 1,000 and 100,000 facilities and
measures `near` and the light GET again. Prints a table; writes bench/results/facilities.json. Exits
non-zero only when the bench itself fails, never because a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from bench.gateway.run import HOST, BenchError, Proc, RawClient, free_port, wait_ready  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "facilities.json"
TARGET_P95_MS = 20.0
BBOX = (39.855, 39.965, 116.385, 116.445)  # lat min/max, lon min/max: inside the district
CATEGORIES = [
    "reading",
    "lecture",
    "performance",
    "exhibition",
    "training",
    "film",
    "heritage",
    "festival",
    "sports",
    "children",
]
KINDS = [
    "public_library",
    "cultural_centre",
    "culture_sports_centre",
    "community_culture_room",
    "museum",
    "hutong_museum",
    "art_gallery",
    "theatre",
    "new_cultural_space",
    "service_point",
]
LEVELS = ["community", "subdistrict", "district", "municipal", "national"]
GROUPS = [["all"], ["all", "elderly"], ["children", "families"], ["elderly"], ["teenagers"]]


# -- data ---------------------------------------------------------------------------------------
async def _recreate_pg(admin_url: str, name: str) -> str:
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(admin_url)
    conn = await asyncpg.connect(
        user=url.username, password=url.password, host=url.host or HOST, port=url.port or 5432, database=url.database
    )
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return url.set(database=name).render_as_string(hide_password=False)


async def _drop_pg(admin_url: str, names: list[str]) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(admin_url)
    conn = await asyncpg.connect(
        user=url.username, password=url.password, host=url.host or HOST, port=url.port or 5432, database=url.database
    )
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def database_url(kind: str, size: int, folder: Path, pg_url: str) -> str:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{folder / f'facilities-{size}.db'}"
    return asyncio.run(_recreate_pg(pg_url, f"facilities_bench_{size}"))


async def generate(url: str, facilities: int, activities: int, seed: int = 7) -> dict:
    """Bulk-insert a synthetic registry (areas, facilities, opening slots, activities)."""
    from sqlalchemy import insert, text

    from facilities_api.activities.models import Activity
    from facilities_api.areas.models import Community, Subdistrict
    from facilities_api.facilities.geo import lat_cell
    from facilities_api.facilities.models import Facility, OpeningSlot
    from facilities_api.facilities.search import search_text
    from service_kit.db import is_sqlite, make_engine

    rng = random.Random(seed)
    engine = make_engine(url)
    now = datetime.now(UTC)
    started = time.perf_counter()
    hours = [{"weekday": d, "opens": "09:00", "closes": "17:00"} for d in range(1, 7)]
    async with engine.begin() as conn:
        await conn.execute(
            insert(Subdistrict),
            [
                {
                    "id": i + 1,
                    "code": f"sub-{i + 1}",
                    "name_zh": f"街道{i + 1}",
                    "name_en": f"Subdistrict {i + 1}",
                    "population": 40000,
                    "centroid_lat": rng.uniform(*BBOX[:2]),
                    "centroid_lon": rng.uniform(*BBOX[2:]),
                }
                for i in range(17)
            ],
        )
        await conn.execute(
            insert(Community),
            [
                {
                    "id": i + 1,
                    "code": f"com-{i + 1}",
                    "subdistrict_id": i % 17 + 1,
                    "name_zh": f"社区{i + 1}",
                    "name_en": f"Community {i + 1}",
                    "population": 4000,
                    "centroid_lat": rng.uniform(*BBOX[:2]),
                    "centroid_lon": rng.uniform(*BBOX[2:]),
                }
                for i in range(170)
            ],
        )
        rows, slots = [], []
        for i in range(1, facilities + 1):
            kind = rng.choice(KINDS)
            name = f"{['景山', '东四', '前门', '和平里', '龙潭', '天坛', '交道口'][i % 7]}{kind[:6]}{i}号馆"
            rows.append(
                {
                    "id": i,
                    "name_zh": name,
                    "name_en": f"Facility {i}",
                    "kind": kind,
                    "level": rng.choice(LEVELS),
                    "parent_id": None,
                    "subdistrict_id": i % 17 + 1,
                    "community_id": i % 170 + 1,
                    "address_zh": f"东城区某街{i}号",
                    "lat": (lat := rng.uniform(*BBOX[:2])),
                    "lon": rng.uniform(*BBOX[2:]),
                    "lat_cell": lat_cell(lat),
                    "floor_area_m2": rng.randrange(50, 5000),
                    "seats": rng.randrange(0, 300),
                    "opening_hours": hours,
                    "accessibility": ["step_free_entrance"],
                    "contact_phone": "",
                    "contact_email": "",
                    "status": "open" if rng.random() < 0.9 else rng.choice(["temporarily_closed", "closed", "planned"]),
                    "operation_mode": "government",
                    "operator_id": None,
                    "contract_id": None,
                    "operator_name": None,
                    "photos": [],
                    "description_zh": "",
                    "search_text": search_text(name, "", "") if facilities <= 10_000 else name,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if facilities <= 10_000:
                slots.extend(
                    {"facility_id": i, "weekday": s["weekday"], "opens_min": 540, "closes_min": 1020} for s in hours
                )
        for chunk in range(0, len(rows), 5000):
            await conn.execute(insert(Facility), rows[chunk : chunk + 5000])
        for chunk in range(0, len(slots), 10000):
            await conn.execute(insert(OpeningSlot), slots[chunk : chunk + 10000])
        batch = []
        for i in range(1, activities + 1):
            start = now + timedelta(days=rng.uniform(-180, 180))
            start = start.replace(minute=0, second=0, microsecond=0)
            capacity = rng.randrange(20, 100)
            batch.append(
                {
                    "id": i,
                    "facility_id": rng.randrange(1, facilities + 1),
                    "title": f"活动{i}",
                    "description": "",
                    "category": rng.choice(CATEGORIES),
                    "brand": rng.choice(["书海听涛", "", "", "戏曲进社区", "银龄课堂"]),
                    "venue": "",
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=2),
                    "capacity": capacity,
                    "booked_count": capacity if rng.random() < 0.3 else rng.randrange(0, capacity),
                    "fee_fen": 0,
                    "service_id": None,
                    "target_groups": rng.choice(GROUPS),
                    "booking_required": True,
                    "booking_opens_at": None,
                    "booking_closes_at": None,
                    "cancel_cutoff_minutes": 60,
                    "status": "published" if rng.random() < 0.95 else rng.choice(["cancelled", "draft"]),
                    "cancel_reason": "",
                    "created_by": "bench",
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                    "published_at": now,
                    "cancelled_at": None,
                }
            )
            if len(batch) == 10000:
                await conn.execute(insert(Activity), batch)
                batch = []
        if batch:
            await conn.execute(insert(Activity), batch)
        if not is_sqlite(url):
            for table in ("subdistrict", "community", "facility", "activity"):
                await conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
    async with engine.connect() as conn:
        await conn.execute(text("ANALYZE"))
        await conn.commit()
    await engine.dispose()
    return {"facilities": facilities, "activities": activities, "seconds": round(time.perf_counter() - started, 1)}


async def query_costs(url: str, facilities: int, samples: int = 300) -> dict:
    """The repository's `near` query and a get-by-id, in process (no HTTP): the database's share of the
    cost, and the figure that shows how `near` grows with the registry."""
    from facilities_api.facilities.repository import FacilityFilter, FacilityRepository, Near
    from service_kit.db import make_engine, make_sessionmaker

    rng = random.Random(5)
    engine = make_engine(url)
    out = {}
    async with make_sessionmaker(engine)() as session:
        repo = FacilityRepository(session)
        kinds = {
            "near_query": lambda: repo.list_near(
                FacilityFilter(status="open"),
                Near(rng.uniform(*BBOX[:2]), rng.uniform(*BBOX[2:]), 5000),
                after=None,
                limit=21,
            ),
            "get_query": lambda: repo.get(rng.randrange(1, facilities + 1)),
        }
        for name, call in kinds.items():
            for _ in range(30):
                await call()
            values = []
            for _ in range(samples):
                t0 = time.perf_counter_ns()
                await call()
                values.append((time.perf_counter_ns() - t0) / 1e6)
                session.expunge_all()
            out[name] = _quantiles(values)
    await engine.dispose()
    return out


async def upcoming_activity_with_ten_seats_left(url: str) -> int:
    """An upcoming published activity set to capacity 100 with 90 seats taken and no bookings."""
    from sqlalchemy import select, update

    from facilities_api.activities.models import Activity
    from service_kit.db import make_engine

    engine = make_engine(url)
    async with engine.begin() as conn:
        soon = datetime.now(UTC) + timedelta(days=3)
        activity_id = (
            await conn.execute(
                select(Activity.id)
                .where(Activity.status == "published", Activity.starts_at > soon)
                .order_by(Activity.starts_at)
                .limit(1)
            )
        ).scalar_one()
        await conn.execute(update(Activity).where(Activity.id == activity_id).values(capacity=100, booked_count=90))
    await engine.dispose()
    return activity_id


async def booked_seats(url: str, activity_id: int) -> tuple[int, int]:
    from sqlalchemy import select

    from facilities_api.activities.models import Activity
    from service_kit.db import make_engine

    engine = make_engine(url)
    async with engine.connect() as conn:
        row = (
            await conn.execute(select(Activity.booked_count, Activity.capacity).where(Activity.id == activity_id))
        ).one()
    await engine.dispose()
    return int(row[0]), int(row[1])


# -- processes ----------------------------------------------------------------------------------
class Platform:
    """facilities-api and the gateway in front of it, each its own process on a free port."""

    def __init__(self, url: str, logdir: Path, gateway_db: str) -> None:
        self.service_port, self.gateway_port = free_port(), free_port()
        os.environ.update(
            {
                "FACILITIES_DATABASE_URL": url,
                "FACILITIES_RUN_BACKGROUND_TASKS": "false",
                "FACILITIES_LOG_LEVEL": "WARNING",
                "GATEWAY_DATABASE_URL": gateway_db,
                "GATEWAY_FACILITIES_URL": f"http://{HOST}:{self.service_port}",
                "GATEWAY_RATE_LIMIT_PER_MINUTE": "100000000",
                # 200 bookings at once queue behind one SQLite connection: give them time, not a 504.
                "GATEWAY_UPSTREAM_TIMEOUT_S": "60",
                "GATEWAY_LOG_LEVEL": "WARNING",
            }
        )
        self.service = Proc(
            "facilities-api",
            [sys.executable, "-m", "facilities_api", "serve", "--host", HOST, "--port", str(self.service_port)],
            logdir,
        )
        self.gateway = Proc(
            "gateway",
            [sys.executable, "-m", "gateway", "serve", "--host", HOST, "--port", str(self.gateway_port)],
            logdir,
        )
        try:
            wait_ready(self.service, self.service_port, "/api/v1/facilities/1", timeout=60)
            wait_ready(self.gateway, self.gateway_port, "/api/v1/facilities/1", timeout=60)
        except BenchError:
            self.stop()
            raise

    def stop(self) -> None:
        self.gateway.stop()
        self.service.stop()


def _quantiles(values: list[float]) -> dict:
    values = sorted(values)

    def q(p: float) -> float:
        return values[min(len(values) - 1, int(p * len(values)))]

    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 3),
        "p95_ms": round(q(0.95), 3),
        "p99_ms": round(q(0.99), 3),
    }


def measure(port: int, makers: dict, requests: int, warmup: int) -> dict:
    """Single client, one keep-alive connection through the gateway, kinds interleaved."""
    client = RawClient(port, "/")
    samples: dict[str, list[float]] = {name: [] for name in makers}
    sizes: dict[str, list[int]] = {name: [] for name in makers}
    try:
        for i in range(warmup + requests):
            for name, make in makers.items():
                client._request = (
                    f"GET {make()} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAccept: application/json\r\n\r\n".encode()
                )
                t0 = time.perf_counter_ns()
                status = client.get()
                elapsed = (time.perf_counter_ns() - t0) / 1e6
                if status != 200:
                    raise BenchError(f"{name}: HTTP {status}: {client.body[:300]!r}")
                if i >= warmup:
                    samples[name].append(elapsed)
                    if name != "light":
                        sizes[name].append(len(json.loads(client.body)["items"]))
    finally:
        client.close()
    out = {name: _quantiles(values) for name, values in samples.items()}
    for name, counts in sizes.items():
        if counts:
            out[name]["mean_items"] = round(statistics.fmean(counts), 1)
    return out


def request_makers(rng: random.Random, facilities: int, with_activities: bool) -> dict:
    def light() -> str:
        return f"/api/v1/facilities/{rng.randrange(1, facilities + 1)}"

    def near() -> str:
        return f"/api/v1/facilities?near={rng.uniform(*BBOX[:2]):.5f},{rng.uniform(*BBOX[2:]):.5f}&status=open&limit=20&radius_m=5000"

    def activities() -> str:
        start = (datetime.now(UTC) + timedelta(days=rng.randrange(-150, 150))).strftime("%Y-%m-%dT00:00:00Z")
        end = (datetime.fromisoformat(start.replace("Z", "+00:00")) + timedelta(days=7)).strftime("%Y-%m-%dT00:00:00Z")
        return f"/api/v1/activities?from={start}&to={end}&category={rng.choice(CATEGORIES)}&has_seats=true&limit=20"

    makers = {"light": light, "near": near}
    if with_activities:
        makers["activities"] = activities
    return makers


async def concurrent_bookings(port: int, activity_id: int, residents: int = 200) -> dict:
    import httpx

    from facilities_api.settings import Settings
    from service_kit.auth import mint_token

    settings = Settings()
    tokens = [
        mint_token(settings, sub=f"bench-resident-{n}", role="resident", ttl_s=600, name=f"居民{n}")
        for n in range(residents)
    ]
    limits = httpx.Limits(max_connections=residents, max_keepalive_connections=residents)
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", limits=limits, timeout=120) as client:
        started = time.perf_counter()
        responses = await asyncio.gather(
            *(
                client.post(f"/api/v1/activities/{activity_id}/bookings", headers={"Authorization": f"Bearer {t}"})
                for t in tokens
            )
        )
        seconds = time.perf_counter() - started
    codes: dict[str, int] = {}
    statuses: dict[str, int] = {}
    for r in responses:
        codes[str(r.status_code)] = codes.get(str(r.status_code), 0) + 1
        if r.status_code == 201:
            statuses[r.json()["status"]] = statuses.get(r.json()["status"], 0) + 1
    return {"requests": residents, "http": codes, "bookings": statuses, "seconds": round(seconds, 2)}


# -- one database -------------------------------------------------------------------------------
def run_database(kind: str, args, folder: Path) -> dict:
    from facilities_api.main import MIGRATIONS_DIR
    from service_kit import migrations

    rng = random.Random(11)
    logdir = folder / f"logs-{kind}"
    logdir.mkdir(exist_ok=True)
    gateway_db = f"sqlite+aiosqlite:///{folder / f'gateway-{kind}.db'}"
    from gateway.main import MIGRATIONS_DIR as GATEWAY_MIGRATIONS

    migrations.upgrade(GATEWAY_MIGRATIONS, gateway_db)
    result: dict = {"growth": {}}
    sizes = sorted(set(args.sizes) | {args.facilities})
    for size in sizes:
        main = size == args.facilities
        url = database_url(kind, size, folder, args.pg_url)
        migrations.upgrade(MIGRATIONS_DIR, url)
        generated = asyncio.run(generate(url, size, args.activities if main else 0))
        print(
            f"[{kind}] {size} facilities, {generated['activities']} activities generated in {generated['seconds']} s",
            flush=True,
        )
        booking_activity = asyncio.run(upcoming_activity_with_ten_seats_left(url)) if main else None
        costs = asyncio.run(query_costs(url, size))
        platform_ = Platform(url, logdir, gateway_db)
        try:
            latency = measure(
                platform_.gateway_port,
                request_makers(rng, size, main),
                args.requests if main else args.growth_requests,
                args.warmup,
            )
            result["growth"][str(size)] = {"near": latency["near"], "light": latency["light"], **costs}
            if main:
                result["generated"] = generated
                result["latency"] = latency
                print(f"[{kind}] 200 residents book the last 10 seats at once", flush=True)
                booking = asyncio.run(concurrent_bookings(platform_.gateway_port, booking_activity))
                booking["booked_seats"], booking["capacity"] = asyncio.run(booked_seats(url, booking_activity))
                booking["exactly_ten_and_a_waitlist"] = (
                    booking["bookings"].get("confirmed") == 10
                    and booking["bookings"].get("waitlisted") == 190
                    and booking["booked_seats"] == booking["capacity"]
                )
                result["bookings"] = booking
        finally:
            platform_.stop()
    light = result["latency"]["light"]
    result["ratio_to_light_p50"] = {
        k: round(v["p50_ms"] / light["p50_ms"], 2) for k, v in result["latency"].items() if k != "light"
    }
    result["ratio_to_light_p95"] = {
        k: round(v["p95_ms"] / light["p95_ms"], 2) for k, v in result["latency"].items() if k != "light"
    }
    small, big = str(min(sizes)), str(max(sizes))
    result["near_growth_p50"] = round(
        result["growth"][big]["near"]["p50_ms"] / result["growth"][small]["near"]["p50_ms"], 2
    )
    result["near_query_growth_p50"] = round(
        result["growth"][big]["near_query"]["p50_ms"] / result["growth"][small]["near_query"]["p50_ms"], 2
    )
    result["meets_target"] = all(result["latency"][k]["p95_ms"] < TARGET_P95_MS for k in ("near", "activities"))
    return result


def print_table(report: dict) -> None:
    for kind, r in report["databases"].items():
        print(
            f"\n== {kind}: {r['generated']['facilities']} facilities, {r['generated']['activities']} activities, through the gateway, one client =="
        )
        print(
            f"{'request':<12}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'x light p50':>13}{'x light p95':>13}{'items':>7}"
        )
        for name, v in r["latency"].items():
            ratio50 = "" if name == "light" else f"{r['ratio_to_light_p50'][name]:.2f}"
            ratio95 = "" if name == "light" else f"{r['ratio_to_light_p95'][name]:.2f}"
            print(
                f"{name:<12}{v['p50_ms']:>9.2f}{v['p95_ms']:>9.2f}{v['p99_ms']:>9.2f}{ratio50:>13}{ratio95:>13}{v.get('mean_items', ''):>7}"
            )
        print(
            f"{'facilities':>10}{'near p50':>10}{'near p95':>10}{'light p50':>11}{'near query p50':>16}{'get query p50':>15}   (ms; queries in process)"
        )
        for size, g in r["growth"].items():
            print(
                f"{size:>10}{g['near']['p50_ms']:>10.2f}{g['near']['p95_ms']:>10.2f}{g['light']['p50_ms']:>11.2f}"
                f"{g['near_query']['p50_ms']:>16.3f}{g['get_query']['p50_ms']:>15.3f}"
            )
        b = r["bookings"]
        print(
            f"200 concurrent bookings for the last 10 seats: HTTP {b['http']}, {b['bookings']}, seats {b['booked_seats']}/{b['capacity']}"
            f" in {b['seconds']} s -> {'OK' if b['exactly_ten_and_a_waitlist'] else 'WRONG'}"
        )
        print(f"p95 under {TARGET_P95_MS:g} ms for near and activities: {'yes' if r['meets_target'] else 'NO'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--facilities", type=int, default=10_000)
    parser.add_argument("--activities", type=int, default=200_000)
    parser.add_argument(
        "--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[1_000, 100_000], help="growth sizes"
    )
    parser.add_argument("--requests", type=int, default=1000, help="measured requests of each kind (main size)")
    parser.add_argument("--growth-requests", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated databases (default: removed at the end)"
    )
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    folder = Path(tempfile.mkdtemp(prefix="facilities-bench-"))
    report: dict = {
        "bench": "facilities",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.system()},
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "pg_url"},
        "target_p95_ms": TARGET_P95_MS,
        "databases": {},
    }
    try:
        for kind in kinds:
            report["databases"][kind] = run_database(kind, args, folder)
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
            if "postgres" in kinds:
                asyncio.run(_drop_pg(args.pg_url, [f"facilities_bench_{n}" for n in {args.facilities, *args.sizes}]))
    print_table(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    return 0 if all(r["bookings"]["exactly_ten_and_a_waitlist"] for r in report["databases"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
