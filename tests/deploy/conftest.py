"""Shared facts and loaders for the deployment tests.

These tests read docker-compose.yml, the Dockerfiles and deploy/ as files and
check them with offline validators: no Docker engine, no cluster, no network.

Everything reaches the test modules as fixtures (and the ``component`` and
``k8s_object`` parameters through ``pytest_generate_tests``), never through
``import conftest``, which is ambiguous when several conftest.py files exist.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DEPLOY_DIR = REPO_ROOT / "deploy"
K8S_DIR = DEPLOY_DIR / "k8s"
INITDB_DIR = DEPLOY_DIR / "compose" / "initdb"
ENV_EXAMPLE = DEPLOY_DIR / "compose" / "env.example"


@dataclass(frozen=True)
class Component:
    """One deployable Python component: a service or the gateway."""

    name: str  # compose service, Kubernetes Deployment and Service name
    module: str  # python -m MODULE
    port: int
    prefix: str  # settings prefix, without the trailing underscore
    database: str  # its own PostgreSQL database (and role)
    dockerfile: str  # relative to the repository root
    calls: tuple[str, ...]  # settings names of the other components it calls (<PREFIX>_<CALL>_URL)

    @property
    def migrate_step(self) -> str:
        return f"{self.name.removesuffix('-api')}-migrate"


COMPONENTS: tuple[Component, ...] = (
    Component(
        "facilities-api",
        "facilities_api",
        8001,
        "FACILITIES",
        "facilities",
        "services/facilities-api/Dockerfile",
        ("OPERATORS", "FEEDBACK", "GATEWAY"),
    ),
    Component(
        "operators-api",
        "operators_api",
        8002,
        "OPERATORS",
        "operators",
        "services/operators-api/Dockerfile",
        ("FACILITIES", "FEEDBACK"),
    ),
    Component(
        "feedback-api",
        "feedback_api",
        8003,
        "FEEDBACK",
        "feedback",
        "services/feedback-api/Dockerfile",
        ("FACILITIES", "OPERATORS", "GATEWAY"),
    ),
    Component(
        "gateway",
        "gateway",
        8000,
        "GATEWAY",
        "identity",
        "gateway/Dockerfile",
        ("FACILITIES", "OPERATORS", "FEEDBACK"),
    ),
)
DATABASES = frozenset(c.database for c in COMPONENTS)


def _venv_tool(name: str) -> Path:
    """A console script installed beside the interpreter running the tests."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(f"{name} is not installed beside {sys.executable}; install it into the test venv")
    return path


def _load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [doc for doc in yaml.safe_load_all(fh) if doc is not None]


def _k8s_manifest_files() -> list[Path]:
    return sorted(p for p in K8S_DIR.rglob("*") if p.suffix in {".yaml", ".yml"})


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    with COMPOSE_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="session")
def compose_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="session")
def k8s_objects() -> list[tuple[Path, dict[str, Any]]]:
    """Every object under deploy/k8s (the Kustomization too), with the file it came from."""
    return _all_k8s_objects()


def _all_k8s_objects() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, doc) for path in _k8s_manifest_files() for doc in _load_yaml_documents(path)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "component" in metafunc.fixturenames:
        metafunc.parametrize("component", COMPONENTS, ids=[c.name for c in COMPONENTS])
    if "k8s_object" in metafunc.fixturenames:
        # Kubernetes API objects only: a Kustomization is kustomize's own file,
        # which the API server never sees and which has no Kubernetes schema.
        objects = [(path, doc) for path, doc in _all_k8s_objects() if doc.get("kind") != "Kustomization"]
        metafunc.parametrize(
            "k8s_object",
            objects,
            ids=[
                f"{path.relative_to(K8S_DIR)}:{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
                for path, doc in objects
            ],
        )


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def k8s_dir() -> Path:
    return K8S_DIR


@pytest.fixture(scope="session")
def initdb_dir() -> Path:
    return INITDB_DIR


@pytest.fixture(scope="session")
def env_example() -> Path:
    return ENV_EXAMPLE


@pytest.fixture(scope="session")
def compose_file() -> Path:
    return COMPOSE_FILE


@pytest.fixture(scope="session")
def components() -> tuple[Component, ...]:
    return COMPONENTS


@pytest.fixture(scope="session")
def databases() -> frozenset[str]:
    return DATABASES


@pytest.fixture(scope="session")
def venv_tool():
    """venv_tool("check-jsonschema") -> path of that script in the test interpreter's bin dir."""
    return _venv_tool


@pytest.fixture(scope="session")
def load_yaml_documents():
    return _load_yaml_documents
