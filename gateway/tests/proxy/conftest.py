from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

try:  # the gateway package is normally installed; make the tests runnable from a bare checkout too
    import gateway.proxy  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from fastapi import FastAPI

from gateway.proxy import ProxyApp, ProxySettings

from .servers import ServerThread, make_upstream

SERVICES = ("facilities", "operators", "feedback")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "redis: needs the Redis server on 127.0.0.1:6379 (fails if it is down)")


@pytest.fixture(scope="session")
def upstreams() -> Iterator[dict[str, str]]:
    """One real upstream per service, each naming itself in its answers."""
    servers = {name: ServerThread(make_upstream(name)).start() for name in SERVICES}
    yield {name: server.url for name, server in servers.items()}
    for server in servers.values():
        server.stop()


def make_inner() -> FastAPI:
    inner = FastAPI()
    inner.state.lifespan_events = []

    @inner.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok", "from": "inner"}

    return inner


@pytest.fixture
def start_gateway() -> Iterator:
    """Start a ProxyApp (around an inner FastAPI app) under uvicorn; returns (base_url, app)."""
    started: list[ServerThread] = []

    def start(upstream_urls: dict[str, str], **kwargs) -> tuple[str, ProxyApp]:
        settings = kwargs.pop("settings", None) or ProxySettings()
        app = ProxyApp(kwargs.pop("inner", None) or make_inner(), upstream_urls, settings=settings, **kwargs)
        server = ServerThread(app).start()
        started.append(server)
        return server.url, app

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def gateway_url(upstreams: dict[str, str]) -> Iterator[str]:
    """A gateway with default settings in front of the three upstreams, shared by a module."""
    server = ServerThread(ProxyApp(make_inner(), upstreams)).start()
    yield server.url
    server.stop()
