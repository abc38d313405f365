"""The platform as `make run` starts it: the three services and the gateway as real processes on
loopback ports, each with its own database (SQLite files, or fresh PostgreSQL databases when
TEST_DATABASE_URL is set), migrated and seeded by their own command lines."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from service_kit.testing import fresh_database_url

SERVICES = {
    "facilities": ("facilities_api", "FACILITIES_"),
    "operators": ("operators_api", "OPERATORS_"),
    "feedback": ("feedback_api", "FEEDBACK_"),
    "gateway": ("gateway", "GATEWAY_"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Platform:
    root: Path
    env: dict[str, str]
    ports: dict[str, int]
    logs: Path
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def start(self, name: str) -> None:
        module, _ = SERVICES[name]
        log = open(self.logs / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", module, "serve", "--port", str(self.ports[name])],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.procs[name].poll() is not None:
                raise RuntimeError(f"{name} exited: {(self.logs / f'{name}.log').read_text()[-3000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.ports[name]}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{name} was not ready within 30 s")

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name)
        proc.terminate()
        proc.wait(timeout=10)

    def log_of(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(encoding="utf-8", errors="replace")


# The seeds `make seed` runs, in its order; the platform tests load the facilities and the demo
# accounts only, and make the rest of what they need through the gateway.
ALL_SEEDS = ("gateway", "operators_api", "facilities_api", "feedback_api")


@contextmanager
def running_platform(
    tmp_path_factory,
    seeds: tuple[str, ...] = ("facilities_api", "gateway"),
    name: str = "platform",
    extra_env: dict[str, str] | None = None,
) -> Iterator[Platform]:
    """The platform on fresh databases named after `name`, with the demo data of `seeds` (and
    settings of `extra_env` on top of the platform tests' own)."""
    root = Path(__file__).resolve().parents[2]
    logs = tmp_path_factory.mktemp("platform-logs")
    ports = {name: free_port() for name in SERVICES}
    env = {k: v for k, v in os.environ.items() if not k.startswith(tuple(p for _, p in SERVICES.values()))}
    env["PYTHONUNBUFFERED"] = "1"
    for service, (_module, prefix) in SERVICES.items():
        env[f"{prefix}DATABASE_URL"] = fresh_database_url(f"{name}_{service}")
        env[f"{prefix}ENVIRONMENT"] = "development"
        env[f"{prefix}WEBHOOK_DISPATCH_INTERVAL_S"] = "0.2"
        for other in ("facilities", "operators", "feedback"):
            env[f"{prefix}{other.upper()}_URL"] = f"http://127.0.0.1:{ports[other]}"
        # The gateway's feed of account facts (account.deleted, apikey.revoked).
        env[f"{prefix}GATEWAY_URL"] = f"http://127.0.0.1:{ports['gateway']}"
    env["GATEWAY_SPA_DIR"] = str(tmp_path_factory.mktemp("no-spa"))
    # Events cross services within a second, and the index ranks the few ratings the tests make.
    env["FACILITIES_OPERATORS_POLL_INTERVAL_S"] = "0.5"
    env["FEEDBACK_FACILITIES_FEED_INTERVAL_S"] = "0.5"
    # The services' reads of the gateway's feed count in the gateway's per-address rate limit, which most
    # tests' own requests share on loopback: once a second is enough.
    env["FACILITIES_GATEWAY_FEED_INTERVAL_S"] = "1.0"
    env["FEEDBACK_GATEWAY_FEED_INTERVAL_S"] = "1.0"
    env["OPERATORS_GATEWAY_FEED_INTERVAL_S"] = "1.0"
    env["FEEDBACK_INDEX_MIN_SAMPLE"] = "1"
    # Every platform test comes from 127.0.0.1: the per-address throttles (tested in the gateway's own
    # tests) would otherwise ration the whole suite to 20 sign-ins and 600 requests a minute. The
    # per-account sign-in lockout stays as in production.
    env["GATEWAY_AUTH_RATE_LIMIT_PER_MINUTE"] = "3000"
    env["GATEWAY_RATE_LIMIT_PER_MINUTE"] = "20000"
    env.update(extra_env or {})
    for module, _ in SERVICES.values():
        subprocess.run([sys.executable, "-m", module, "migrate"], env=env, check=True, capture_output=True)
    for module in seeds:
        subprocess.run([sys.executable, "-m", module, "seed-demo"], env=env, check=True, capture_output=True)
    p = Platform(root=root, env=env, ports=ports, logs=logs)
    try:
        for service in SERVICES:
            p.start(service)
        yield p
    finally:
        for service in list(p.procs):
            p.stop(service)


@pytest.fixture(scope="session")
def platform(tmp_path_factory) -> Iterator[Platform]:
    with running_platform(tmp_path_factory) as p:
        yield p


class WebhookReceiver:
    """A subscriber's real HTTP endpoint on loopback."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/culture-events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, predicate, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for headers, body in self.received:
                event = json.loads(body)
                if predicate(event):
                    return {"headers": headers, "body": body, "event": event}
            time.sleep(0.1)
        raise AssertionError(f"no matching webhook within {timeout} s; got {len(self.received)}")


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver()
    yield r
    r.server.shutdown()
