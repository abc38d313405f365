"""Start the whole platform on this machine: the three services and the gateway, each a process,
on SQLite files under var/ (or the databases their settings name). Waits until every one is ready,
prints where to go, and stops them all on Ctrl-C (or when one of them dies)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = [
    ("facilities-api", "facilities_api", 8001),
    ("operators-api", "operators_api", 8002),
    ("feedback-api", "feedback_api", 8003),
    ("gateway", "gateway", 8000),
]


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as resp:
            return resp.status == 200
    except OSError:
        return False


def port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def main() -> int:
    taken = [f"{name} (:{port})" for name, _, port in SERVICES if port_taken(port)]
    if taken:
        print(f"ports already in use: {', '.join(taken)}; is the platform running already?", file=sys.stderr)
        return 1
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # The services read the gateway's feed of account facts (account.deleted) where this gateway listens.
    gateway_port = next(port for name, _, port in SERVICES if name == "gateway")
    for prefix in ("FACILITIES_", "FEEDBACK_"):
        env.setdefault(f"{prefix}GATEWAY_URL", f"http://127.0.0.1:{gateway_port}")
    log_dir = ROOT / "var" / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    procs: list[tuple[str, subprocess.Popen]] = []
    for name, module, port in SERVICES:
        log = open(log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", module, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        procs.append((name, proc))

    def stop(*_: object) -> None:
        for _, proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for _, proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        deadline = time.monotonic() + 60
        waiting = {name: port for name, _, port in SERVICES}
        while waiting and time.monotonic() < deadline:
            for name, proc in procs:
                if proc.poll() is not None:
                    print(f"{name} stopped (exit {proc.returncode}); see var/log/{name}.log", file=sys.stderr)
                    stop()
                    return 1
            for name, port in list(waiting.items()):
                if ready(port):
                    print(f"  {name:15} ready on 127.0.0.1:{port}")
                    del waiting[name]
            time.sleep(0.3)
        if waiting:
            print(f"not ready after 60 s: {', '.join(waiting)}; see var/log/", file=sys.stderr)
            stop()
            return 1
        print("\nculture-ops is running: http://127.0.0.1:8000  (API docs: http://127.0.0.1:8000/api/v1/docs)")
        print("Demo accounts: demo-resident, demo-operator, demo-official, demo-auditor; password demo-password")
        print("Logs in var/log/. Ctrl-C stops everything.")
        while True:
            for name, proc in procs:
                if proc.poll() is not None:
                    print(
                        f"{name} stopped (exit {proc.returncode}); stopping the rest. See var/log/{name}.log",
                        file=sys.stderr,
                    )
                    stop()
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping…")
        stop()
        return 0


if __name__ == "__main__":
    sys.exit(main())
