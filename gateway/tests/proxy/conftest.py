from __future__ import annotations

from collections.abc import Iterator
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI

from gateway.proxy import Proxy, ProxySettings, ServiceRoutes, Upstreams, derive_routes
from gateway.proxy.types import RateLimiter

from .documents import DOCUMENTS
from .servers import ServerThread, make_upstream

SERVICES = ("facilities", "operators", "feedback")
ROUTES = derive_routes(DOCUMENTS)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "redis: needs the Redis server on 127.0.0.1:6379 (fails if it is down)")


@pytest.fixture(scope="session")
def upstreams() -> Iterator[dict[str, str]]:
    """One real upstream per service, each naming itself in its answers."""
    servers = {name: ServerThread(make_upstream(name)).start() for name in SERVICES}
    yield {name: server.url for name, server in servers.items()}
    for server in servers.values():
        server.stop()


def make_gateway(
    upstream_urls: dict[str, str],
    *,
    settings: ProxySettings | None = None,
    limiter: RateLimiter | None = None,
) -> tuple[FastAPI, Upstreams]:
    """The proxy as the gateway stacks it: a middleware of a FastAPI app, clients made in its lifespan."""
    upstreams = Upstreams(upstream_urls, settings or ProxySettings())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await upstreams.start()
        yield
        await upstreams.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok", "from": "gateway"}

    app.add_middleware(Proxy, routes=ServiceRoutes.fixed(ROUTES), upstreams=upstreams, limiter=limiter)
    return app, upstreams


@pytest.fixture
def start_gateway() -> Iterator:
    """Start a gateway under uvicorn; returns (base_url, its Upstreams)."""
    started: list[ServerThread] = []

    def start(upstream_urls: dict[str, str], **kwargs) -> tuple[str, Upstreams]:
        app, upstreams = make_gateway(upstream_urls, **kwargs)
        server = ServerThread(app).start()
        started.append(server)
        return server.url, upstreams

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def gateway_url(upstreams: dict[str, str]) -> Iterator[str]:
    """A gateway with default settings in front of the three upstreams, shared by a module."""
    server = ServerThread(make_gateway(upstreams)[0]).start()
    yield server.url
    server.stop()
