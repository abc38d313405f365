"""Start the whole platform on this machine: the three services and the gateway, each a process.
Waits until every one is ready, prints where to go, and stops them all on Ctrl-C (or when one of
them dies).

    python scripts/run_platform.py              # `make run`: SQLite files under var/
    python scripts/run_platform.py --postgres   # `make run-postgres`: PostgreSQL databases

Settings (environment variables):

  Ports (loopback):
    CULTURE_OPS_PORT_BASE   the gateway listens here and the services on the next three ports
                            (facilities-api +1, operators-api +2, feedback-api +3); default 8000
    GATEWAY_PORT, FACILITIES_PORT, OPERATORS_PORT, FEEDBACK_PORT
                            one process's port, over the base
  Databases:
    FACILITIES_DATABASE_URL, OPERATORS_DATABASE_URL, FEEDBACK_DATABASE_URL, GATEWAY_DATABASE_URL
                            each service's own setting (a postgresql+asyncpg:// URL); unset, a
                            SQLite file under var/ (or, with --postgres, the database below)
    CULTURE_OPS_POSTGRES_URL
                            with --postgres: the server whose databases the platform uses
                            (a postgresql+asyncpg:// URL of any database the user may connect to;
                            default postgresql+asyncpg://postgres@127.0.0.1:5432/postgres)
    CULTURE_OPS_DATABASE_PREFIX
                            with --postgres: the databases' names are this plus facilities,
                            operators, feedback and identity; default culture_ops_
  CULTURE_OPS_LOG_DIR       where each process's log goes; default var/log

With --postgres the missing databases are created (existing ones are kept), every service is
migrated and the demo data loaded (it is idempotent) before the platform starts. The services find
each other (and the gateway's feed) on the ports above unless their own *_URL settings say otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    prefix: str  # of its settings
    offset: int  # from CULTURE_OPS_PORT_BASE
    database: str  # its database's name after CULTURE_OPS_DATABASE_PREFIX


# In start order; the gateway last, so that it finds the services' routing tables at once.
SERVICES = (
    Service("facilities-api", "facilities_api", "FACILITIES_", 1, "facilities"),
    Service("operators-api", "operators_api", "OPERATORS_", 2, "operators"),
    Service("feedback-api", "feedback_api", "FEEDBACK_", 3, "feedback"),
    Service("gateway", "gateway", "GATEWAY_", 0, "identity"),
)
# The demo data's order (`make seed`): on a fresh identity database the demo accounts get ids 1-5,
# which the other services' demo data refers to.
SEED_ORDER = ("gateway", "operators_api", "facilities_api", "feedback_api")
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def ports_from(environ: Mapping[str, str]) -> dict[str, int]:
    """Each process's port by the settings above."""
    base = int(environ.get("CULTURE_OPS_PORT_BASE", "8000"))
    return {s.name: int(environ.get(f"{s.prefix}PORT", base + s.offset)) for s in SERVICES}


def platform_env(environ: Mapping[str, str], ports: Mapping[str, int]) -> dict[str, str]:
    """The processes' environment: `environ` plus where each finds the others (unless set)."""
    env = {**environ, "PYTHONUNBUFFERED": "1"}
    url = {s.database: f"http://127.0.0.1:{ports[s.name]}" for s in SERVICES}
    for s in SERVICES:
        for other in ("facilities", "operators", "feedback"):
            if other != s.database:
                env.setdefault(f"{s.prefix}{other.upper()}_URL", url[other])
        # The gateway's feed of account facts (account.deleted, apikey.revoked).
        if s.name != "gateway":
            env.setdefault(f"{s.prefix}GATEWAY_URL", url["identity"])
    env.setdefault("FEEDBACK_OPEN311_BASE_URL", f"{url['identity']}/open311/v2")
    return env


async def _create_missing(admin_url: str, names: list[str]) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(admin_url)
    conn = await asyncpg.connect(
        user=url.username,
        password=url.password,
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        database=url.database or "postgres",
    )
    try:
        for name in names:
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await conn.execute(f'CREATE DATABASE "{name}"')
                print(f"  created database {name}")
    finally:
        await conn.close()


def postgres_urls(admin_url: str, prefix: str) -> dict[str, str]:
    """Each service's database URL on the server of `admin_url` (the databases are created if missing)."""
    from sqlalchemy.engine import make_url

    names = {s.prefix: f"{prefix}{s.database}" for s in SERVICES}
    asyncio.run(_create_missing(admin_url, list(names.values())))
    url = make_url(admin_url)
    return {
        f"{p}DATABASE_URL": url.set(database=name).render_as_string(hide_password=False) for p, name in names.items()
    }


