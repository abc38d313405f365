"""`make drills`: fault drills on the whole platform under a steady write load.

Starts a scratch PostgreSQL cluster (initdb in a temporary folder, a free loopback port, WAL
archiving on), the three services and the gateway on it on free ports (scripts/run_platform.py),
and residents filing cases through the gateway with Idempotency-Keys (scripts/drills/load.py).
Then, one after the other, each bounded in time:

  kill9-<process>     kill -9 of each process, restarted a second later (as a supervisor would)
  sigterm-<process>   SIGTERM of each (graceful: what is in flight is answered), then restarted
  postgres-restart    the scratch cluster stopped (fast: connections cut) for 3 s, then started
  sigstop-feedback    feedback-api frozen (SIGSTOP) for 12 s, then SIGCONT: the gateway's deadline
  webhook-down        the integrator's webhook receiver down for 10 s, then back
  kill9-mid-delivery  feedback-api killed -9 while deliveries to a slow receiver are in flight
  backup-pg_dump      pg_dump of every database under load, restored into a new cluster
  backup-pitr         base backup + WAL archive under load, restored to a point in time

For each: the writes started in its window, acknowledged (201), found in the database, lost
(acknowledged, not found), duplicated (one key, several cases), not acknowledged (the client gave
up or was refused), what the clients saw (statuses and transport failures, with the slowest
error answer), the recovery time (from the fault to the last failed answer clients saw) and the
error lines logged while serving a request that carry no request id (column !id). The webhook drills add the events
announced for acknowledged cases: delivered, missing, delivered again (one webhook-id twice: the
receiver dedupes) and announced twice (two webhook-ids for one case: a duplicate). The backup
drills count the writes acknowledged before the backup's moment in the restored copy.

Prints a table and writes var/drills/latest.json, then checks what the platform promises: no
acknowledged write lost or duplicated (in the platform or in a restored copy), a database outage
answered 503 with Retry-After within a second, and every request error logged with its request id;
the exit status is 1 when a check fails (2 when the drills could not run to the end). Everything it starts is stopped and the scratch
clusters deleted at the end, on Ctrl-C and on failure. Needs the PostgreSQL server programs
(PG_BIN, else /usr/lib/postgresql/*/bin); not part of `make test`.

    python scripts/drills/run.py [--only kill9-gateway,postgres-restart] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT / "scripts")]

from cluster import Cluster, free_port  # noqa: E402
from load import Answer, Load, Receiver, Write, sign_in  # noqa: E402
from run_platform import SEED_ORDER, SERVICES, Platform, platform_env  # noqa: E402

DATABASES = {s.name: f"culture_ops_{s.database}" for s in SERVICES}
PROCESSES = [s.name for s in SERVICES]


def drill_env(cluster: Cluster, ports: dict[str, int], spa_dir: Path) -> dict[str, str]:
    prefixes = tuple(s.prefix for s in SERVICES)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    for s in SERVICES:
        environ[f"{s.prefix}DATABASE_URL"] = cluster.url(DATABASES[s.name])
        environ[f"{s.prefix}ENVIRONMENT"] = "development"
        environ[f"{s.prefix}WEBHOOK_DISPATCH_INTERVAL_S"] = "0.2"
    environ.update(
        {
            # The load is one resident filing a case every half second per client, from 127.0.0.1.
            "FEEDBACK_CASES_PER_DAY": "1000000",
            "GATEWAY_RATE_LIMIT_PER_MINUTE": "1000000",
            "GATEWAY_AUTH_RATE_LIMIT_PER_MINUTE": "10000",
            "GATEWAY_ACCESS_TOKEN_TTL_S": "7200",
            # Retries within half a minute (default: Svix's, over a day).
            "FEEDBACK_WEBHOOK_RETRY_SCHEDULE_S": "[1, 1, 2, 2, 3, 3, 5, 5, 5, 5]",
            "GATEWAY_SPA_DIR": str(spa_dir),
        }
    )
    return platform_env(environ, ports)


@dataclass
class Result:
    drill: str
    started: int = 0
    acked: int = 0
    found: int = 0
    lost: int = 0
    duplicated: int = 0
    not_acked: int = 0
    saved_not_acked: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    slowest_error_s: float = 0.0
    recovery_s: float = 0.0
    request_errors: int = 0
    request_errors_without_request_id: int = 0
    details: dict[str, Any] = field(default_factory=dict)
    lost_keys: list[str] = field(default_factory=list)
    duplicated_keys: list[str] = field(default_factory=list)


def account(result: Result, writes: list[Write], answers: list[Answer], rows: dict[str, int], struck: float) -> None:
    """A drill's figures: its window's writes against the rows found for their keys, and the answers
    the clients saw from the moment the fault struck."""
    result.started = len(writes)
    for w in writes:
        n = rows.get(w.key, 0)
        if w.outcome == "acked":
            result.acked += 1
            if n:
                result.found += 1
            else:
                result.lost += 1
                result.lost_keys.append(w.key)
        else:
            result.not_acked += 1
            result.saved_not_acked += int(n > 0)
        if n > 1:
            result.duplicated += 1
            result.duplicated_keys.append(w.key)
    result.statuses = dict(sorted(Counter(a.label for a in answers).items()))
    failed = [a for a in answers if a.label != "201"]
    result.slowest_error_s = round(max((a.at - a.sent for a in failed), default=0.0), 2)
    result.recovery_s = round(max((a.at - struck for a in failed if a.at >= struck), default=0.0), 2)


def serving_a_request(entry: dict[str, Any]) -> bool:
    """Whether a log line was written while a request was served (not by a background task, which
    has no request id to carry): the kit's and the server's reports of a request that failed."""
    return entry.get("logger") in ("service_kit.problems", "uvicorn.error") or "path" in entry or "request_id" in entry


class Drills:
    def __init__(self, workdir: Path, log: Callable[[str], None]) -> None:
        self.workdir = workdir
        self.say = log
        self.run_id = datetime.now(UTC).strftime("%H%M%S")
        self.cluster = Cluster(workdir, "primary")
        self.extra_clusters: list[Cluster] = []
        self.ports = {name: free_port() for name in PROCESSES}
        spa = workdir / "no-spa"
        spa.mkdir()
        self.env = drill_env(self.cluster, self.ports, spa)
        self.logs = workdir / "logs"
        self.platform = Platform(env=self.env, ports=self.ports, log_dir=self.logs)
        self.receiver = Receiver(port=free_port())
        self.load: Load | None = None
        self.window_start = 0.0
        self.results: list[Result] = []
        self.subscribed_at = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    # --- set-up and tear-down ---

    def set_up(self) -> None:
        self.say(f"scratch cluster: initdb, port {self.cluster.port}")
        self.cluster.init()
        self.cluster.start()
        for name in DATABASES.values():
            self.cluster.sql("postgres", f'CREATE DATABASE "{name}"')
        self.say("migrating and loading the demo accounts and facilities")
        for s in SERVICES:
            self._cli(s.module, "migrate")
        for module in SEED_ORDER:
            if module in ("gateway", "facilities_api"):
                self._cli(module, "seed-demo")
        for name in PROCESSES:
            self.platform.start(name)
        waiting = self.platform.wait_ready(PROCESSES, timeout=90)
        if waiting:
            raise RuntimeError(f"not ready: {waiting}; see {self.logs}")
        self._wait_platform_ready(60)
        self.say(f"platform ready on {self.url}")
        self._subscribe()
        self.load = Load(self.url, self.run_id)
        self.load.start()
        self.window_start = time.monotonic()

    def _cli(self, module: str, command: str) -> None:
        import subprocess

        done = subprocess.run(
            [sys.executable, "-m", module, command], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600
        )
        if done.returncode:
            raise RuntimeError(f"{module} {command} failed: {done.stderr[-2000:]}")

    def _wait_platform_ready(self, timeout: float) -> float:
        """Seconds until the gateway says the whole platform is ready (routes included)."""
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).json().get("platform") == "ready":
                    return time.monotonic() - started
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the platform was not ready within {timeout} s")

    def _subscribe(self) -> None:
        """An integrator's key (made by a district official) subscribes the receiver to new cases."""
        official = sign_in(self.url, "demo-official")
        key = httpx.post(
            f"{self.url}/api/v1/api-keys",
            json={"name": "演练推送", "scopes": ["webhooks:manage"]},
            headers=official,
            timeout=15,
        )
        key.raise_for_status()
        self.receiver.up()
        hook = httpx.post(
            f"{self.url}/api/v1/feedback/webhooks",
            json={"url": self.receiver.url, "event_types": ["case.submitted"]},
            headers={"X-API-Key": key.json()["key"]},
            timeout=15,
        )
        if hook.status_code != 201:
            raise RuntimeError(f"subscribing failed: {hook.status_code} {hook.text[:500]}")
        self.subscribed_at = time.monotonic()

    def tear_down(self, keep: bool) -> None:
        if self.load:
            self.load.stop()
        self.receiver.down()
        self.platform.stop_all()
        for cluster in [self.cluster, *self.extra_clusters]:
            try:
                cluster.stop("immediate")
            except Exception as exc:
                self.say(f"stopping the cluster on {cluster.port}: {exc}")
        if not keep:
            shutil.rmtree(self.workdir, ignore_errors=True)

    # --- accounting ---

    def rows(self, cluster: Cluster | None = None) -> dict[str, int]:
        """How many cases each of this run's keys made, in the feedback database of `cluster`."""
        rows = (cluster or self.cluster).sql(
            DATABASES["feedback-api"],
            f"SELECT title, count(*) FROM resident_case WHERE title LIKE 'drill-{self.run_id}-%' GROUP BY title",
        )
        return {title: int(n) for title, n in rows}

    def log_offsets(self) -> dict[str, int]:
        return {name: (self.logs / f"{name}.log").stat().st_size for name in PROCESSES}

    def scan_logs(self, offsets: dict[str, int], result: Result) -> None:
        """Counts the error lines written while serving a request (and those without a request id),
        and what the gateway saw of the services: refused connections (the service was down) and
        connections closed before the answer (a request cut in flight)."""
        total = without = 0
        samples: list[str] = []
        upstream: Counter[str] = Counter()
        for name, offset in offsets.items():
            with open(self.logs / f"{name}.log", "rb") as f:
                f.seek(offset)
                for raw in f:
                    try:
                        entry = json.loads(raw)
                    except ValueError:
                        continue  # a traceback printed by a dying process
                    if str(entry.get("logger", "")).startswith("gateway.proxy"):
                        message = str(entry.get("message", ""))
                        if "closed the connection" in message:
                            upstream["cut in flight"] += 1
                        elif "refused the connection" in message:
                            upstream["refused"] += 1
                        elif "did not answer within" in message:
                            upstream["no answer in time"] += 1
                        elif "connection failed" in message:
                            upstream["connection failed"] += 1
                        elif entry.get("level") in ("warning", "error"):
                            upstream["other"] += 1
                    if entry.get("level") in ("error", "critical") and serving_a_request(entry):
                        total += 1
                        if not entry.get("request_id"):
                            without += 1
                            if len(samples) < 3:
                                samples.append(f"{name}: {entry.get('logger')}: {str(entry.get('message'))[:160]}")
        result.request_errors, result.request_errors_without_request_id = total, without
        if samples:
            result.details["error_lines_without_request_id"] = samples
        if upstream:
            result.details["gateway_to_services"] = dict(upstream)

    def drill(self, name: str, fault: Callable[[Result], float], settle_s: float = 3.0) -> Result:
        """Runs `fault` (which returns when it struck) in a window of the load, then counts."""
        assert self.load is not None
        self.say(f"drill {name}")
        result = Result(name)
        offsets = self.log_offsets()
        start = self.window_start
        struck = fault(result)
        time.sleep(settle_s)
        end = time.monotonic()
        self.window_start = end
        if not self.load.settle(end):
            result.details["unsettled"] = "some writes had no outcome after 100 s"
        rows = self.rows()
        with self.load.lock:
            writes = [w for w in self.load.writes if start <= w.started < end]
            answers = [a for a in self.load.answers if start <= a.sent < end]
        account(result, writes, answers, rows, struck)
        self.scan_logs(offsets, result)
        self.results.append(result)
        self.say("  " + row(result))
        return result

    # --- the faults ---

    def kill9(self, name: str) -> Callable[[Result], float]:
        def fault(result: Result) -> float:
            time.sleep(2)
            struck = time.monotonic()
            self.platform.signal(name, signal.SIGKILL)
            self.platform.procs[name].wait(timeout=10)
            time.sleep(1)
            self._restart(name, struck, result)
            return struck

        return fault

    def sigterm(self, name: str) -> Callable[[Result], float]:
        def fault(result: Result) -> float:
            time.sleep(2)
            struck = time.monotonic()
            self.platform.signal(name, signal.SIGTERM)
            code = self.platform.procs[name].wait(timeout=40)
            result.details["exit_after_s"] = round(time.monotonic() - struck, 2)
            result.details["exit_code"] = code
            self._restart(name, struck, result)
            return struck

        return fault

    def _restart(self, name: str, struck: float, result: Result) -> None:
        self.platform.start(name)
        if self.platform.wait_ready([name], timeout=60):
            raise RuntimeError(f"{name} did not come back; see {self.logs}/{name}.log")
        self._wait_platform_ready(60)
        result.details["ready_after_s"] = round(time.monotonic() - struck, 2)

    def postgres_restart(self, result: Result) -> float:
        time.sleep(2)
        struck = time.monotonic()
        self.cluster.stop("fast")
        time.sleep(3)
        self.cluster.start()
        result.details["database_down_s"] = round(time.monotonic() - struck, 2)
        self._wait_platform_ready(60)
        result.details["ready_after_s"] = round(time.monotonic() - struck, 2)
        return struck

    def sigstop(self, name: str, frozen_s: float) -> Callable[[Result], float]:
        def fault(result: Result) -> float:
            time.sleep(2)
            struck = time.monotonic()
            self.platform.signal(name, signal.SIGSTOP)
            try:
                time.sleep(frozen_s)
            finally:
                self.platform.signal(name, signal.SIGCONT)
            result.details["frozen_s"] = frozen_s
            return struck

        return fault

    def _announced(self, result: Result, until: float, timeout: float) -> None:
        """Waits until every case acknowledged since the subscription until `until` was delivered."""
        assert self.load is not None

        def expected() -> set[int]:
            with self.load.lock:  # type: ignore[union-attr]
                return {
                    w.case_id
                    for w in self.load.writes  # type: ignore[union-attr]
                    if w.case_id is not None and w.acked_at is not None and self.subscribed_at < w.acked_at < until
                }

        started = time.monotonic()
        self.receiver.wait_for(lambda: expected() <= set(self.receiver.case_ids()), timeout)
        want = expected()
        seen = self.receiver.case_ids()
        ids = Counter(d.webhook_id for d in self.receiver.deliveries if d.event.get("type") == "case.submitted")
        result.details["events_expected"] = len(want)
        result.details["events_delivered"] = len(want & set(seen))
        result.details["events_missing"] = len(want - set(seen))
        result.details["events_delivered_again"] = sum(n - 1 for n in ids.values())
        result.details["cases_announced_twice"] = sum(1 for case in want if len(seen.get(case, ())) > 1)
        result.details["all_delivered_after_s"] = round(time.monotonic() - started, 2)

    def webhook_down(self, result: Result) -> float:
        time.sleep(2)
        struck = time.monotonic()
        self.receiver.down()
        time.sleep(10)
        self.receiver.up()
        result.details["receiver_down_s"] = round(time.monotonic() - struck, 2)
        self._announced(result, time.monotonic(), timeout=45)
        return struck

    def kill9_mid_delivery(self, result: Result) -> float:
        self.receiver.slow_s = 1.0
        deadline = time.monotonic() + 15
        while self.receiver.in_flight == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        result.details["deliveries_in_flight_at_kill"] = self.receiver.in_flight
        struck = time.monotonic()
        self.platform.signal("feedback-api", signal.SIGKILL)
        self.platform.procs["feedback-api"].wait(timeout=10)
        time.sleep(1)
        self.receiver.slow_s = 0.0
        self._restart("feedback-api", struck, result)
        self._announced(result, time.monotonic(), timeout=45)
        return struck

    def _acked_before(self, moment: float) -> list[str]:
        assert self.load is not None
        with self.load.lock:
            return [w.key for w in self.load.writes if w.acked_at is not None and w.acked_at < moment]

    def _check_copy(self, result: Result, copy: Cluster, moment: float) -> None:
        rows = self.rows(copy)
        must = self._acked_before(moment)
        missing = [k for k in must if k not in rows]
        result.details["acked_before_backup"] = len(must)
        result.details["found_in_copy"] = len(must) - len(missing)
        result.details["lost_in_copy"] = len(missing)
        result.details["duplicated_in_copy"] = sum(1 for n in rows.values() if n > 1)
        result.details["lost_in_copy_keys"] = missing[:20]
        accounts = copy.sql(DATABASES["gateway"], "SELECT count(*) FROM user_account")
        result.details["accounts_in_copy"] = int(accounts[0][0]) if accounts else 0

    def backup_pg_dump(self, result: Result) -> float:
        time.sleep(2)
        dumps = self.workdir / "dumps"
        dumps.mkdir()
        struck = moment = time.monotonic()
        for database in DATABASES.values():
            self.cluster.client("pg_dump", "-Fc", "-f", str(dumps / f"{database}.dump"), database)
        result.details["dump_s"] = round(time.monotonic() - struck, 2)
        copy = Cluster(self.workdir, "restored-dump")
        self.extra_clusters.append(copy)
        copy.init()
        copy.start()
        for database in DATABASES.values():
            copy.sql("postgres", f'CREATE DATABASE "{database}"')
            copy.client("pg_restore", "--no-owner", "-d", database, str(dumps / f"{database}.dump"))
        result.details["restored_after_s"] = round(time.monotonic() - struck, 2)
        self._check_copy(result, copy, moment)
        copy.stop("immediate")
        return struck

    def backup_pitr(self, result: Result) -> float:
        time.sleep(2)
        struck = time.monotonic()
        base = self.workdir / "base-backup"
        self.cluster.client("pg_basebackup", "-D", str(base), "-X", "fetch", "-c", "fast")
        result.details["base_backup_s"] = round(time.monotonic() - struck, 2)
        time.sleep(5)  # more writes, only in the WAL archive
        moment = time.monotonic()
        target = datetime.now(UTC)
        time.sleep(2)
        segment = self.cluster.sql("postgres", "SELECT pg_walfile_name(pg_switch_wal())")[0][0]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            archived = self.cluster.sql("postgres", "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")
            if archived and archived[0][0] >= segment:
                break
            time.sleep(0.3)
        copy = Cluster(self.workdir, "restored-pitr")
        self.extra_clusters.append(copy)
        copy.restore_from_base_backup(base, self.cluster.archive, target.isoformat())
        copy.wait_accepting(90)
        result.details["recovery_target_time"] = target.isoformat()
        result.details["restored_after_s"] = round(time.monotonic() - struck, 2)
        self._check_copy(result, copy, moment)
        copy.stop("immediate")
        return struck

    def plan(self) -> list[tuple[str, Callable[[Result], float]]]:
        steps: list[tuple[str, Callable[[Result], float]]] = [("baseline", lambda r: time.sleep(8) or time.monotonic())]
        steps += [(f"kill9-{name}", self.kill9(name)) for name in PROCESSES]
        steps += [(f"sigterm-{name}", self.sigterm(name)) for name in PROCESSES]
        steps += [
            ("postgres-restart", self.postgres_restart),
            ("sigstop-feedback", self.sigstop("feedback-api", 12.0)),
            ("webhook-down", self.webhook_down),
            ("kill9-mid-delivery", self.kill9_mid_delivery),
            ("backup-pg_dump", self.backup_pg_dump),
            ("backup-pitr", self.backup_pitr),
        ]
        return steps


