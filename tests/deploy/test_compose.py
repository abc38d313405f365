"""docker-compose.yml and its PostgreSQL init script.

No Docker engine is needed: the file is checked against the Compose
Specification schema (check-jsonschema's vendored copy, offline), its wiring is
checked as data, the healthcheck one-liners are run against a local HTTP server,
and the init script is run against a throwaway PostgreSQL cluster when the
PostgreSQL server binaries are on the machine.
"""

from __future__ import annotations

import copy
import http.server
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}")
ASYNCPG_URL = re.compile(
    r"^postgresql\+asyncpg://(?P<user>[a-z_]+):\$\{(?P<password_var>[A-Z0-9_]+):\?[^}]+\}"
    r"@(?P<host>[a-z0-9-]+):(?P<port>\d+)/(?P<database>[a-z_]+)$"
)
INIT_SCRIPT_CALL = re.compile(
    r"^create_service_database\s+(?P<database>\w+)\s+(?P<password_var>\w+)\s*$",
    re.MULTILINE,
)


def run_compose_schema_check(venv_tool, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(venv_tool("check-jsonschema")),
            "--builtin-schema",
            "vendor.compose-spec",
            str(path),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def depends_on(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    deps = service.get("depends_on", {})
    if isinstance(deps, list):  # short form means condition: service_started
        return {name: {"condition": "service_started"} for name in deps}
    return deps


def is_one_shot(service: dict[str, Any]) -> bool:
    return service.get("restart") == "no"


def healthcheck_script(service: dict[str, Any]) -> str:
    """The python -c program of a CMD healthcheck that runs python."""
    test = service["healthcheck"]["test"]
    assert isinstance(test, list) and test[:3] == ["CMD", "python", "-c"], test
    return test[3]


# --- the Compose Specification ------------------------------------------------


def test_compose_file_matches_the_compose_specification(venv_tool, compose_file):
    result = run_compose_schema_check(venv_tool, compose_file)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "breakage",
    [
        pytest.param(
            lambda c: c["services"]["gateway"]["healthcheck"].update(intervall="5s"),
            id="misspelt-key",
        ),
        pytest.param(
            lambda c: c["services"]["gateway"]["depends_on"]["postgres"].update(condition="service_ready"),
            id="unknown-depends-on-condition",
        ),
        pytest.param(
            lambda c: c["services"]["postgres"].update(ports="5432"),
            id="ports-not-a-list",
        ),
    ],
)
def test_schema_check_rejects_a_broken_compose_file(venv_tool, compose, tmp_path, breakage):
    """The schema check above can fail: the same file, broken once, is refused."""
    broken = copy.deepcopy(compose)
    breakage(broken)
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken, sort_keys=False), encoding="utf-8")
    result = run_compose_schema_check(venv_tool, path)
    assert result.returncode != 0, result.stdout


# --- health and start-up order ------------------------------------------------


def test_every_service_has_a_healthcheck(compose_services):
    for name, service in compose_services.items():
        assert "healthcheck" in service, f"{name} has no healthcheck"
        check = service["healthcheck"]
        if is_one_shot(service):
            # A one-shot step exits when done; it is waited on for completion,
            # and the image's HEALTHCHECK (aimed at a server) is switched off.
            assert check == {"disable": True}, f"one-shot {name} should disable the image healthcheck"
        else:
            assert not check.get("disable", False), f"{name} disables its healthcheck"
            assert check["test"][0] in {"CMD", "CMD-SHELL"}, f"{name}: {check['test']}"
            for key in ("interval", "timeout", "retries"):
                assert key in check, f"{name} healthcheck has no {key}"


def test_one_shot_steps_are_awaited_for_completion_not_health(compose_services):
    awaited = {
        dep: cond["condition"]
        for service in compose_services.values()
        for dep, cond in depends_on(service).items()
        if dep in compose_services and is_one_shot(compose_services[dep])
    }
    one_shots = {name for name, service in compose_services.items() if is_one_shot(service)}
    assert one_shots, "no one-shot migration steps found"
    for name in one_shots:
        assert name in awaited, f"nothing waits for {name}"
    for name, condition in awaited.items():
        # service_healthy on a container without a healthcheck would hang forever.
        assert condition == "service_completed_successfully", f"{name} awaited with {condition}"


