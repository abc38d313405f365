from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from gateway.proxy import Proxy, ProxyMetrics, ProxySettings, ServiceRoutes, Upstreams, derive_routes
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
    upstream_urls: Mapping[str, str | Sequence[str]],
    *,
    settings: ProxySettings | None = None,
    limiter: RateLimiter | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[FastAPI, Upstreams]:
    """The proxy as the gateway stacks it: a middleware of a FastAPI app, clients made in its lifespan,
    its metrics at /metrics."""
    upstreams = Upstreams(upstream_urls, settings or ProxySettings(), clock=clock)
    registry = CollectorRegistry()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await upstreams.start()
        yield
        await upstreams.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok", "from": "gateway"}

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(
        Proxy,
        routes=ServiceRoutes.fixed(ROUTES),
        upstreams=upstreams,
        limiter=limiter,
        metrics=ProxyMetrics(registry, upstreams),
    )
    return app, upstreams


@pytest.fixture
def start_gateway() -> Iterator:
    """Start a gateway under uvicorn; returns (base_url, its Upstreams)."""
    started: list[ServerThread] = []

    def start(upstream_urls: Mapping[str, str | Sequence[str]], **kwargs) -> tuple[str, Upstreams]:
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
