"""feedback-api bench (issue 5, Performance): on PostgreSQL, with 1,000,000 ratings over 2,000 targets.

    python bench/feedback/run.py                  # the whole run (a few minutes)
    python bench/feedback/run.py --ratings 200000 --duration 5    # smaller

In one run (so the ratios share the machine's load):

1. a fresh database `feedback_bench` is migrated; 10,000 ratings are bulk-loaded (COPY) and the
   index's aggregates built;
2. the satisfaction index of all facilities for the current quarter (GET /api/v1/satisfaction?period=…
   on a running feedback-api) is timed, and so is a full-scan GROUP BY over the raw ratings computing
   the same per-facility sums (asyncpg, no HTTP);
3. the table grows to 1,000,000 ratings (COPY) and both are timed again: the index should answer ≥ 10×
   faster than the full scan, and grow < 2× from 10,000 to 1,000,000 ratings (that growth timed on two
   databases, the 10,000 ratings loaded again into `feedback_bench_small`, in alternating blocks);
4. rating submission through the gateway (`python -m gateway serve`, GATEWAY_FEEDBACK_URL pointing at
   feedback-api; its facilities lookups answered by a stand-in and cached) is compared with a bare
   single-row asyncpg INSERT endpoint carried by the bench: closed-loop throughput, each endpoint's best
   over `--rounds` interleaved rounds at each `--concurrency` (32 and 64 requests in flight: the most
   each sustains; target ≥ 0.15×); then a steady 100 ratings/s offered through the gateway
   (open loop), whose 95th percentile should stay under 50 ms with no failure.

Prints a table and writes bench/results/feedback.json. Loopback only; every loop is bounded in count
and time. Exits non-zero only when the bench itself fails, never because a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import asyncpg

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = ROOT / "bench" / "results" / "feedback.json"
HOST = "127.0.0.1"
BEIJING = ZoneInfo("Asia/Shanghai")
DB = "feedback_bench"
DB_SMALL = "feedback_bench_small"  # the small load again, for the interleaved growth
SECRET = "feedback-bench-secret-0123456789-abcdefghij"

COLUMNS = (
    "resident_sub",
    "target_type",
    "target_id",
    "facility_id",
    "subdistrict",
    "operator_id",
    "period",
    "month",
    "overall",
    "environment",
    "content",
    "staff",
    "convenience",
    "comment",
    "comment_status",
    "status",
    "verified",
    "new_account",
    "live",
    "created_at",
)

# The aggregate rows as the running service lays them down: a month's rows are made in that month, so
# they sit together in the table (in the order of the key). Built unordered, as a hash aggregate emits
# them, a quarter's 4,000 rows at 1M lay one to a page across the whole year's table, 400 pages against
# 62, and the quarter's query ran two to three times slower (see the README).
BUILD_AGGREGATES = """
INSERT INTO rating_aggregate (month, target_type, target_id, operator_key, facility_id, subdistrict, n, overall_sum,
  satisfied, verified_n, verified_sum, verified_satisfied, environment_n, environment_sum, content_n, content_sum,
  staff_n, staff_sum, convenience_n, convenience_sum)
SELECT month, target_type, target_id, COALESCE(operator_id, 0), MIN(facility_id), MIN(subdistrict), COUNT(*), SUM(overall),
  SUM(CASE WHEN overall >= 4 THEN 1 ELSE 0 END), SUM(CASE WHEN verified THEN 1 ELSE 0 END),
  SUM(CASE WHEN verified THEN overall ELSE 0 END), SUM(CASE WHEN verified AND overall >= 4 THEN 1 ELSE 0 END),
  COUNT(environment), COALESCE(SUM(environment), 0), COUNT(content), COALESCE(SUM(content), 0),
  COUNT(staff), COALESCE(SUM(staff), 0), COUNT(convenience), COALESCE(SUM(convenience), 0)
FROM rating WHERE live AND status = 'visible'
GROUP BY month, target_type, target_id, COALESCE(operator_id, 0)
ORDER BY month, target_type, target_id, COALESCE(operator_id, 0)
"""

# The reference: the same per-facility figures straight from the raw ratings, every request.
FULL_SCAN = """
SELECT facility_id, COUNT(*) AS n, SUM(overall) AS overall_sum, SUM(CASE WHEN overall >= 4 THEN 1 ELSE 0 END) AS satisfied,
  SUM(CASE WHEN verified THEN 1 ELSE 0 END) AS verified_n, COUNT(environment), SUM(environment), COUNT(content), SUM(content),
  COUNT(staff), SUM(staff), COUNT(convenience), SUM(convenience)