def test_api_service_depends_on_postgres_healthy_and_its_migrations(component, compose_services):
    service = compose_services[component.name]
    deps = depends_on(service)
    assert deps.get("postgres") == {"condition": "service_healthy"}
    assert deps.get(component.migrate_step) == {"condition": "service_completed_successfully"}


def test_migration_step_runs_the_component_migrate_command(component, compose_services):
    service = compose_services[component.name]
    step = compose_services[component.migrate_step]
    assert is_one_shot(step)
    assert step["command"] == ["python", "-m", component.module, "migrate"]
    # Same image and build as the server, same settings, after PostgreSQL is healthy.
    assert step["image"] == service["image"]
    assert step["build"] == service["build"]
    assert step["environment"] == service["environment"]
    assert depends_on(step).get("postgres") == {"condition": "service_healthy"}


def test_api_service_serves_on_its_port_and_healthcheck_asks_readyz_there(component, compose_services):
    service = compose_services[component.name]
    assert service["command"] == [
        "python",
        "-m",
        component.module,
        "serve",
        "--host",
        "0.0.0.0",
        "--port",
        str(component.port),
    ]
    script = healthcheck_script(service)
    assert f"http://127.0.0.1:{component.port}/readyz" in script
    assert "urllib.request" in script


def test_gateway_is_published_on_8000_and_waits_for_redis_and_the_services(
    compose_services,
):
    gateway = compose_services["gateway"]
    assert "8000:8000" in [str(p) for p in gateway["ports"]]
    published = {name for name, s in compose_services.items() if s.get("ports")}
    assert published == {"gateway"}, "only the gateway is reachable from the host"
    deps = depends_on(gateway)
    for name in ("redis", "facilities-api", "operators-api", "feedback-api"):
        assert deps.get(name) == {"condition": "service_healthy"}, name


def test_postgres_healthcheck_waits_for_tcp_so_init_scripts_have_finished(
    compose_services,
):
    postgres = compose_services["postgres"]
    assert postgres["image"].split(":")[1].split("-")[0] == "16"
    test = postgres["healthcheck"]["test"]
    assert test[:2] == ["CMD", "pg_isready"]
    # The image's init phase runs a socket-only server: a socket check would
    # report ready before the databases exist.
    assert "--host=127.0.0.1" in test