def migrate_and_seed(env: Mapping[str, str]) -> None:
    for s in SERVICES:
        subprocess.run([sys.executable, "-m", s.module, "migrate"], cwd=ROOT, env=dict(env), check=True)
    for module in SEED_ORDER:
        subprocess.run([sys.executable, "-m", module, "seed-demo"], cwd=ROOT, env=dict(env), check=True)


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Platform:
    """The four processes, each started (and restarted) on its port with the platform's environment."""

    env: dict[str, str]
    ports: dict[str, int]
    log_dir: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _logs: dict[str, IO[bytes]] = field(default_factory=dict)

    def start(self, name: str) -> subprocess.Popen[bytes]:
        service = next(s for s in SERVICES if s.name == name)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if name not in self._logs:
            self._logs[name] = open(self.log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", service.module, "serve", "--host", "127.0.0.1", "--port", str(self.ports[name])],
            cwd=ROOT,
            env=self.env,
            stdout=self._logs[name],
            stderr=subprocess.STDOUT,
            # Its own process group: Ctrl-C in the terminal reaches this runner, which stops them in order.
            start_new_session=True,
        )
        self.procs[name] = proc
        return proc

    def wait_ready(self, names: list[str], timeout: float = 60.0, report: bool = False) -> list[str]:
        """Waits until each of `names` answers /readyz; the ones that did not (or died)."""
        deadline = time.monotonic() + timeout
        waiting = list(names)
        while waiting and time.monotonic() < deadline:
            for name in list(waiting):
                if self.procs[name].poll() is not None:
                    return waiting
                if ready(self.ports[name]):
                    if report:
                        print(f"  {name:15} ready on 127.0.0.1:{self.ports[name]}")
                    waiting.remove(name)
            time.sleep(0.2)
        return waiting

    def signal(self, name: str, sig: int) -> None:
        proc = self.procs[name]
        if proc.poll() is None:
            os.killpg(proc.pid, sig)

    def stop(self, name: str, timeout: float = 10.0) -> None:
        proc = self.procs[name]
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGCONT)  # in case it was stopped
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=timeout)
            except ProcessLookupError:
                pass

    def stop_all(self) -> None:
        for name in reversed(list(self.procs)):
            self.stop(name)
        for log in self._logs.values():
            log.close()
        self._logs.clear()

    def dead(self) -> list[str]:
        return [name for name, proc in self.procs.items() if proc.poll() is not None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="run on PostgreSQL (CULTURE_OPS_POSTGRES_URL): create the databases, migrate, seed, run",
    )
    args = parser.parse_args(argv)
    ports = ports_from(os.environ)
    taken = [f"{name} (:{port})" for name, port in ports.items() if port_taken(port)]
    if taken:
        print(f"ports already in use: {', '.join(taken)}; is the platform running already?", file=sys.stderr)
        return 1
    environ = dict(os.environ)
    if args.postgres:
        admin = environ.get("CULTURE_OPS_POSTGRES_URL", DEFAULT_POSTGRES_URL)
        prefix = environ.get("CULTURE_OPS_DATABASE_PREFIX", "culture_ops_")
        for variable, url in postgres_urls(admin, prefix).items():
            environ.setdefault(variable, url)
    env = platform_env(environ, ports)
    if args.postgres:
        migrate_and_seed(env)
    log_dir = Path(os.environ.get("CULTURE_OPS_LOG_DIR", ROOT / "var" / "log"))
    platform = Platform(env=env, ports=ports, log_dir=log_dir)
    signal.signal(signal.SIGTERM, lambda *_: (platform.stop_all(), sys.exit(0)))
    try:
        for s in SERVICES:
            platform.start(s.name)
        waiting = platform.wait_ready([s.name for s in SERVICES], timeout=60, report=True)
        if waiting:
            for name in platform.dead():
                print(
                    f"{name} stopped (exit {platform.procs[name].returncode}); see {log_dir}/{name}.log",
                    file=sys.stderr,
                )
            print(f"not ready after 60 s: {', '.join(waiting)}; see {log_dir}/", file=sys.stderr)
            return 1
        gateway = f"http://127.0.0.1:{ports['gateway']}"
        print(f"\nculture-ops is running: {gateway}  (API docs: {gateway}/api/v1/docs)")
        print("Demo accounts: demo-resident, demo-operator, demo-official, demo-auditor; password demo-password")
        print(f"Logs in {log_dir}/. Ctrl-C stops everything.")
        while True:
            for name in platform.dead():
                print(
                    f"{name} stopped (exit {platform.procs[name].returncode}); stopping the rest."
                    f" See {log_dir}/{name}.log",
                    file=sys.stderr,
                )
                return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping…")
        return 0
    finally:
        platform.stop_all()


if __name__ == "__main__":
    sys.exit(main())
