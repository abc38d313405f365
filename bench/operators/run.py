"""operators-api bench: one command.

    python bench/operators/run.py [--contracts 200] [--selections 1000] [--latency-ms 20]

1. Evaluation batch. A fresh SQLite database holds N active contracts (two facilities each, KPI
   targets, a quarter's service reports and an inspection). operators-api, facilities-api's and
   feedback-api's stand-ins run as real processes on loopback; each stand-in answers after a fixed
   latency (default 20 ms) and counts the calls in flight. The bench times
   POST /api/v1/evaluations/batch/runs for the last completed quarter (4 calls per contract, made
   concurrently and bounded by OPERATORS_EVALUATION_CONCURRENCY, default 16), then again at other
   bounds (those runs refresh the drafts). Target: under 10 s at the default bound.
2. OCDS. The same database gets M awarded selections (three bids, a running contract, instalments,
   one paid) and the bench streams GET /api/v1/ocds/releases to the end, timing the first byte and
   the whole package, and checks it parses with M + N releases. Target: under 2 s.

Prints a table and writes bench/results/operators.json. Loopback only. Exits non-zero only if the
bench itself fails (a process does not start, an answer is not 200), never because a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = ROOT / "bench" / "results" / "operators.json"
HOST = "127.0.0.1"
TARGET_EVALUATION_S = 10.0
TARGET_OCDS_S = 2.0


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

    def stop(self) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
        self._log.close()

    def tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:]


def wait_ready(url: str, proc: Proc, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise SystemExit(f"{proc.name} exited:\n{proc.tail()}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{proc.name} did not answer at {url}:\n{proc.tail()}")


def last_quarter(today: date) -> tuple[str, date, date]:
    from operators_api.periods import parse_period

    q = parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}")
    prev = parse_period(f"{(q.start - timedelta(days=1)).year}-Q{((q.start - timedelta(days=1)).month - 1) // 3 + 1}")
    return prev.name, prev.start, prev.end


async def seed(url: str, contracts: int, selections: int, quarter: tuple[str, date, date]) -> None:
    """Contracts through the use cases (so they are what the API would have made); reports, inspections
    and the OCDS selections as rows (setup, not what is measured)."""
    from operators_api import models  # noqa: F401
    from operators_api.contracts import service as contract_service
    from operators_api.contracts.models import Contract, ContractFacility, Instalment
    from operators_api.contracts.schemas import ContractCreate, ContractStatusChange
    from operators_api.inspections.models import Inspection
    from operators_api.operators import service as operator_service
    from operators_api.operators.schemas import OperatorCreate, StatusChange
    from operators_api.operators.uscc import complete
    from operators_api.periods import months_between
    from operators_api.reports.models import ServiceReport
    from operators_api.selections.models import Bid, Selection
    from operators_api.shared import no_version_check
    from service_kit.auth import Principal
    from service_kit.clock import Clock
    from service_kit.db import make_engine, make_sessionmaker

    official = Principal(sub="bench", role="official", name="bench")
    clock = Clock()
    now = clock.now()
    name, q_start, q_end = quarter
    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    operator_ids = []
    for i in range(20):
        async with maker() as s:
            op = await operator_service.register_operator(
                s,
                principal=official,
                clock=clock,
                data=OperatorCreate(
                    legal_name=f"基准测试文化运营公司{i:02d}",
                    type="enterprise",
                    uscc=complete(f"91110101MA9{i:05d}"),
                    registered_address="北京市东城区",
                ),
            )
            await operator_service.change_status(
                s,
                principal=official,
                clock=clock,
                operator_id=op["id"],
                data=StatusChange(status="qualified", reason="bench"),
                check_version=no_version_check,
            )
            operator_ids.append(op["id"])
    starts, ends = q_start - timedelta(days=180), q_end + timedelta(days=720)
    targets = {
        "open_hours_per_week": 40,
        "activities_per_month": 8,
        "participants_per_month": 240,
        "special_group_services_per_month": 12,
        "complaint_on_time_percent": 90,
        "min_satisfaction_score": 70,
    }
    months = months_between(q_start, q_end)
    for i in range(contracts):
        facility_ids = [10_000 + 2 * i, 10_001 + 2 * i]
        async with maker() as s:
            c = await contract_service.create_contract(
                s,
                principal=official,
                clock=clock,
                data=ContractCreate(
                    title=f"基准合同{i:03d}",
                    operator_id=operator_ids[i % 20],
                    facility_ids=facility_ids,
                    procurement_method="single_source",
                    justification="bench",
                    starts_on=starts,
                    ends_on=ends,
                    amount_fen=120_000_000,
                    instalments=[
                        {"due_on": q_end + timedelta(days=15), "amount_fen": 120_000_000, "linked_period": name}
                    ],
                    kpi_targets=targets,
                ),
            )
            await contract_service.change_status(
                s,
                principal=official,
                clock=clock,
                contract_id=c["id"],
                data=ContractStatusChange(status="active", reason="bench"),
                check_version=no_version_check,
            )
            for m in months:
                s.add(
                    ServiceReport(
                        contract_id=c["id"],
                        operator_id=c["operator_id"],
                        month=m,
                        summary="",
                        cross_check={},
                        flagged=False,
                        lines=[
                            {
                                "facility_id": f,
                                "open_hours": "175",
                                "activities": 9,
                                "participants": 270,
                                "special_group_services": 15,
                                "incidents": 0,
                            }
                            for f in facility_ids
                        ],
                        filed_by="bench",
                        filed_at=now,
                        updated_at=now,
                        version=1,
                    )
                )
            s.add(
                Inspection(
                    contract_id=c["id"],
                    operator_id=c["operator_id"],
                    facility_id=facility_ids[0],
                    inspected_on=q_start + timedelta(days=40),
                    announced=False,
                    inspector="bench",
                    inspector_name="bench",
                    items=[],
                    score_centi=8800,
                    summary="",
                    created_at=now,
                )
            )
            await s.commit()
    # The OCDS selections' contracts start after the quarter: the evaluation batch leaves them out.
    later_start, later_end = q_end + timedelta(days=1), q_end + timedelta(days=1096)
    criteria = [
        {"key": "price", "name_zh": "价格", "kind": "price", "weight": 30},
        {"key": "plan", "name_zh": "服务方案", "kind": "quality", "weight": 70},
    ]
    async with maker() as s:
        for i in range(selections):
            sel = Selection(
                reference=f"BENCH-{i:05d}",
                title=f"基准遴选项目{i:05d}",
                description="bench",
                scope="bench",
                purchaser_subdistrict=None,
                method="public_tender",
                budget_fen=300_000_000,
                facility_ids=[20_000 + i],
                criteria=criteria,
                price_formula={"kind": "lowest_price_base"},
                trim_extremes=False,
                bids_open_at=now - timedelta(days=200),
                bids_close_at=now - timedelta(days=190),
                service_starts_on=later_start,
                service_ends_on=later_end,
                status="awarded",
                status_reason="bench",
                award_reason="综合得分第一",
                awarded_at=now - timedelta(days=180),
                published_at=now - timedelta(days=205),
                version=5,
                created_by="bench",
                created_at=now - timedelta(days=210),
                updated_at=now - timedelta(days=180),
            )
            s.add(sel)
            await s.flush()
            bids = [
                Bid(
                    selection_id=sel.id,
                    operator_id=operator_ids[(i + k) % 20],
                    price_fen=250_000_000 + k * 1_000_000,
                    proposal_summary="bench",
                    documents=[],
                    status="submitted",
                    submitted_by="bench",
                    submitted_at=now - timedelta(days=195),
                    updated_at=now - timedelta(days=195),
                    version=1,
                )
                for k in range(3)
            ]
            s.add_all(bids)
            await s.flush()
            sel.awarded_bid_id = bids[0].id
            sel.result = [
                {
                    "rank": k + 1,
                    "bid_id": b.id,
                    "operator_id": b.operator_id,
                    "operator_name": "",
                    "price_fen": b.price_fen,
                    "price_score": "30.00",
                    "criteria": {},
                    "total": str(90 - k),
                    "complete": True,
                }
                for k, b in enumerate(bids)
            ]
            c = Contract(
                reference=f"BENCH-C-{i:05d}",
                title=sel.title,
                selection_id=sel.id,
                bid_id=bids[0].id,
                operator_id=bids[0].operator_id,
                purchaser_subdistrict=None,
                procurement_method="public_tender",
                justification="",
                starts_on=later_start,
                ends_on=later_end,
                amount_fen=250_000_000,
                service_standards=[],
                kpi_targets=targets,
                status="active",
                activated_at=now - timedelta(days=170),
                version=2,
                created_by="bench",
                created_at=now - timedelta(days=175),
                updated_at=now - timedelta(days=170),
            )
            s.add(c)
            await s.flush()
            s.add(ContractFacility(contract_id=c.id, facility_id=20_000 + i))
            for k in range(4):
                s.add(
                    Instalment(
                        contract_id=c.id,
                        seq=k + 1,
                        due_on=later_start + timedelta(days=90 * k),
                        amount_fen=62_500_000,
                        paid_on=later_start if k == 0 else None,
                        paid_amount_fen=62_500_000 if k == 0 else None,
                    )
                )
            if i % 200 == 199:
                await s.commit()
        await s.commit()
    await engine.dispose()


def token() -> str:
    from operators_api.settings import Settings
    from service_kit.auth import mint_token

    return mint_token(Settings(), sub="bench-official", role="official", ttl_s=3600, name="bench")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=200)
    parser.add_argument("--selections", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--bounds", default="16,4,64", help="concurrency bounds to run; the first is the target run")
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="bench-operators-"))
    db_url = f"sqlite+aiosqlite:///{folder / 'operators.db'}"
    env = {
        **os.environ,
        "OPERATORS_DATABASE_URL": db_url,
        "OPERATORS_RUN_BACKGROUND_TASKS": "false",
        "OPERATORS_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    subprocess.run([sys.executable, "-m", "operators_api", "migrate"], env=env, check=True, capture_output=True)
    today = datetime.now(UTC).date()
    quarter = last_quarter(today)
    t0 = time.perf_counter()
    asyncio.run(seed(db_url, args.contracts, args.selections, quarter))
    seed_s = time.perf_counter() - t0

    fport, bport = free_port(), free_port()
    procs: list[Proc] = []
    results: dict = {
        "bench": "operators",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.system(),
            "machine": platform.machine(),
        },
        "config": {
            "contracts": args.contracts,
            "facilities_per_contract": 2,
            "calls_per_contract": 4,
            "selections": args.selections,
            "latency_ms": args.latency_ms,
            "quarter": quarter[0],
            "seed_s": round(seed_s, 2),
        },
        "targets": {"evaluation_batch_s": TARGET_EVALUATION_S, "ocds_package_s": TARGET_OCDS_S},
        "evaluation": [],
    }
    try:
        for kind, port in (("facilities", fport), ("feedback", bport)):
            p = Proc(
                f"standin-{kind}",
                [
                    sys.executable,
                    str(HERE / "standins.py"),
                    "--kind",
                    kind,
                    "--port",
                    str(port),
                    "--latency-ms",
                    str(args.latency_ms),
                ],
                env,
                folder,
            )
            procs.append(p)
            wait_ready(f"http://{HOST}:{port}/bench/stats", p)
        bearer = {"Authorization": f"Bearer {token()}"}
        for n, bound in enumerate(int(b) for b in args.bounds.split(",")):
            aport = free_port()
            api_env = {
                **env,
                "OPERATORS_FACILITIES_URL": f"http://{HOST}:{fport}",
                "OPERATORS_FEEDBACK_URL": f"http://{HOST}:{bport}",
                "OPERATORS_EVALUATION_CONCURRENCY": str(bound),
            }
            api = Proc(
                f"operators-api-{bound}",
                [sys.executable, "-m", "operators_api", "serve", "--host", HOST, "--port", str(aport)],
                api_env,
                folder,
            )
            procs.append(api)
            wait_ready(f"http://{HOST}:{aport}/healthz", api)
            for port in (fport, bport):
                httpx.post(f"http://{HOST}:{port}/bench/reset")
            start = time.perf_counter()
            resp = httpx.post(
                f"http://{HOST}:{aport}/api/v1/evaluations/batch/runs",
                json={"period": quarter[0]},
                headers=bearer,
                timeout=120,
            )
            elapsed = time.perf_counter() - start
            if resp.status_code != 200:
                raise SystemExit(f"batch answered {resp.status_code}: {resp.text[:500]}")
            body = resp.json()
            stats = [httpx.get(f"http://{HOST}:{port}/bench/stats").json() for port in (fport, bport)]
            results["evaluation"].append(
                {
                    "bound": bound,
                    "seconds": round(elapsed, 3),
                    "contracts": body["contracts"],
                    "created": body["created"],
                    "refreshed": body["refreshed"],
                    "with_missing_inputs": body["with_missing_inputs"],
                    "calls": sum(s["calls"] for s in stats),
                    "max_in_flight": {"facilities": stats[0]["max_in_flight"], "feedback": stats[1]["max_in_flight"]},
                    "floor_s": round(sum(s["calls"] for s in stats) / bound * args.latency_ms / 1000, 3),
                }
            )
            if n == 0:
                ocds_port = aport
                start = time.perf_counter()
                with httpx.stream("GET", f"http://{HOST}:{aport}/api/v1/ocds/releases", timeout=60) as stream:
                    first = None
                    chunks = []
                    for chunk in stream.iter_bytes():
                        if first is None:
                            first = time.perf_counter() - start
                        chunks.append(chunk)
                    total = time.perf_counter() - start
                raw = b"".join(chunks)
                package = json.loads(raw)
                results["ocds"] = {
                    "seconds": round(total, 3),
                    "first_byte_s": round(first or 0, 3),
                    "bytes": len(raw),
                    "releases": len(package["releases"]),
                    "chunks": len(chunks),
                    "port": ocds_port,
                }
                expected = args.selections + args.contracts
                if len(package["releases"]) != expected:
                    raise SystemExit(f"the package has {len(package['releases'])} releases, expected {expected}")
            api.stop()
            procs.remove(api)
    finally:
        for p in procs:
            p.stop()

    first = results["evaluation"][0]
    results["met"] = {
        "evaluation_batch": first["seconds"] < TARGET_EVALUATION_S,
        "ocds_package": results["ocds"]["seconds"] < TARGET_OCDS_S,
    }
    print(
        f"\noperators-api bench: {args.contracts} contracts × 4 calls at {args.latency_ms:g} ms per call; {args.selections} selections (seed {seed_s:.1f} s)\n"
    )
    print("| run | bound | seconds | floor s | calls | max in flight (fac/fb) | created/refreshed | target |")
    print("|---|---:|---:|---:|---:|---|---|---|")
    for n, r in enumerate(results["evaluation"]):
        mark = ("**met**" if r["seconds"] < TARGET_EVALUATION_S else "missed") if n == 0 else ""
        print(
            f"| evaluation batch {quarter[0]} | {r['bound']} | {r['seconds']:.2f} | {r['floor_s']:.2f} | {r['calls']} | "
            f"{r['max_in_flight']['facilities']}/{r['max_in_flight']['feedback']} | {r['created']}/{r['refreshed']} | {mark} < {TARGET_EVALUATION_S:g} s |"
        )
    o = results["ocds"]
    print(
        f"| OCDS package ({o['releases']} releases, {o['bytes'] / 1e6:.1f} MB, first byte {o['first_byte_s'] * 1000:.0f} ms) | – | {o['seconds']:.2f} | – | – | – | – | "
        f"{'**met**' if results['met']['ocds_package'] else 'missed'} < {TARGET_OCDS_S:g} s |"
    )
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
