"""Gateway hop bench: direct vs through the gateway, throughput and single-client latency.

    python bench/gateway/run.py                       # stand-in upstream
    python bench/gateway/run.py --rounds 3
    python bench/gateway/run.py --upstream-cmd "{python} -m uvicorn facilities_api.main:create_app \\
        --factory --host 127.0.0.1 --port {port} --loop uvloop --http httptools --no-access-log" \\
        --path /api/v1/facilities/1
    python bench/gateway/run.py --upstream-cmd "{python} bench/gateway/raw_upstream.py --port {port}"

Starts the upstream and the real gateway (``python -m gateway serve``, see ``gateway_app.py``) on
free loopback ports, checks that a proxied GET answers 200 with the upstream's body, then, in one
run so the ratios share the machine's mood: throughput with wrk (or hey) for direct and through
the gateway, interleaved, over
``--rounds`` rounds (best round kept: on a shared machine interference only lowers throughput),
plus the CPU each process spent per request; and single-client latency with a keep-alive raw
socket, interleaved in blocks. Prints a table, writes ``bench/results/gateway.json``.
Exit status is non-zero only when the bench itself fails (a process does not start, a response
is not 200, the load tool errors), never because a target is missed.

Needs ``wrk`` (Debian/Ubuntu: ``apt-get install wrk``; macOS: ``brew install wrk``) or ``hey``
(``apt-get install hey`` / ``go install github.com/rakyll/hey@latest``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = ROOT / "bench" / "results" / "gateway.json"
HOST = "127.0.0.1"  # loopback only

TARGET_THROUGHPUT = 0.60  # of direct
TARGET_ADDED_MEDIAN_MS = 1.0


class BenchError(Exception):
    pass


# -- processes -------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Proc:
    def __init__(self, name: str, argv: list[str], logdir: Path) -> None:
        self.name = name
        self.log_path = logdir / f"{name}.log"
        self._log = open(self.log_path, "wb")
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "gateway" / "src"), os.environ.get("PYTHONPATH")])),
        }
        self.popen = subprocess.Popen(
            argv, stdout=self._log, stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True
        )

    def tail(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, 15)  # its own session: the process and its children only
            try:
                self.popen.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, 9)
                self.popen.wait(5)
        self._log.close()


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_seconds(pid: int) -> float | None:
    """utime+stime of a process tree (Linux /proc), or None elsewhere."""
    if not Path("/proc").is_dir():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _descendants(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


# -- a raw keep-alive HTTP/1.1 client ------------------------------------------------------------
class RawClient:
    """One keep-alive connection; one request at a time; httptools parses the response."""

    def __init__(self, port: int, path: str) -> None:
        self._port = port
        self._request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAccept: application/json\r\n\r\n".encode()
        self._connect()
        self.body = b""

    def _connect(self) -> None:
        import httptools

        self._sock = socket.create_connection((HOST, self._port), timeout=5)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._parser = httptools.HttpResponseParser(self)
        self._done = False

    def on_message_begin(self) -> None:
        self._done = False
        self._chunks: list[bytes] = []

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)

    def on_message_complete(self) -> None:
        self._done = True
        self.body = b"".join(self._chunks)

    def get(self, retry: bool = True) -> int:
        self._sock.sendall(self._request)
        self._done = False
        received = False
        while not self._done:
            data = self._sock.recv(65536)
            if not data:
                if retry and not received:  # the server closed the idle keep-alive connection
                    self._sock.close()
                    self._connect()
                    return self.get(retry=False)
                raise BenchError("connection closed mid-response")
            received = True
            self._parser.feed_data(data)
        return self._parser.get_status_code()

    def close(self) -> None:
        self._sock.close()


def wait_ready(proc: Proc, port: int, path: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise BenchError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.tail()}")
        try:
            client = RawClient(port, path)
            try:
                status = client.get()
            finally:
                client.close()
            if status == 200:
                return
            last = f"HTTP {status}"
        except (OSError, BenchError) as exc:
            last = str(exc)
        time.sleep(0.2)
    raise BenchError(f"{proc.name} not ready on port {port} within {timeout:.0f} s ({last}):\n{proc.tail()}")


# -- load tools ----------------------------------------------------------------------------------
def find_tool(preferred: str) -> str:
    order = ["wrk", "hey"] if preferred == "auto" else [preferred]
    for tool in order:
        if shutil.which(tool):
            return tool
    raise BenchError(
        "no load generator found: install wrk (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk) "
        "or hey (apt-get install hey), or pass --tool"
    )


def run_load(tool: str, url: str, *, threads: int, connections: int, duration: float) -> dict:
    if tool == "wrk":
        argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--timeout", "5s", url]
    else:
        argv = ["hey", "-z", f"{duration:g}s", "-c", str(connections), "-disable-compression", url]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60)
    out = done.stdout
    if done.returncode != 0:
        raise BenchError(f"{tool} failed ({done.returncode}): {done.stderr or out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise BenchError(f"cannot read {tool} output:\n{out}")
    result = {"rps": float(match.group(1)), "errors": 0, "non_2xx": 0}
    if tool == "wrk":
        m = re.search(r"(\d+) requests in", out)
        result["requests"] = int(m.group(1)) if m else None
        m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
        if m:
            result["errors"] = sum(int(x) for x in m.groups())
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        if m:
            result["non_2xx"] = int(m.group(1))
    else:
        codes = re.findall(r"\[(\d+)\]\s+(\d+) responses", out)
        result["requests"] = sum(int(n) for _, n in codes)
        result["non_2xx"] = sum(int(n) for c, n in codes if not c.startswith("2"))
        err = re.search(r"Error distribution:(.*)", out, re.S)
        result["errors"] = sum(int(n) for n in re.findall(r"\[(\d+)\]", err.group(1))) if err else 0
    return result


# -- measurements --------------------------------------------------------------------------------
def measure_throughput(tool, targets, procs, upstream, args) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {name: [] for name in targets}
    for rnd in range(args.rounds):
        for name, port in targets.items():
            url = f"http://{HOST}:{port}{args.path}"
            gw = procs.get(name)
            before = (cpu_seconds(upstream.popen.pid), cpu_seconds(gw.popen.pid) if gw else None)
            result = run_load(tool, url, threads=args.threads, connections=args.connections, duration=args.duration)
            after = (cpu_seconds(upstream.popen.pid), cpu_seconds(gw.popen.pid) if gw else None)
            n = result.get("requests") or result["rps"] * args.duration
            if before[0] is not None and n:
                result["upstream_cpu_us_per_req"] = round((after[0] - before[0]) / n * 1e6, 1)
            if gw and before[1] is not None and n:
                result["gateway_cpu_us_per_req"] = round((after[1] - before[1]) / n * 1e6, 1)
            results[name].append(result)
            print(
                f"  round {rnd + 1} {name:<8} {result['rps']:>10.0f} req/s"
                f"  errors={result['errors']} non2xx={result['non_2xx']}",
                flush=True,
            )
            if result["non_2xx"] or result["errors"]:
                raise BenchError(f"{name}: {result['non_2xx']} non-2xx responses, {result['errors']} socket errors")
            time.sleep(0.5)
    return results


def measure_latency(targets, args) -> dict[str, dict]:
    clients = {name: RawClient(port, args.path) for name, port in targets.items()}
    samples: dict[str, list[float]] = {name: [] for name in targets}
    try:
        for client in clients.values():  # warm-up: connections, pools, caches
            for _ in range(args.warmup):
                client.get()
        deadline = time.monotonic() + args.latency_seconds
        block = 50
        while time.monotonic() < deadline and any(len(s) < args.latency_requests for s in samples.values()):
            for name, client in clients.items():
                out = samples[name]
                for _ in range(min(block, args.latency_requests - len(out))):
                    t0 = time.perf_counter_ns()
                    status = client.get()
                    out.append((time.perf_counter_ns() - t0) / 1e6)
                    if status != 200:
                        raise BenchError(f"{name}: HTTP {status} during latency run")
    finally:
        for client in clients.values():
            client.close()
    summary = {}
    for name, values in samples.items():
        values.sort()

        def q(p: float, values: list[float] = values) -> float:
            return values[min(len(values) - 1, int(p * len(values)))]

        summary[name] = {
            "n": len(values),
            "median_ms": round(statistics.median(values), 3),
            "p95_ms": round(q(0.95), 3),
            "p99_ms": round(q(0.99), 3),
            "mean_ms": round(statistics.fmean(values), 3),
        }
    return summary


def _us(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}µs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--upstream-cmd",
        help="command starting the upstream on 127.0.0.1:{port}; {port} and "
        "{python} (this interpreter) are replaced (default: the stand-in app)",
    )
    parser.add_argument("--path", default="/api/v1/facilities/42", help="the GET measured (must resolve to a service)")
    parser.add_argument("--tool", choices=["auto", "wrk", "hey"], default="auto")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per throughput run")
    parser.add_argument("--rounds", type=int, default=2, help="throughput rounds (best kept)")
    parser.add_argument("--latency-requests", type=int, default=2000, help="single-client requests per target")
    parser.add_argument("--latency-seconds", type=float, default=30.0, help="time cap for the latency phase")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    procs: dict[str, Proc] = {}
    logdir = Path(tempfile.mkdtemp(prefix="gateway-bench-"))
    upstream = None
    try:
        tool = find_tool(args.tool)
        up_port = free_port()
        up_url = f"http://{HOST}:{up_port}"
        if args.upstream_cmd:
            up_argv = shlex.split(args.upstream_cmd.replace("{port}", str(up_port)).replace("{python}", sys.executable))
        else:
            up_argv = [sys.executable, str(HERE / "upstream_app.py"), "--port", str(up_port)]
        upstream = Proc("upstream", up_argv, logdir)
        wait_ready(upstream, up_port, args.path)  # before the gateway: it reads the upstream's routes
        ports = {"gateway": free_port()}
        procs["gateway"] = Proc(
            "gateway",
            [sys.executable, str(HERE / "gateway_app.py"), "--port", str(ports["gateway"]), "--upstream", up_url],
            logdir,
        )
        wait_ready(procs["gateway"], ports["gateway"], args.path)

        # Same answer through both doors.
        direct = RawClient(up_port, args.path)
        direct.get()
        client = RawClient(ports["gateway"], args.path)
        status = client.get()
        client.close()
        if status != 200 or client.body != direct.body:
            raise BenchError(f"gateway: HTTP {status}, body differs from the upstream's")
        direct.close()

        targets = {"direct": up_port, **ports}
        print(f"load tool: {tool}  path: {args.path}  cpus: {os.cpu_count()}")
        print(
            f"throughput: {tool} {args.threads} thread(s), {args.connections} connections, "
            f"{args.duration:g} s x {args.rounds} rounds"
        )
        throughput = measure_throughput(tool, targets, procs, upstream, args)
        print(f"latency: 1 client, keep-alive, up to {args.latency_requests} requests per target, interleaved")
        latency = measure_latency(targets, args)
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    finally:
        for proc in procs.values():
            proc.stop()
        if upstream is not None:
            upstream.stop()

    best = {name: max(runs, key=lambda r: r["rps"]) for name, runs in throughput.items()}
    direct_rps = best["direct"]["rps"]
    direct_median = latency["direct"]["median_ms"]
    summary = {}
    header = (
        f"\n{'target':<9}{'req/s (best)':>13}{'rounds':>22}{'% direct':>10}{'gw CPU':>9}{'up CPU':>9}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'+p50 ms':>9}"
    )
    print(header + "\n" + "-" * (len(header) - 1))
    for name in targets:
        rps = best[name]["rps"]
        share = rps / direct_rps if direct_rps else 0.0
        added = latency[name]["median_ms"] - direct_median
        rounds = "/".join(f"{r['rps']:.0f}" for r in throughput[name])
        gw_cpu = best[name].get("gateway_cpu_us_per_req")
        up_cpu = best[name].get("upstream_cpu_us_per_req")
        print(
            f"{name:<9}{rps:>13.0f}{rounds:>22}{share:>9.0%} "
            f"{_us(gw_cpu):>9}{_us(up_cpu):>9}"
            f"{latency[name]['median_ms']:>9.3f}{latency[name]['p95_ms']:>9.3f}{latency[name]['p99_ms']:>9.3f}"
            f"{(f'{added:+.3f}' if name != 'direct' else ''):>9}"
        )
        if name != "direct":
            summary[name] = {
                "throughput_share_of_direct": round(share, 3),
                "added_median_ms": round(added, 3),
                "added_p95_ms": round(latency[name]["p95_ms"] - latency["direct"]["p95_ms"], 3),
                "meets_throughput_target": share >= TARGET_THROUGHPUT,
                "meets_latency_target": added <= TARGET_ADDED_MEDIAN_MS,
            }
    print("\n(gw/up CPU: CPU time the gateway / upstream process spent per request in the best round)")
    for name, s in summary.items():
        verdict = "meets" if s["meets_throughput_target"] and s["meets_latency_target"] else "MISSES"
        print(
            f"{name}: {s['throughput_share_of_direct']:.0%} of direct throughput, "
            f"{s['added_median_ms']:+.3f} ms at the median -> {verdict} the target "
            f"(>= {TARGET_THROUGHPUT:.0%}, <= {TARGET_ADDED_MEDIAN_MS:g} ms)"
        )

    report = {
        "bench": "gateway",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.system(),
            "machine": platform.machine(),
        },
        "config": {
            "tool": tool,
            "path": args.path,
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "rounds": args.rounds,
            "latency_requests": args.latency_requests,
            "upstream": "custom" if args.upstream_cmd else "bench/gateway/upstream_app.py",
            "gateway": "python -m gateway serve (aiohttp client, limits rate limit, one middleware stack)",
        },
        "targets": {"throughput_share_of_direct": TARGET_THROUGHPUT, "added_median_ms": TARGET_ADDED_MEDIAN_MS},
        "throughput": throughput,
        "latency": latency,
        "summary": summary,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    try:
        shown = args.output.resolve().relative_to(ROOT)
    except ValueError:
        shown = args.output
    print(f"\nwrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