FROM rating WHERE live AND status = 'visible' AND created_at >= $1 AND created_at < $2
GROUP BY facility_id
"""


class BenchError(Exception):
    pass


# -- processes -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Proc:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], logdir: Path) -> None:
        self.name = name
        self.log_path = logdir / f"{name}.log"
        self._log = open(self.log_path, "wb")
        self.popen = subprocess.Popen(
            argv, stdout=self._log, stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True
        )

    def tail(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=5)
        self._log.close()


async def wait_ready(proc: Proc, url: str, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if proc.popen.poll() is not None:
                raise BenchError(f"{proc.name} exited:\n{proc.tail()}")
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with http.get(url) as resp:
                    if resp.status < 500:
                        return
            await asyncio.sleep(0.2)
    raise BenchError(f"{proc.name} did not answer {url} within {timeout:.0f} s:\n{proc.tail()}")


# -- the database ----------------------------------------------------------------------------------


def asyncpg_dsn(url: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    auth = u.username or "postgres"
    if u.password:
        auth += f":{u.password}"
    return f"postgresql://{auth}@{u.host or HOST}:{u.port or 5432}/{database}"


async def recreate_database(admin_url: str, name: str = DB) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(admin_url, "postgres"))
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def ratings_batch(start: int, count: int, *, targets: int, residents: int, now: datetime, seed: int) -> list[tuple]:
    """Synthetic counted ratings spread over the past year: target t has its own quality. The first
    `residents` rows are the load's residents' earlier ratings (load-0 …), older than a week: they rate
    as residents with a history, not as new accounts (which the burst rule watches)."""
    rng = random.Random(seed)
    rows = []
    for i in range(start, start + count):
        t = i % targets + 1
        quality = 3.2 + (t * 7919 % 100) / 60
        overall = max(1, min(5, round(rng.gauss(quality, 0.9))))
        created = now - timedelta(seconds=rng.uniform(8 * 86400 if i < residents else 60, 365 * 86400))
        local = created.astimezone(BEIJING)
        dims = [max(1, min(5, overall + rng.choice((-1, 0, 0, 1)))) if rng.random() < 0.7 else None for _ in range(4)]
        rows.append(
            (
                f"load-{i}" if i < residents else f"bench-{i}",
                "facility",
                t,
                t,
                f"sub-{t % 17}",
                (t % 20 + 1) if t % 3 else None,
                f"{local.year}Q{(local.month - 1) // 3 + 1}",
                f"{local.year}-{local.month:02d}",
                overall,
                *dims,
                None,
                "none",
                "visible",
                rng.random() < 0.3,
                False,
                True,
                created,
            )
        )
    return rows


async def load(dsn: str, start: int, count: int, *, targets: int, residents: int, now: datetime) -> float:
    started = time.perf_counter()
    conn = await asyncpg.connect(dsn)
    try:
        chunk = 100_000
        for offset in range(start, start + count, chunk):
            n = min(chunk, start + count - offset)
            await conn.copy_records_to_table(
                "rating",
                records=ratings_batch(offset, n, targets=targets, residents=residents, now=now, seed=offset),
                columns=COLUMNS,
            )
        await conn.execute("TRUNCATE rating_aggregate")
        await conn.execute(BUILD_AGGREGATES)
        if start == 0:
            await conn.executemany(
                "INSERT INTO facility_operation (facility_id, mode, operator_id, subdistrict, name_zh, source, updated_at)"
                " VALUES ($1, $2, $3, $4, $5, 'seed', now()) ON CONFLICT DO NOTHING",
                [
                    (
                        t,
                        "social" if t % 3 else "government",
                        (t % 20 + 1) if t % 3 else None,
                        f"sub-{t % 17}",
                        f"设施{t}",
                    )
                    for t in range(1, targets + 1)
                ],
            )
        # Settle the freshly loaded table (visibility map, statistics, dirty pages) so that autovacuum and
        # the checkpointer do not run during the timings.
        await conn.execute("VACUUM (ANALYZE) rating")
        await conn.execute("VACUUM (ANALYZE) rating_aggregate")
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()
    return time.perf_counter() - started


def quarter_bounds(now: datetime) -> tuple[str, datetime, datetime]:
    local = now.astimezone(BEIJING)
    q = (local.month - 1) // 3
    first = datetime(local.year, 3 * q + 1, 1, tzinfo=BEIJING)
    after = datetime(local.year + (q == 3), (3 * q + 3) % 12 + 1, 1, tzinfo=BEIJING)
    return f"{local.year}Q{q + 1}", first.astimezone(UTC), after.astimezone(UTC)


async def time_index(base: str, period: str, repeats: int) -> dict:
    times = []
    async with aiohttp.ClientSession() as http:
        for i in range(repeats + 3):
            started = time.perf_counter()
            async with http.get(f"{base}/api/v1/satisfaction", params={"period": period}) as resp:
                body = await resp.read()
                if resp.status != 200:
                    raise BenchError(f"the index answered {resp.status}: {body[:300]!r}")
            if i >= 3:
                times.append((time.perf_counter() - started) * 1000)
    doc = json.loads(body)
    return {
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "facilities_ranked": len(doc["ranking"]),
        "count": doc["ratings"]["count"],
    }


async def time_in_process(sa_url: str, period: str, repeats: int) -> dict:
    """The ranking of all facilities for the quarter computed in process with the service's own code,
    once from the aggregates (what the API does) and once from a full scan of the raw ratings (what it
    would do without them): same output, different source; no HTTP or JSON in either."""
    from feedback_api.periods import DateRange, quarter_range
    from feedback_api.satisfaction import service
    from feedback_api.satisfaction.repository import AggregateRepository, Scope
    from feedback_api.settings import Settings
    from service_kit.db import make_engine, make_sessionmaker

    settings = Settings(database_url=sa_url)
    engine = make_engine(sa_url)
    maker = make_sessionmaker(engine)
    rng = DateRange(*quarter_range(period))

    async def from_aggregates():
        async with maker() as session:
            return await service.ranking(session, by="facility", rng=rng, settings=settings)

    async def from_raw():
        async with maker() as session:
            repo = AggregateRepository(session)
            rows = await repo.raw_totals(Scope("district"), rng.start, rng.end, group_by="facility")
            names = await repo.facility_names([r.group_key for r in rows])
            groups = [
                (r.group_key, r.n, r.overall_sum, r.satisfied, *names.get(r.group_key, (None, None, None)))
                for r in rows
                if r.n
            ]
            return service.rank_groups(groups, by="facility", settings=settings)

    out = {}
    try:
        for name, fn in (("index_from_aggregates", from_aggregates), ("full_scan_group_by", from_raw)):
            times = []
            for i in range(repeats + 2):
                started = time.perf_counter()
                result = await fn()
                if i >= 2:
                    times.append((time.perf_counter() - started) * 1000)
            out[name] = {"median_ms": statistics.median(times), "min_ms": min(times), "facilities": len(result)}
        a = await from_aggregates()
        b = await from_raw()
        out["same_figures"] = a == b
        if not out["same_figures"]:
            raise BenchError(
                "the index from the aggregates differs from the full scan: reconcile would fix it, but the bench loaded them together"
            )
    finally:
        await engine.dispose()
    return out


async def interleaved(
    calls: dict[str, Callable[[], Awaitable[Any]]], ranked: Callable[[Any], int], blocks: int, per_block: int = 4
) -> dict:
    """Each call (small, large) timed in alternating blocks (small, large, small, …) so that both medians
    share the machine's moments: the growth is a ratio of two timings, and timed one size after the
    other (minutes apart, the load in between) it moved by more than the target's margin between runs.
    The first call of each block is not counted (the ranking's Python work is reused while the sums are
    unchanged, and the other size's call has just replaced it). `ranked` counts the facilities in a
    call's answer, outside the timings."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    last: dict[str, Any] = {}
    for _ in range(blocks):
        for name, call in calls.items():
            for i in range(per_block):
                started = time.perf_counter()
                last[name] = await call()
                if i:
                    times[name].append((time.perf_counter() - started) * 1000)
    small, large = statistics.median(times["small"]), statistics.median(times["large"])
    return {
        "small_median_ms": small,
        "large_median_ms": large,
        "growth": large / small,
        "facilities": {name: ranked(answer) for name, answer in last.items()},
        "timings": sum(len(t) for t in times.values()),
    }


async def time_growth_interleaved(small_url: str, large_url: str, period: str, blocks: int) -> dict:
    """The ranking from the aggregates at both sizes (service code, in process), interleaved."""
    from feedback_api.periods import DateRange, quarter_range
    from feedback_api.satisfaction import service
    from feedback_api.settings import Settings
    from service_kit.db import make_engine, make_sessionmaker

    rng = DateRange(*quarter_range(period))
    sizes = {"small": small_url, "large": large_url}
    engines = {name: make_engine(url) for name, url in sizes.items()}

    def ranking(name: str):
        maker, settings = make_sessionmaker(engines[name]), Settings(database_url=sizes[name])

        async def call() -> list:
            async with maker() as session:
                return await service.ranking(session, by="facility", rng=rng, settings=settings)

        return call

    try:
        return await interleaved({name: ranking(name) for name in sizes}, len, blocks)
    finally:
        for engine in engines.values():
            await engine.dispose()


async def time_http_interleaved(small_base: str, large_base: str, period: str, blocks: int) -> dict:
    """`GET /api/v1/satisfaction` of two feedback-apis, one on each size, interleaved: from the request
    to the last byte of the answer (the bench's parsing of the JSON is not timed)."""
    async with aiohttp.ClientSession() as http:

        def overview(base: str):
            async def call() -> bytes:
                async with http.get(f"{base}/api/v1/satisfaction", params={"period": period}) as resp:
                    body = await resp.read()
                    if resp.status != 200:
                        raise BenchError(f"the index answered {resp.status}: {body[:300]!r}")
                return body

            return call

        calls = {"small": overview(small_base), "large": overview(large_base)}
        return await interleaved(calls, lambda body: len(json.loads(body)["ranking"]), blocks)


async def time_full_scan(dsn: str, start: datetime, end: datetime, repeats: int) -> dict:
    conn = await asyncpg.connect(dsn)
    times = []
    try:
        for i in range(repeats + 1):
            started = time.perf_counter()
            rows = await conn.fetch(FULL_SCAN, start, end)
            if i >= 1:
                times.append((time.perf_counter() - started) * 1000)
    finally:
        await conn.close()
    return {"median_ms": statistics.median(times), "min_ms": min(times), "groups": len(rows)}


# -- load ------------------------------------------------------------------------------------------


def mint_tokens(n: int) -> list[str]:
    from service_kit.auth import mint_token
    from service_kit.settings import BaseServiceSettings

    settings = BaseServiceSettings(jwt_secret=SECRET, service_name="bench")
    return [mint_token(settings, sub=f"load-{i}", role="resident", ttl_s=3600) for i in range(n)]


def address_of(resident: int) -> str:
    """The load's residents' addresses: four residents per /24 network (a household, a building), so no
    network rates a target five times within the burst window."""
    network = resident // 4
    return f"10.{network // 250 % 250}.{network % 250}.{resident % 4 + 1}"


class Requests:
    """Request k: resident k % R rates target (k // R + k % R) % T + 1. Every (resident, target) pair is
    rated at most once (for R·T requests), and consecutive requests come from different residents about
    different targets, as a district's residents send them: no resident rates thousands of facilities
    within seconds (the per-resident limits would refuse that; the bench lifts them so nothing is refused)."""

    def __init__(self, tokens: list[str], targets: int, offset: int) -> None:
        self.tokens, self.targets, self.k = tokens, targets, offset

    def next(self) -> tuple[int, int]:
        k = self.k
        self.k += 1
        residents = len(self.tokens)
        resident = k % residents
        return resident, (k // residents + resident) % self.targets + 1


async def closed_loop(url: str, make, *, concurrency: int, duration: float, max_requests: int | None = None) -> dict:
    done = 0
    errors: list[str] = []
    latencies: list[float] = []
    deadline = time.perf_counter() + duration
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline and len(errors) < 20 and (max_requests is None or done < max_requests):
                body, headers = make()
                started = time.perf_counter()
                async with http.post(url, data=body, headers=headers) as resp:
                    await resp.read()
                    if resp.status not in (200, 201):
                        errors.append(f"{resp.status} {(await resp.text())[:200]}")
                        continue
                latencies.append((time.perf_counter() - started) * 1000)
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    if errors:
        raise BenchError(f"{url}: {len(errors)} failed requests, e.g. {errors[0]}")
    return {
        "requests": done,
        "seconds": round(elapsed, 2),
        "rps": done / elapsed,
        "p50_ms": statistics.median(latencies),
    }


async def open_loop(url: str, make, *, rate: float, seconds: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as http:

        async def one() -> None:
            body, headers = make()
            started = time.perf_counter()
            try:
                async with http.post(url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=30)) as resp:
                    await resp.read()
                    if resp.status not in (200, 201):
                        errors.append(f"{resp.status} {(await resp.text())[:300]}")
                        return
            except (aiohttp.ClientError, TimeoutError) as exc:
                errors.append(type(exc).__name__)
                return
            latencies.append((time.perf_counter() - started) * 1000)

        # warm-up at the same rate, not measured
        tasks = []
        begin = time.perf_counter()
        total = int(rate * seconds)
        warm = int(rate * 2)
        for i in range(warm + total):
            target_time = begin + i / rate
            delay = target_time - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if i == warm:
                latencies.clear()
            tasks.append(asyncio.create_task(one()))
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=90)
    latencies.sort()
    if not latencies:
        raise BenchError(f"{url}: every request of the steady run failed, e.g. {errors[0] if errors else '?'}")
    return {
        "offered_rps": rate,
        "requests": len(latencies),
        "failed": len(errors),
        "first_failure": errors[0] if errors else None,
        "p50_ms": statistics.median(latencies),
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
        "p99_ms": latencies[int(0.99 * (len(latencies) - 1))],
        "max_ms": latencies[-1],
    }


# -- the run ---------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> dict:
    now = datetime.now(UTC)
    period, q_start, q_end = quarter_bounds(now)
    sa_url = args.database_url.rsplit("/", 1)[0] + f"/{DB}"
    dsn = asyncpg_dsn(args.database_url, DB)
    logdir = Path(tempfile.mkdtemp(prefix="bench-feedback-"))
    procs: list[Proc] = []
    results: dict = {"period": period, "targets": args.targets}
    python = sys.executable
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("FEEDBACK_", "GATEWAY_"))}
    try:
        offset = 0
        if args.submission_only:
            print(f"database {DB}: kept from an earlier run; submission only …", flush=True)
            subprocess.run(
                [python, "-m", "feedback_api", "migrate"],
                env={**base_env, "FEEDBACK_DATABASE_URL": sa_url},
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            conn = await asyncpg.connect(dsn)
            try:  # start after the (resident, target) pairs earlier runs rated, so every request is a new rating
                done = max(
                    await conn.fetchval("SELECT count(*) FROM rating WHERE resident_sub LIKE 'load-%'"),
                    # the reference names its residents bare-<r>-<k>: start past the highest k (a run that
                    # failed part-way leaves fewer rows than the k it reached)
                    await conn.fetchval(
                        "SELECT coalesce(max(split_part(resident_sub, '-', 3)::int) + 1, 0) FROM rating WHERE resident_sub LIKE 'bare-%'"
                    ),
                )
            finally:
                await conn.close()
            offset = (done // args.residents + 1) * args.residents
        else:
            print(
                f"database {DB}: migrating and loading {args.small:,} ratings over {args.targets:,} targets …",
                flush=True,
            )
            await recreate_database(args.database_url)
            subprocess.run(
                [python, "-m", "feedback_api", "migrate"],
                env={**base_env, "FEEDBACK_DATABASE_URL": sa_url},
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            results["load_small_s"] = round(
                await load(dsn, 0, args.small, targets=args.targets, residents=args.residents, now=now), 2
            )

        ports = {name: free_port() for name in ("standin", "feedback", "gateway", "bare")}
        standin = Proc(
            "standin", [python, str(HERE / "apps.py"), "standin", "--port", str(ports["standin"])], base_env, logdir
        )
        procs.append(standin)
        feedback_env = {
            **base_env,
            "FEEDBACK_DATABASE_URL": sa_url,
            "FEEDBACK_FACILITIES_URL": f"http://{HOST}:{ports['standin']}",
            "FEEDBACK_RUN_BACKGROUND_TASKS": "false",
            "FEEDBACK_JWT_SECRET": SECRET,
            "FEEDBACK_LOG_LEVEL": "WARNING",
            "FEEDBACK_RATINGS_PER_HOUR": "100000000",
            "FEEDBACK_RATINGS_PER_DAY": "100000000",
            # The load's residents come from many networks (X-Forwarded-For through the gateway, trusted
            # here as behind a load balancer); the burst rule runs with its default threshold and counts.
            "FEEDBACK_TRUST_FORWARDED": "true",
            **dict(setting.split("=", 1) for setting in args.feedback_setting),
        }
        results["feedback_workers"] = args.feedback_workers
        feedback = Proc(
            "feedback-api",
            [
                python,
                "-m",
                "feedback_api",
                "serve",
                "--host",
                HOST,
                "--port",
                str(ports["feedback"]),
                "--workers",
                str(args.feedback_workers),
            ],
            feedback_env,
            logdir,
        )
        procs.append(feedback)
        ports["nolock"] = free_port()
        nolock = Proc(
            "feedback-api-nolock",
            [
                python,
                "-m",
                "uvicorn",
                "bench.feedback.nolock:create_app",
                "--factory",
                "--host",
                HOST,
                "--port",
                str(ports["nolock"]),
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            {**feedback_env, "PYTHONPATH": str(ROOT)},
            logdir,
        )
        procs.append(nolock)
        await wait_ready(standin, f"http://{HOST}:{ports['standin']}/api/v1/facilities/1")
        await wait_ready(feedback, f"http://{HOST}:{ports['feedback']}/healthz")
        await wait_ready(nolock, f"http://{HOST}:{ports['nolock']}/healthz")
        feedback_base = f"http://{HOST}:{ports['feedback']}"

        if not args.submission_only:
            print("index vs full scan at the small size …", flush=True)
            small = {
                "http_index": await time_index(feedback_base, period, args.repeats),
                "sql_full_scan": await time_full_scan(dsn, q_start, q_end, args.repeats),
                **await time_in_process(sa_url, period, args.repeats),
            }
            results["small"] = {"ratings": args.small, **small}

            middle = args.ratings // 10
            if args.small < middle < args.ratings:
                print(f"growing to {middle:,} ratings (COPY) …", flush=True)
                await load(
                    dsn, args.small, middle - args.small, targets=args.targets, residents=args.residents, now=now
                )
                results["middle"] = {"ratings": middle, **await time_in_process(sa_url, period, args.repeats)}
            else:
                middle = args.small
            print(f"growing to {args.ratings:,} ratings (COPY) …", flush=True)
            results["load_large_s"] = round(
                await load(dsn, middle, args.ratings - middle, targets=args.targets, residents=args.residents, now=now),
                2,
            )
            print("index vs full scan at the large size …", flush=True)
            large = {
                "http_index": await time_index(feedback_base, period, args.repeats),
                "sql_full_scan": await time_full_scan(dsn, q_start, q_end, args.repeats),
                **await time_in_process(sa_url, period, args.repeats),
            }
            results["large"] = {"ratings": args.ratings, **large}
            print(
                f"growth, interleaved: {args.small:,} ratings (a database of their own, the same rows) against {args.ratings:,} …",
                flush=True,
            )
            await recreate_database(args.database_url, DB_SMALL)
            small_url = args.database_url.rsplit("/", 1)[0] + f"/{DB_SMALL}"
            subprocess.run(
                [python, "-m", "feedback_api", "migrate"],
                env={**base_env, "FEEDBACK_DATABASE_URL": small_url},
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            await load(
                asyncpg_dsn(args.database_url, DB_SMALL),
                0,
                args.small,
                targets=args.targets,
                residents=args.residents,
                now=now,
            )
            results["growth_interleaved"] = await time_growth_interleaved(
                small_url, sa_url, period, blocks=args.growth_blocks
            )
            print("the same over HTTP: a second feedback-api on the 10,000 ratings …", flush=True)
            ports["feedback_small"] = free_port()
            feedback_small = Proc(
                "feedback-api-small",
                [python, "-m", "feedback_api", "serve", "--host", HOST, "--port", str(ports["feedback_small"])],
                {**feedback_env, "FEEDBACK_DATABASE_URL": small_url},
                logdir,
            )
            procs.append(feedback_small)
            small_base = f"http://{HOST}:{ports['feedback_small']}"
            await wait_ready(feedback_small, f"{small_base}/healthz")
            results["http_growth_interleaved"] = await time_http_interleaved(
                small_base, feedback_base, period, blocks=args.growth_blocks
            )
            feedback_small.stop()

        gateway_db = logdir / "gateway.db"
        gateway_env = {
            **base_env,
            "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{gateway_db}",
            "GATEWAY_FEEDBACK_URL": feedback_base,
            "GATEWAY_FACILITIES_URL": f"http://{HOST}:{ports['standin']}",
            "GATEWAY_OPERATORS_URL": f"http://{HOST}:{ports['standin']}",
            "GATEWAY_JWT_SECRET": SECRET,
            "GATEWAY_RATE_LIMIT_PER_MINUTE": "100000000",
            "GATEWAY_TRUST_FORWARDED": "true",
            "GATEWAY_LOG_LEVEL": "WARNING",
        }
        subprocess.run([python, "-m", "gateway", "migrate"], env=gateway_env, cwd=ROOT, check=True, capture_output=True)
        gateway = Proc(
            "gateway",
            [python, "-m", "gateway", "serve", "--host", HOST, "--port", str(ports["gateway"])],
            gateway_env,
            logdir,
        )
        bare = Proc(
            "bare",
            [python, str(HERE / "apps.py"), "bare", "--port", str(ports["bare"]), "--dsn", dsn],
            base_env,
            logdir,
        )
        procs += [gateway, bare]
        await wait_ready(gateway, f"http://{HOST}:{ports['gateway']}/healthz")
        await wait_ready(bare, f"http://{HOST}:{ports['bare']}/")

        tokens = mint_tokens(args.residents)
        through_gateway = Requests(tokens, args.targets, offset)
        reference = Requests(tokens, args.targets, offset)

        def gateway_request():
            r, t = through_gateway.next()
            body = json.dumps(
                {"target_type": "facility", "target_id": t, "overall": 1 + (r + t) % 5, "dimensions": {"staff": 4}}
            )
            return body, {
                "content-type": "application/json",
                "authorization": f"Bearer {tokens[r]}",
                "x-forwarded-for": address_of(r),
            }

        def bare_request():
            r, t = reference.next()
            return json.dumps({"resident": f"bare-{r}-{reference.k}", "target_id": t, "overall": 1 + (r + t) % 5}), {
                "content-type": "application/json"
            }

        gateway_url = f"http://{HOST}:{ports['gateway']}/api/v1/ratings"
        bare_url = f"http://{HOST}:{ports['bare']}/ratings"
        # Warm the connection pools, feedback-api's facilities cache and its verified tokens with every
        # target and every resident once (not measured): the load cycles through all of them, so a
        # shorter warm-up leaves the first round's lookups cold.
        warm = max(args.targets, args.residents)
        concurrency = args.concurrency[0]
        await closed_loop(gateway_url, gateway_request, concurrency=concurrency, duration=60, max_requests=warm)
        await closed_loop(bare_url, bare_request, concurrency=8, duration=1)
        rounds = []
        for n in range(args.rounds):
            for c in args.concurrency:
                print(f"throughput round {n + 1}/{args.rounds}, {c} requests in flight …", flush=True)
                b = await closed_loop(bare_url, bare_request, concurrency=c, duration=args.duration)
                g = await closed_loop(gateway_url, gateway_request, concurrency=c, duration=args.duration)
                rounds.append({"concurrency": c, "bare": b, "gateway": g})
                print(
                    f"  bare {b['rps']:.0f}/s (p50 {b['p50_ms']:.1f} ms), gateway {g['rps']:.0f}/s (p50 {g['p50_ms']:.1f} ms)",
                    flush=True,
                )
        results["throughput_rounds"] = rounds
        results["throughput"] = {  # each one's best: the most it sustained at any concurrency tried
            "bare_rps": max(r["bare"]["rps"] for r in rounds),
            "gateway_rps": max(r["gateway"]["rps"] for r in rounds),
        }
        print("diagnostics: straight to feedback-api, and without the kit's outbox lock …", flush=True)
        direct_url = f"{feedback_base}/api/v1/ratings"
        nolock_url = f"http://{HOST}:{ports['nolock']}/api/v1/ratings"
        await closed_loop(nolock_url, gateway_request, concurrency=concurrency, duration=60, max_requests=warm)
        results["diagnostics"] = {
            "direct_rps": (
                await closed_loop(direct_url, gateway_request, concurrency=concurrency, duration=args.duration)
            )["rps"],
            "direct_without_outbox_lock_rps": (
                await closed_loop(nolock_url, gateway_request, concurrency=concurrency, duration=args.duration)
            )["rps"],
        }
        print(
            f"  direct {results['diagnostics']['direct_rps']:.0f}/s, direct without the outbox lock "
            f"{results['diagnostics']['direct_without_outbox_lock_rps']:.0f}/s",
            flush=True,
        )
        # Steady state, not the aftermath of the saturation runs: PostgreSQL writes out their dirty pages
        # first, and the facilities cache (60 s) is warm again, as it is for a service running steadily.
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute("CHECKPOINT")
            # the load is not abuse: none of its ratings should have been held as a burst
            results["held_as_bursts"] = await conn.fetchval("SELECT count(*) FROM rating WHERE status = 'held'")
        finally:
            await conn.close()
        print(f"  ratings held as bursts: {results['held_as_bursts']}", flush=True)
        await closed_loop(gateway_url, gateway_request, concurrency=concurrency, duration=60, max_requests=warm)
        print(
            f"steady {args.steady_rate:.0f} ratings/s through the gateway for {args.steady_seconds:.0f} s …", flush=True
        )
        results["steady"] = await open_loop(
            gateway_url, gateway_request, rate=args.steady_rate, seconds=args.steady_seconds
        )
    finally:
        for p in reversed(procs):
            p.stop()
        with contextlib.suppress(Exception):
            conn = await asyncpg.connect(asyncpg_dsn(args.database_url, "postgres"))
            await conn.execute(f'DROP DATABASE IF EXISTS "{DB_SMALL}" WITH (FORCE)')
            if not (args.keep_database or args.submission_only):
                await conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
            await conn.close()
    return results


def report(results: dict) -> dict:
    small, large = results["small"], results["large"]
    t = results["throughput"]
    figures = {
        "index_speedup_vs_full_scan": large["full_scan_group_by"]["median_ms"]
        / large["index_from_aggregates"]["median_ms"],
        "index_growth_10k_to_1m": results["growth_interleaved"]["growth"],
        "index_growth_10k_to_1m_one_after_the_other": large["index_from_aggregates"]["median_ms"]
        / small["index_from_aggregates"]["median_ms"],
        "full_scan_growth": large["full_scan_group_by"]["median_ms"] / small["full_scan_group_by"]["median_ms"],
        "http_index_growth": results["http_growth_interleaved"]["growth"],
        "http_index_growth_one_after_the_other": large["http_index"]["median_ms"] / small["http_index"]["median_ms"],
        **(
            {
                "index_growth_100k_to_1m": large["index_from_aggregates"]["median_ms"]
                / results["middle"]["index_from_aggregates"]["median_ms"]
            }
            if "middle" in results
            else {}
        ),
        "gateway_over_bare_throughput": t["gateway_rps"] / t["bare_rps"],
        "steady_p95_ms": results["steady"]["p95_ms"],
        "steady_failures": results["steady"]["failed"],
    }
    targets = {
        "index_speedup_vs_full_scan": (">=", 10.0),
        "index_growth_10k_to_1m": ("<", 2.0),
        "gateway_over_bare_throughput": (">=", 0.15),
        "steady_p95_ms": ("<", 50.0),
        "steady_failures": ("<", 1),
    }
    rows = [
        ("ranking from the aggregates (in process)", "index_from_aggregates"),
        ("ranking from a full-scan GROUP BY", "full_scan_group_by"),
        ("GET /api/v1/satisfaction (HTTP, JSON)", "http_index"),
        ("the GROUP BY alone (asyncpg)", "sql_full_scan"),
    ]
    print()
    print(f"{'all facilities, one quarter':44} {small['ratings']:>12,} {large['ratings']:>12,} ratings")
    for name, key in rows:
        print(f"{name:44} {small[key]['median_ms']:>9.1f} ms {large[key]['median_ms']:>9.1f} ms")
    g = results["growth_interleaved"]
    print(
        f"interleaved: from the aggregates {g['small_median_ms']:.1f} ms at {small['ratings']:,} and {g['large_median_ms']:.1f} ms"
        f" at {large['ratings']:,} ({g['timings']} timings)"
    )
    h = results["http_growth_interleaved"]
    print(
        f"interleaved: GET /api/v1/satisfaction {h['small_median_ms']:.1f} ms at {small['ratings']:,} and {h['large_median_ms']:.1f} ms"
        f" at {large['ratings']:,} ({h['timings']} timings)"
    )
    if "middle" in results:
        m = results["middle"]
        print(
            f"at {m['ratings']:,} ratings: from the aggregates {m['index_from_aggregates']['median_ms']:.1f} ms,"
            f" full scan {m['full_scan_group_by']['median_ms']:.1f} ms"
        )
    print()
    print(
        f"submit: bare asyncpg INSERT {t['bare_rps']:8.0f} /s   through the gateway {t['gateway_rps']:8.0f} /s"
        f"   (feedback-api workers: {results.get('feedback_workers', 1)})"
    )
    d = results["diagnostics"]
    print(
        f"diagnostics: straight to feedback-api {d['direct_rps']:.0f} /s, without the outbox lock {d['direct_without_outbox_lock_rps']:.0f} /s"
    )
    s = results["steady"]
    print(
        f"steady {s['offered_rps']:.0f}/s through the gateway: p50 {s['p50_ms']:.1f} ms  p95 {s['p95_ms']:.1f} ms  p99 {s['p99_ms']:.1f} ms"
        f"  ({s['failed']} failed)"
    )
    print()
    verdicts = {}
    for key, value in figures.items():
        if key in targets:
            op, limit = targets[key]
            ok = value >= limit if op == ">=" else value < limit
            verdicts[key] = ok
            print(f"{key:34} {value:8.2f}   target {op} {limit:<6} {'met' if ok else 'MISSED'}")
        else:
            print(f"{key:34} {value:8.2f}")
    return {"figures": figures, "goals": {k: f"{op} {lim}" for k, (op, lim) in targets.items()}, "met": verdicts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"),
        help="an admin URL of the PostgreSQL server (the bench creates and drops feedback_bench)",
    )
    parser.add_argument("--ratings", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--targets", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument(
        "--growth-blocks",
        type=int,
        default=30,
        help="alternating blocks of the interleaved growth timing (four calls on each size per block, the first not counted)",
    )
    parser.add_argument("--residents", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[32, 64],
        help="requests in flight in the throughput rounds (each endpoint's best counts); the first also for the diagnostics",
    )
    parser.add_argument("--steady-rate", type=float, default=100.0)
    parser.add_argument("--steady-seconds", type=float, default=10.0)
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument(
        "--feedback-workers",
        type=int,
        default=1,
        help="uvicorn workers of the feedback-api under test (serve --workers)",
    )
    parser.add_argument(
        "--feedback-setting",
        action="append",
        default=[],
        metavar="FEEDBACK_NAME=VALUE",
        help="an extra setting of the feedback-api under test (repeatable), e.g. FEEDBACK_BURST_THRESHOLD=10",
    )
    parser.add_argument(
        "--submission-only",
        action="store_true",
        help="reuse feedback_bench kept by an earlier run (--keep-database); time the submission only (implies --keep-database)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.small >= args.ratings:
        parser.error("--small must be less than --ratings")
    try:
        results = asyncio.run(run(args))
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    if args.submission_only:
        t, s, d = results["throughput"], results["steady"], results["diagnostics"]
        print(f"\nfeedback-api workers: {results['feedback_workers']}")
        print(
            f"submit: bare {t['bare_rps']:.0f}/s, through the gateway {t['gateway_rps']:.0f}/s ({t['gateway_rps'] / t['bare_rps']:.2f}x);"
            f" direct {d['direct_rps']:.0f}/s, direct without the outbox lock {d['direct_without_outbox_lock_rps']:.0f}/s"
        )
        print(
            f"steady {s['offered_rps']:.0f}/s: p50 {s['p50_ms']:.1f} ms  p95 {s['p95_ms']:.1f} ms  p99 {s['p99_ms']:.1f} ms ({s['failed']} failed)"
        )
        print("(submission only: bench/results/feedback.json is left as it was)")
        return 0
    summary = report(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(
            {
                "bench": "feedback",
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                },
                **results,
                **summary,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
