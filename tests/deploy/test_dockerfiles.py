"""The Dockerfiles and .dockerignore, read as instructions (no Docker engine here).

A small parser reads each Dockerfile into stages of (INSTRUCTION, arguments);
the tests check what a build would otherwise reveal only on a machine with
Docker: base images, the non-root user, the SPA stage, that every COPY source
is inside the build context and not ignored, and that the default command,
port and healthcheck agree with docker-compose.yml.
"""

from __future__ import annotations

import glob
import json
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]

    def last(self, keyword: str) -> str:
        found = self.all(keyword)
        assert found, f"stage {self.name or self.base} has no {keyword}"
        return found[-1]


def parse_dockerfile(path: Path) -> list[Stage]:
    logical: list[str] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or not stripped:
            continue  # comments and blank lines, also inside continued instructions
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    assert not pending, f"{path}: dangling line continuation"

    stages: list[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword, args = keyword.upper(), args.strip()
        if keyword == "FROM":
            parts = args.split()
            parts = [p for p in parts if not p.startswith("--platform")]
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(base=parts[0], name=name))
        else:
            assert stages, f"{path}: {keyword} before FROM"
            stages[-1].instructions.append((keyword, args))
    return stages


def copy_parts(args: str) -> tuple[dict[str, str], list[str], str]:
    """COPY [--flag=value...] SRC... DEST -> (flags, sources, dest)."""
    words = json.loads(args) if args.startswith("[") else shlex.split(args)
    flags = {}
    while words and words[0].startswith("--"):
        key, _, value = words.pop(0)[2:].partition("=")
        flags[key] = value
    return flags, words[:-1], words[-1]


def exec_form(args: str) -> list[str]:
    assert args.startswith("["), f"use the exec (JSON) form so signals reach python: {args}"
    return json.loads(args)


def env_values(stage: Stage) -> dict[str, str]:
    values = {}
    for args in stage.all("ENV"):
        for word in shlex.split(args):
            key, _, value = word.partition("=")
            values[key] = value
    return values


