"""A scratch PostgreSQL cluster for the drills: `initdb` in a temporary folder, on a free loopback
port, with WAL archiving on (so that a point-in-time restore can be drilled), started and stopped
with `pg_ctl`. The drills restart it at will and never touch any other server."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_bin() -> Path:
    """The folder of the PostgreSQL server programs: $PG_BIN, the newest under /usr/lib/postgresql,
    or the one `initdb` is found in on the PATH."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise SystemExit("the drills need the PostgreSQL server programs (initdb, pg_ctl): set PG_BIN")


class Cluster:
    """One cluster in the folder `parent/name`: its data, its WAL archive, its log and its socket."""

    def __init__(self, parent: Path, name: str) -> None:
        self.bin = pg_bin()
        self.root = parent / name
        self.data = self.root / "data"
        self.archive = self.root / "wal-archive"
        self.log = self.root / "server.log"
        self.port = free_port()
        # PostgreSQL refuses to run as root: then the server runs as the `postgres` account ($DRILLS_PG_USER).
        self.user = os.environ.get("DRILLS_PG_USER", "postgres") if os.geteuid() == 0 else None

    def _own(self, path: Path) -> None:
        if self.user:
            entry = pwd.getpwnam(self.user)
            for folder, _dirs, files in os.walk(path):
                os.chown(folder, entry.pw_uid, entry.pw_gid)
                for f in files:
                    os.chown(os.path.join(folder, f), entry.pw_uid, entry.pw_gid)

    def _server(self, *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            user=self.user,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def settings(self) -> str:
        # The WAL-archiving settings deploy/README.md documents for point-in-time recovery.
        return (
            f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.root}'\n"
            "max_connections = 200\nshared_buffers = 64MB\nwal_level = replica\narchive_mode = on\n"
            f"archive_command = 'test ! -f {self.archive}/%f && cp %p {self.archive}/%f'\n"
            "archive_timeout = 60\n"
        )

    def init(self) -> None:
        self.root.mkdir(parents=True)
        self._own(self.root)
        self.archive.mkdir()
        self._own(self.archive)
        done = self._server(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"
        )
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr[-2000:]}")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(self.settings())

    def start(self) -> None:
        done = self._server("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")
        if done.returncode:
            tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {done.stderr[-1000:]} {tail}")

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._server("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def client(self, program: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """A client program (psql, pg_dump, pg_restore, pg_basebackup) against this cluster over TCP."""
        done = subprocess.run(
            [str(self.bin / program), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"{program} {' '.join(args)[:200]} failed: {done.stderr[-2000:]}")
        return done

    def sql(self, database: str, statement: str) -> list[list[str]]:
        out = self.client(
            "psql", "-d", database, "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", statement
        )
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def wait_accepting(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.sql("postgres", "SELECT pg_is_in_recovery()") == [["f"]]:
                    return
            except RuntimeError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the cluster on port {self.port} did not accept writes within {timeout} s")

    def restore_from_base_backup(self, base: Path, archive: Path, target_time: str) -> None:
        """This cluster from a base backup of another, replaying that one's WAL archive up to
        `target_time` (point-in-time recovery), then promoted."""
        self.root.mkdir(parents=True)
        shutil.copytree(base, self.data)
        os.chmod(self.data, 0o700)
        self.archive.mkdir()
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(self.settings())
            conf.write(
                "archive_mode = off\n"
                f"restore_command = 'cp {archive}/%f %p'\n"
                f"recovery_target_time = '{target_time}'\n"
                "recovery_target_action = 'promote'\n"
            )
        (self.data / "recovery.signal").touch()
        (self.data / "postmaster.pid").unlink(missing_ok=True)
        self._own(self.root)
        self.start()