def row(r: Result) -> str:
    statuses = " ".join(f"{k}:{v}" for k, v in r.statuses.items())
    return (
        f"{r.drill:26} {r.acked:5} {r.found:5} {r.lost:4} {r.duplicated:4} {r.not_acked:5}"
        f" {r.recovery_s:7.2f} {r.slowest_error_s:6.2f} {r.request_errors_without_request_id:3}  {statuses}"
    )


HEADER = f"{'drill':26} {'acked':>5} {'found':>5} {'lost':>4} {'dup':>4} {'unack':>5} {'recov s':>7} {'slow s':>6} {'!id':>3}  client saw"


def table(results: list[Result]) -> str:
    lines = [HEADER, "-" * len(HEADER)]
    lines += [row(r) for r in results]
    for r in results:
        keep = {k: v for k, v in r.details.items() if k not in ("error_lines_without_request_id", "lost_in_copy_keys")}
        if keep:
            lines.append(f"  {r.drill}: " + ", ".join(f"{k}={v}" for k, v in keep.items()))
    return "\n".join(lines)


def checks(results: list[Result]) -> dict[str, tuple[bool, str]]:
    """What the platform promises under these faults, each with what the drills found."""
    bad = [
        r.drill
        for r in results
        if r.lost or r.duplicated or r.details.get("lost_in_copy") or r.details.get("duplicated_in_copy")
    ]
    outage = next((r for r in results if r.drill == "postgres-restart"), None)
    if outage is None:
        outage_check = (True, "not drilled")
    else:
        wrong = {k: v for k, v in outage.statuses.items() if k not in ("201", "409", "503+Retry-After")}
        outage_check = (
            not wrong and outage.slowest_error_s <= 1.0,
            f"answers other than 503 with Retry-After: {wrong or 'none'}; slowest error {outage.slowest_error_s} s",
        )
    unlabelled = {r.drill: r.request_errors_without_request_id for r in results if r.request_errors_without_request_id}
    return {
        "no acknowledged write lost or duplicated": (not bad, f"in {', '.join(bad)}" if bad else "every drill"),
        "a database outage answers 503 with Retry-After within 1 s": outage_check,
        "every request error's log line carries its request id": (
            not unlabelled,
            f"lines without one: {unlabelled}" if unlabelled else "all do",
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated drill names (the baseline always runs)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (logs, clusters) for a look")
    parser.add_argument("--json", default=str(ROOT / "var" / "drills" / "latest.json"))
    args = parser.parse_args(argv)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="culture-ops-drills-"))
    os.chmod(workdir, 0o755)  # the scratch cluster's account reaches its folder inside
    say: Callable[[str], None] = lambda text: print(f"[{time.monotonic() - started:6.1f}s] {text}", flush=True)  # noqa: E731
    drills = Drills(workdir, say)
    # SIGTERM (a CI timeout, a `kill`) cleans up like Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    failed: str | None = None
    try:
        drills.set_up()
        only = set(args.only.split(",")) if args.only else None
        for name, fault in drills.plan():
            if only is None or name in only or name == "baseline":
                drills.drill(name, fault)
    except KeyboardInterrupt:
        failed = "interrupted"
    except Exception as exc:
        failed = f"{type(exc).__name__}: {exc}"
    finally:
        say("stopping everything" + ("" if not args.keep else f"; keeping {workdir}"))
        drills.tear_down(keep=args.keep)
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "run": drills.run_id,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - started, 1),
        "failed": failed,
        "load": {"clients": drills.load.workers, "interval_s": drills.load.interval_s} if drills.load else None,
        "drills": [asdict(r) for r in drills.results],
        "checks": checks(drills.results),
    }
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print()
    print(table(drills.results))
    print(f"\n{len(drills.results)} drills in {report['duration_s']} s; JSON in {out}\n")
    for name, (ok, why) in report["checks"].items():
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {why}")
    if failed:
        print(f"the drills stopped: {failed}", file=sys.stderr)
        return 2
    return 0 if all(ok for ok, _ in report["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