def dockerignore_patterns(repo_root: Path) -> list[tuple[bool, re.Pattern[str]]]:
    patterns = []
    for line in (repo_root / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        line = line.lstrip("!").strip("/")
        regex = ""
        i = 0
        while i < len(line):
            if line.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif line.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif line[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif line[i] == "?":
                regex, i = regex + "[^/]", i + 1
            elif line[i] == "[":
                end = line.index("]", i)
                regex, i = regex + line[i : end + 1], end + 1
            else:
                regex, i = regex + re.escape(line[i]), i + 1
        # A matched directory excludes everything beneath it.
        patterns.append((negate, re.compile(f"^{regex}(?:/.*)?$")))
    return patterns


def is_ignored(path: str, patterns) -> bool:
    ignored = False
    for negate, pattern in patterns:  # later lines win, as in Docker
        if pattern.match(path.strip("/")):
            ignored = not negate
    return ignored


@pytest.fixture(scope="module")
def ignore_patterns(repo_root):
    return dockerignore_patterns(repo_root)


@pytest.fixture
def stages(component, repo_root) -> list[Stage]:
    return parse_dockerfile(repo_root / component.dockerfile)


def test_compose_builds_each_image_from_the_repository_root(component, compose_services, repo_root):
    for name in (component.name, component.migrate_step):
        build = compose_services[name]["build"]
        assert build["context"] == "."
        assert build["dockerfile"] == component.dockerfile
    assert (repo_root / component.dockerfile).is_file()


def test_python_stages_use_python_311_slim(stages):
    python_stages = [s for s in stages if s.base.startswith("python:")]
    assert python_stages, "no Python stage"
    for stage in python_stages:
        assert stage.base == "python:3.11-slim", stage.base
    assert stages[-1].base == "python:3.11-slim", "the runtime image must be the slim one"


def test_runtime_runs_as_a_numeric_non_root_user(stages):
    runtime = stages[-1]
    user = runtime.last("USER")
    uid = user.split(":")[0]
    # Numeric, so Kubernetes can check runAsNonRoot without resolving names.
    assert uid.isdigit() and int(uid) != 0, user
    instructions = [kw for kw, _ in runtime.instructions]
    assert instructions.index("USER") > max(i for i, kw in enumerate(instructions) if kw in {"RUN", "COPY"})


def test_runtime_uid_is_the_one_kubernetes_runs_as(stages, component, k8s_objects):
    uid = int(stages[-1].last("USER").split(":")[0])
    (deployment,) = [
        doc for _, doc in k8s_objects if doc["kind"] == "Deployment" and doc["metadata"]["name"] == component.name
    ]
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == uid


def test_default_command_port_and_healthcheck_agree_with_compose(stages, component, compose_services):
    runtime = stages[-1]
    assert exec_form(runtime.last("CMD")) == compose_services[component.name]["command"]
    assert runtime.last("EXPOSE").split() == [str(component.port)]
    healthcheck = runtime.last("HEALTHCHECK")
    assert f"http://127.0.0.1:{component.port}/healthz" in healthcheck
    assert "urllib.request" in healthcheck


def test_build_installs_service_kit_and_the_component_at_the_tested_versions(stages, component):
    build = next(s for s in stages if s.name == "build")
    component_dir = Path(component.dockerfile).parent.as_posix()
    (install,) = [run for run in build.all("RUN") if "pip install" in run]
    assert "-c constraints.txt" in install, "images must use the versions the tests ran with"
    assert "./libs/service-kit" in install and f"./{component_dir}" in install
    assert "-e " not in install and "--editable" not in install, "the image needs a real install"


def test_runtime_carries_the_virtualenv_not_the_sources(stages, component):
    runtime = stages[-1]
    for args in runtime.all("COPY") + runtime.all("ADD"):
        flags, _, _ = copy_parts(args)
        # Migrations ship inside the package; the source tree stays out of the image.
        assert "from" in flags, f"runtime copies from the build context: {args}"
    assert any(copy_parts(a)[1] == ["/opt/venv"] for a in runtime.all("COPY"))
    assert f"import {component.module}.main" in " ".join(runtime.all("RUN"))


def test_every_copy_source_is_in_the_context_and_not_ignored(stages, repo_root, ignore_patterns):
    missing = []
    for stage in stages:
        for args in stage.all("COPY") + stage.all("ADD"):
            flags, sources, _ = copy_parts(args)
            if "from" in flags:
                continue
            for source in sources:
                assert not Path(source).is_absolute() and ".." not in Path(source).parts, source
                assert not is_ignored(source, ignore_patterns), f"{source} is excluded by .dockerignore"
                if not glob.glob(str(repo_root / source)):
                    missing.append(source)
    if (
        missing
        and all(m.startswith("frontend/") for m in missing)
        and not (repo_root / "frontend/package.json").exists()
    ):
        pytest.skip(f"frontend/ has no SPA yet, so the gateway image cannot build until it lands: {missing}")
    assert not missing, f"COPY sources missing from the repository: {missing}"


def test_gateway_image_builds_the_spa_in_node_20_and_serves_it(repo_root, compose_services):
    stages = parse_dockerfile(repo_root / "gateway" / "Dockerfile")
    (spa,) = [s for s in stages if s.base.startswith("node:")]
    assert spa.base.split(":")[1].split("-")[0] == "20"
    runs = " && ".join(spa.all("RUN"))
    assert runs.index("npm ci") < runs.index("npm run build")
    workdir = spa.last("WORKDIR")
    runtime = stages[-1]
    from_spa = [copy_parts(a) for a in runtime.all("COPY") if copy_parts(a)[0].get("from") == spa.name]
    assert len(from_spa) == 1, "the runtime stage must copy the built SPA"
    _, sources, dest = from_spa[0]
    assert sources == [f"{workdir}/dist"], "Vite builds frontend/ into dist/"
    assert env_values(runtime)["GATEWAY_SPA_DIR"] == dest
    # A local dist/ never reaches the build: the image builds its own.
    assert any(copy_parts(a)[1] == ["frontend/"] for a in spa.all("COPY"))


def test_dockerignore_keeps_local_clutter_and_secrets_out_of_the_context(
    ignore_patterns,
):
    for path in (
        ".git",
        ".venv",
        ".env",
        "frontend/node_modules",
        "frontend/dist",
        "var/facilities.db",
        "services/facilities-api/tests/test_x.py",
        "gateway/src/gateway/__pycache__/x.pyc",
    ):
        assert is_ignored(path, ignore_patterns), path
    for path in (
        "libs/service-kit/pyproject.toml",
        "services/feedback-api/alembic.ini",
        "services/feedback-api/migrations/env.py",
        "gateway/src/gateway/main.py",
        "frontend/package.json",
        "frontend/package-lock.json",
        "frontend/src/main.js",
        "frontend/index.html",
        "frontend/.env.production",
    ):
        assert not is_ignored(path, ignore_patterns), path


# --- what a non-editable install (the image) really contains ------------------


def _package_dirs(src: Path, namespaces: bool) -> set[Path]:
    """Directories setuptools' packages.find turns into packages."""
    found = set()
    for init_or_dir in sorted(src.rglob("*")):
        if not init_or_dir.is_dir() or not init_or_dir.name.isidentifier():
            continue
        chain = [
            init_or_dir,
            *[p for p in init_or_dir.parents if p != src and src in p.parents],
        ]
        if all(d.name.isidentifier() and (namespaces or (d / "__init__.py").is_file()) for d in chain):
            found.add(init_or_dir)
    return found


def _shipped_data(src: Path, package_data: dict[str, list[str]], packages: set[Path]) -> set[Path]:
    shipped = set()
    for key, patterns in package_data.items():
        bases = packages if key == "*" else {src / key.replace(".", "/")}
        for base in bases:
            for pattern in patterns:
                shipped |= {Path(p) for p in glob.glob(str(base / pattern), recursive=True)}
    return shipped


@pytest.mark.parametrize(
    "folder",
    [
        "libs/service-kit",
        "services/facilities-api",
        "services/operators-api",
        "services/feedback-api",
        "gateway",
    ],
)
def test_non_editable_install_ships_every_file_of_the_package(repo_root, folder):
    """Development uses editable installs, which hide a missing package-data entry;
    the image's pip install does not (migrations/*.mako, demo data, static files)."""
    project = tomllib.loads((repo_root / folder / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = project.get("tool", {}).get("setuptools", {})
    find = setuptools.get("packages", {}).get("find", {})
    assert find, f"{folder}: expected [tool.setuptools.packages.find]"
    (where,) = find.get("where", ["."])
    src = repo_root / folder / where
    # packages.find in pyproject.toml finds namespace packages unless told otherwise.
    packages = _package_dirs(src, find.get("namespaces", True))
    shipped = _shipped_data(src, setuptools.get("package-data", {}), packages)
    missing = []
    for path in sorted(src.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        if any(part.endswith(".egg-info") for part in path.parts):
            continue
        if path.suffix in {".md", ".rst"}:
            continue  # notes beside the code (data/SOURCES.md), not read at run time
        if path.suffix == ".py" and path.parent in packages:
            continue
        if path not in shipped:
            missing.append(path.relative_to(repo_root).as_posix())
    assert not missing, f"not in the installed package (add to [tool.setuptools.package-data]): {missing}"
