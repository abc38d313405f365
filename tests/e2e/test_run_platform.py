"""`make run` and `make run-postgres` as a newcomer meets them: the runner puts the platform on the
ports and databases its settings name, and with --postgres makes the databases, migrates and seeds."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from e2e.conftest import SERVICES, free_port
from e2e.flows import bearer
from service_kit.testing import PG_ENV, fresh_database_url

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "scripts" / "run_platform.py"


def free_block(size: int) -> int:
    """The first of `size` consecutive free loopback ports."""
    for _ in range(50):
        base = free_port()
        if base + size > 65535:
            continue
        taken = False
        for port in range(base + 1, base + size):
            with socket.socket() as s:
                taken = taken or s.connect_ex(("127.0.0.1", port)) == 0
        if not taken:
            return base
    raise RuntimeError("no free block of ports")


def clean_env() -> dict[str, str]:
    prefixes = (*(prefix for _, prefix in SERVICES.values()), "CULTURE_OPS_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


@contextmanager
def runner(env: dict[str, str], *args: str, logs: Path) -> Iterator[subprocess.Popen[bytes]]:
    out = open(logs / "runner.out", "wb")
    proc = subprocess.Popen(
        [sys.executable, str(RUNNER), *args], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        out.close()


def wait_running(proc: subprocess.Popen[bytes], logs: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = (logs / "runner.out").read_text(errors="replace")
        if "culture-ops is running" in text:
            return
        if proc.poll() is not None:
            raise AssertionError(f"the runner stopped: {text[-3000:]}")
        time.sleep(0.5)
    raise AssertionError(f"not running within {timeout} s")


def test_the_platform_runs_on_the_ports_and_databases_its_settings_name(tmp_path):
    base = free_block(4)
    feedback_port = free_port()
    env = clean_env()
    env.update({"CULTURE_OPS_PORT_BASE": str(base), "FEEDBACK_PORT": str(feedback_port)})
    env["CULTURE_OPS_LOG_DIR"] = str(tmp_path / "log")
    for name, (module, prefix) in SERVICES.items():
        env[f"{prefix}DATABASE_URL"] = fresh_database_url(f"runner_{name}")
        subprocess.run([sys.executable, "-m", module, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "gateway", "seed-demo"], env=env, check=True, capture_output=True)
    with runner(env, logs=tmp_path) as proc:
        wait_running(proc, tmp_path)
        gateway = f"http://127.0.0.1:{base}"
        assert gateway in (tmp_path / "runner.out").read_text()
        with httpx.Client(base_url=gateway, timeout=15) as client:
            for port in (base + 1, base + 2, feedback_port):
                assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200, port
            # The gateway reaches feedback-api on the port set for it alone.
            resident = bearer(client, "demo-resident")
            deadline = time.monotonic() + 30
            while (mine := client.get("/api/v1/cases", headers=resident)).status_code != 200:
                assert time.monotonic() < deadline, mine.text
                time.sleep(0.5)
        assert (tmp_path / "log" / "feedback-api.log").exists()


def _drop(admin_url: str, names: list[str]) -> None:
    async def drop() -> None:
        import asyncpg

        url = make_url(admin_url)
        conn = await asyncpg.connect(
            user=url.username, password=url.password, host=url.host, port=url.port or 5432, database=url.database
        )
        try:
            for name in names:
                await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        finally:
            await conn.close()

    asyncio.run(drop())


@pytest.mark.skipif(not os.environ.get(PG_ENV), reason="run-postgres needs a PostgreSQL server (TEST_DATABASE_URL)")
def test_run_postgres_makes_the_databases_migrates_seeds_and_runs(tmp_path):
    admin = os.environ[PG_ENV]
    prefix = f"runner_{os.environ.get('TEST_DATABASE_TAG', '')}"
    names = [f"{prefix}{db}" for db in ("facilities", "operators", "feedback", "identity")]
    _drop(admin, names)
    base = free_block(4)
    env = clean_env()
    env.update(
        {
            "CULTURE_OPS_PORT_BASE": str(base),
            "CULTURE_OPS_POSTGRES_URL": admin,
            "CULTURE_OPS_DATABASE_PREFIX": prefix,
            "CULTURE_OPS_LOG_DIR": str(tmp_path / "log"),
        }
    )
    try:
        with runner(env, "--postgres", logs=tmp_path) as proc:
            wait_running(proc, tmp_path)
            with httpx.Client(base_url=f"http://127.0.0.1:{base}", timeout=15) as client:
                resident = bearer(client, "demo-resident")  # the demo data is there
                ready = client.get("/readyz").json()
                assert ready["checks"]["database"] == "ok"
                deadline = time.monotonic() + 30
                while (ratings := client.get("/api/v1/ratings", headers=resident)).status_code != 200:
                    assert time.monotonic() < deadline, ratings.text
                    time.sleep(0.5)
        text = (tmp_path / "runner.out").read_text()
        for name in names:
            assert f"created database {name}" in text
    finally:
        _drop(admin, names)