class _ProbeHandler(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):
        self.send_response(self.server.status_by_path.get(self.path, 404))
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def probe_server() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _ProbeHandler)
    server.status_by_path = {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("status, healthy", [(200, True), (503, False), (404, False)])
def test_healthcheck_one_liner_fails_unless_readyz_answers_ok(
    component, compose_services, probe_server, status, healthy
):
    """Run the healthcheck program itself (slim images have no curl) against a local server."""
    script = healthcheck_script(compose_services[component.name])
    local = script.replace(f"127.0.0.1:{component.port}", f"127.0.0.1:{probe_server.server_port}")
    assert local != script
    probe_server.status_by_path = {"/readyz": status}
    result = subprocess.run(
        [sys.executable, "-c", local],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (result.returncode == 0) is healthy, result.stderr


def test_healthcheck_one_liner_fails_when_nothing_listens(component, compose_services, probe_server):
    script = healthcheck_script(compose_services[component.name])
    port = probe_server.server_port
    probe_server.shutdown()
    probe_server.server_close()
    local = script.replace(f"127.0.0.1:{component.port}", f"127.0.0.1:{port}")
    result = subprocess.run(
        [sys.executable, "-c", local],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0


# --- settings -----------------------------------------------------------------


def test_jwt_secret_is_one_required_variable_shared_by_all_four(components, compose_services):
    values = {c.name: compose_services[c.name]["environment"][f"{c.prefix}_JWT_SECRET"] for c in components}
    assert len(set(values.values())) == 1, values
    (value,) = set(values.values())
    match = INTERPOLATION.fullmatch(value)
    assert match and match["name"] == "CULTURE_JWT_SECRET" and match["op"] == ":?", value


def test_component_settings_use_its_own_prefix(component, compose_services):
    environment = compose_services[component.name]["environment"]
    for key in environment:
        assert key.startswith(f"{component.prefix}_"), key
    for setting in ("DATABASE_URL", "ENVIRONMENT", "JWT_SECRET", "LOG_LEVEL"):
        assert f"{component.prefix}_{setting}" in environment


def test_database_url_uses_its_own_database_role_and_required_password(component, compose_services):
    url = compose_services[component.name]["environment"][f"{component.prefix}_DATABASE_URL"]
    match = ASYNCPG_URL.match(url)
    assert match, url
    assert match["host"] == "postgres" and match["port"] == "5432"
    assert match["database"] == component.database
    assert match["user"] == component.database, "each service logs in as its own role"
    # The postgres container receives the same variable, for the init script.
    postgres_env = compose_services["postgres"]["environment"]
    assert postgres_env[match["password_var"]].startswith(f"${{{match['password_var']}:?")


def test_service_urls_point_at_compose_services_on_their_ports(component, components, compose_services):
    environment = compose_services[component.name]["environment"]
    ports = {c.prefix: c.port for c in components}
    names = {c.prefix: c.name for c in components}
    for callee in component.calls:
        url = environment[f"{component.prefix}_{callee}_URL"]
        assert url == f"http://{names[callee]}:{ports[callee]}", url
        assert names[callee] in compose_services


def test_gateway_rate_limits_go_to_the_compose_redis(compose_services):
    url = compose_services["gateway"]["environment"]["GATEWAY_REDIS_URL"]
    assert re.fullmatch(r"redis://redis:6379/\d+", url), url
    assert "redis" in compose_services
    # Published straight to clients: a forwarded header here would be forgeable.
    assert compose_services["gateway"]["environment"]["GATEWAY_TRUST_FORWARDED"] == "false"


def test_every_variable_is_documented_and_secrets_have_no_default(compose_file, env_example):
    text = compose_file.read_text(encoding="utf-8")
    documented = {
        m.group(1)
        for m in re.finditer(
            r"^#?\s*([A-Z][A-Z0-9_]*)=",
            env_example.read_text(encoding="utf-8"),
            re.MULTILINE,
        )
    }
    required_in_example = {
        m.group(1)
        for m in re.finditer(
            r"^([A-Z][A-Z0-9_]*)=\s*$",
            env_example.read_text(encoding="utf-8"),
            re.MULTILINE,
        )
    }
    used = list(INTERPOLATION.finditer(text))
    assert used
    for m in used:
        assert m["name"] in documented, f"{m['name']} is not in {env_example.name}"
        if "SECRET" in m["name"] or "PASSWORD" in m["name"]:
            assert m["op"] == ":?", f"{m['name']} must be required, not defaulted: {m.group(0)}"
            assert m["name"] in required_in_example, f"{m['name']} should be an empty line to fill in"


# --- the PostgreSQL init script -----------------------------------------------


def init_script_calls(initdb_dir: Path) -> dict[str, str]:
    calls: dict[str, str] = {}
    for script in sorted(initdb_dir.glob("*.sh")):
        for m in INIT_SCRIPT_CALL.finditer(script.read_text(encoding="utf-8")):
            calls[m["database"]] = m["password_var"]
    return calls


def test_init_script_creates_each_of_the_four_databases(initdb_dir, databases, compose_services):
    calls = init_script_calls(initdb_dir)
    assert set(calls) == set(databases)
    script_text = "\n".join(p.read_text(encoding="utf-8") for p in initdb_dir.glob("*.sh"))
    assert "CREATE DATABASE %I OWNER %I" in script_text
    assert "CREATE ROLE %I LOGIN PASSWORD %L" in script_text
    postgres_env = compose_services["postgres"]["environment"]
    for database, password_var in calls.items():
        assert password_var in postgres_env, f"postgres container lacks {password_var} for {database}"


def test_init_script_is_mounted_into_the_postgres_entrypoint(compose_services, repo_root, initdb_dir):
    mounts = compose_services["postgres"]["volumes"]
    expected = f"./{initdb_dir.relative_to(repo_root).as_posix()}:/docker-entrypoint-initdb.d:ro"
    assert expected in mounts
    for script in initdb_dir.glob("*.sh"):
        assert os.access(script, os.X_OK), f"{script.name} should be executable (run, not sourced)"
        subprocess.run(["bash", "-n", str(script)], check=True, timeout=30)


# A real PostgreSQL cluster, made and removed by the test, on a unix socket only.

PASSWORDS = {
    "CULTURE_FACILITIES_DB_PASSWORD": "f-" + "a" * 40,
    "CULTURE_OPERATORS_DB_PASSWORD": "o'quote\"double $dollar \\back",
    "CULTURE_FEEDBACK_DB_PASSWORD": "反馈-密码-🙂",
    "CULTURE_IDENTITY_DB_PASSWORD": "identity with spaces",
}
SUPERUSER_PASSWORD = "super-" + "s" * 20


def _postgres_bindir() -> Path | None:
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    for tool in ("initdb", "pg_ctl"):
        found = shutil.which(tool)
        if found and (Path(found).resolve().parent / "pg_ctl").exists():
            return Path(found).resolve().parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], check=False, capture_output=True, text=True).stdout.strip()
        if out and (Path(out) / "initdb").exists():
            return Path(out)
    return None


class _Cluster:
    def __init__(self, bindir: Path, root: Path, as_user: list[str]):
        self.bindir, self.root, self.as_user = bindir, root, as_user
        self.data, self.socket_dir, self.log = root / "data", root, root / "server.log"

    def run_as_owner(self, args: list[str], env: dict[str, str] | None = None, check: bool = True):
        # env(1) after runuser, so the variables survive the change of user.
        settings = {
            "PATH": f"{self.bindir}{os.pathsep}{os.environ.get('PATH', '')}",
            **(env or {}),
        }
        return subprocess.run(
            [*self.as_user, "env", *(f"{k}={v}" for k, v in settings.items()), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=check,
        )

    def psql(self, user: str, database: str, password: str, sql: str):
        env = {
            **os.environ,
            "PGHOST": str(self.socket_dir),
            "PGPASSWORD": password,
            "PGCONNECT_TIMEOUT": "10",
            "LC_ALL": "C.UTF-8",
            "PATH": f"{self.bindir}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        return subprocess.run(
            [
                "psql",
                "--no-psqlrc",
                "--quiet",
                "-v",
                "ON_ERROR_STOP=1",
                "-At",
                "-U",
                user,
                "-d",
                database,
                "-c",
                sql,
            ],
            env=env,
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def run_init_script(self, script: Path, passwords: dict[str, str]):
        env = {
            "PGHOST": str(self.socket_dir),
            "PGPASSWORD": SUPERUSER_PASSWORD,
            "POSTGRES_USER": "postgres",
        }
        # A password left out is passed empty, so none leaks in from the outer environment.
        env.update({var: passwords.get(var, "") for var in PASSWORDS})
        # A copy the cluster owner can read wherever the repository lives.
        copy = self.root / script.name
        shutil.copyfile(script, copy)
        os.chown(copy, self.root.stat().st_uid, -1)
        return self.run_as_owner(["bash", str(copy)], env=env, check=False)


@pytest.fixture(scope="module")
def cluster() -> Iterator[_Cluster]:
    bindir = _postgres_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    psql = shutil.which("psql", path=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    if psql is None:
        pytest.skip("psql is not installed")
    version = subprocess.run([psql, "--version"], check=False, capture_output=True, text=True).stdout
    major = int(re.search(r"(\d+)", version).group(1))
    if major < 15:
        pytest.skip(f"the init script needs psql 15+ (\\getenv), as in the postgres:16 image; found {version}")

    as_user: list[str] = []
    owner_uid = os.geteuid()
    if owner_uid == 0:  # initdb refuses to run as root
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and no postgres user to own a test cluster")
        runuser = shutil.which("runuser")
        if runuser is None:
            pytest.skip("running as root without runuser")
        as_user, owner_uid = [runuser, "-u", "postgres", "--"], owner.pw_uid

    # Not pytest's tmp_path: its parent is private to the test user, and the
    # cluster owner must reach the folder; the socket path must also stay short.
    root = Path(tempfile.mkdtemp(prefix="culture-pg-"))
    os.chown(root, owner_uid, -1)
    pwfile = root / "superuser-password"
    pwfile.write_text(SUPERUSER_PASSWORD, encoding="utf-8")
    os.chown(pwfile, owner_uid, -1)
    cluster = _Cluster(bindir, root, as_user)
    started = False
    try:
        cluster.run_as_owner(
            [
                "initdb",
                "-D",
                str(cluster.data),
                "--username=postgres",
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ]
        )
        cluster.run_as_owner(
            [
                "pg_ctl",
                "-D",
                str(cluster.data),
                "-l",
                str(cluster.log),
                "-w",
                "-t",
                "60",
                "-o",
                f"-c listen_addresses='' -k {cluster.socket_dir} -c fsync=off",
                "start",
            ]
        )
        started = True
        yield cluster
    finally:
        if started:
            cluster.run_as_owner(
                ["pg_ctl", "-D", str(cluster.data), "-m", "immediate", "-w", "stop"],
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def initialised(cluster, initdb_dir) -> _Cluster:
    (script,) = sorted(initdb_dir.glob("*.sh"))
    first = cluster.run_init_script(script, PASSWORDS)
    assert first.returncode == 0, first.stdout + first.stderr
    again = cluster.run_init_script(script, PASSWORDS)  # safe to run twice
    assert again.returncode == 0, again.stdout + again.stderr
    return cluster


def test_init_script_makes_each_database_owned_by_its_own_role(initialised, databases):
    result = initialised.psql(
        "postgres",
        "postgres",
        SUPERUSER_PASSWORD,
        "SELECT datname || '=' || pg_get_userbyid(datdba) FROM pg_database WHERE NOT datistemplate",
    )
    assert result.returncode == 0, result.stderr
    owners = dict(line.split("=") for line in result.stdout.split())
    for database in databases:
        assert owners.get(database) == database


def test_each_role_can_migrate_its_own_database(initialised, databases):
    passwords = {var.split("_")[1].lower(): pw for var, pw in PASSWORDS.items()}
    for database in databases:
        result = initialised.psql(
            database,
            database,
            passwords[database],
            "CREATE TABLE alembic_probe (id integer); DROP TABLE alembic_probe; SELECT current_user",
        )
        assert result.returncode == 0, f"{database}: {result.stderr}"
        assert result.stdout.strip() == database


def test_no_role_can_open_another_services_database(initialised, databases):
    passwords = {var.split("_")[1].lower(): pw for var, pw in PASSWORDS.items()}
    for role in databases:
        for database in databases - {role}:
            result = initialised.psql(role, database, passwords[role], "SELECT 1")
            assert result.returncode != 0, f"{role} opened {database}"
            assert "CONNECT" in result.stderr or "permission denied" in result.stderr, result.stderr


def test_a_wrong_password_is_refused(initialised):
    result = initialised.psql("facilities", "facilities", "not-the-password", "SELECT 1")
    assert result.returncode != 0
    assert "password authentication failed" in result.stderr


def test_init_script_refuses_to_run_without_every_password(cluster, initdb_dir):
    (script,) = sorted(initdb_dir.glob("*.sh"))
    partial = {k: v for k, v in PASSWORDS.items() if k != "CULTURE_FEEDBACK_DB_PASSWORD"}
    result = cluster.run_init_script(script, partial)
    assert result.returncode != 0
    assert "CULTURE_FEEDBACK_DB_PASSWORD is not set" in result.stderr
