"""create_service_app(): the same skeleton for every service, so each only adds its domain routers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from service_kit.auth import TokenVerifier
from service_kit.clock import Clock
from service_kit.db import make_engine, make_sessionmaker
from service_kit.events.accounts import follow_key_revocations
from service_kit.events.dispatcher import WebhookDispatcher
from service_kit.events.router import make_events_router
from service_kit.health import ExtraReadiness, make_health_router
from service_kit.idempotency import IdempotencyMiddleware
from service_kit.infra_tables import InfraTables
from service_kit.logs import configure_logging
from service_kit.middleware import BodyTooLarge, Metrics, RequestContextMiddleware
from service_kit.migrations import heads
from service_kit.openapi import problem_openapi
from service_kit.outgoing import pass_request_id
from service_kit.problems import install_problem_handlers, problem_response
from service_kit.runtime_metrics import RuntimeCollector
from service_kit.settings import BaseServiceSettings
from service_kit.tracing import Tracing

Hook = Callable[[FastAPI], Awaitable[None]]


async def start_runtime(app: FastAPI) -> None:
    """Build what the app needs at run time. Whatever a test has already put on app.state is kept."""
    state = app.state
    settings: BaseServiceSettings = state.settings
    if getattr(state, "engine", None) is None:
        state.engine = make_engine(settings.database_url, pool=settings.pool())
        state.owns_engine = True
    if getattr(state, "sessionmaker", None) is None:
        state.sessionmaker = make_sessionmaker(state.engine)
    if getattr(state, "http", None) is None:
        state.http = httpx.AsyncClient(timeout=settings.http_timeout_s)
        state.owns_http = True
    tracing: Tracing | None = getattr(state, "tracing", None)
    if tracing is not None:
        tracing.instrument_runtime(state.engine, state.http)
    # Calls to other services pass the request id on (deliveries to webhook subscribers do not).
    pass_request_id(state.http)
    state.verifier = TokenVerifier(settings, state.http)
    state.migration_heads = heads(state.migrations_dir)
    # Deliveries have a client of their own: no proxy from the environment (the connection must go
    # to the address that was checked), no redirects, and no connection kept between deliveries
    # (a connection opened for one subscriber's name is never reused for another's on that address).
    state.webhook_http = httpx.AsyncClient(
        trust_env=False, follow_redirects=False, limits=httpx.Limits(max_keepalive_connections=0)
    )
    state.dispatcher = WebhookDispatcher(
        sessionmaker=state.sessionmaker,
        infra=state.infra,
        source=settings.service_name,
        http=state.webhook_http,
        allow_private=bool(settings.allow_private_webhook_urls),
        timeout_s=settings.webhook_timeout_s,
        retry_schedule_s=settings.webhook_retry_schedule_s,
        concurrency=settings.webhook_concurrency,
        interval_s=settings.webhook_dispatch_interval_s,
    )
    for hook in state.startup_hooks:
        await hook(app)
    if settings.run_background_tasks:
        state.dispatcher.start()
        for task in state.background:
            task.start()


async def stop_runtime(app: FastAPI) -> None:
    """Stop background work and release what start_runtime made (so the app can start again)."""
    state = app.state
    for hook in getattr(state, "shutdown_hooks", ()):
        await hook(app)
    for task in [state.dispatcher, *state.background]:
        await task.stop()
    state.background = []
    tracing: Tracing | None = getattr(state, "tracing", None)
    if tracing is not None:
        tracing.uninstrument_runtime()
    if getattr(state, "webhook_http", None) is not None:
        await state.webhook_http.aclose()
        state.webhook_http = None
    if getattr(state, "owns_http", False):
        await state.http.aclose()
        state.http, state.owns_http = None, False
    if getattr(state, "owns_engine", False):
        await state.engine.dispose()
        state.engine, state.sessionmaker, state.owns_engine = None, None, False


async def _follow_key_revocations(app: FastAPI) -> None:
    follow_key_revocations(app)


def create_service_app(
    *,
    settings: BaseServiceSettings,
    title: str,
    description: str,
    version: str,
    routers: Iterable[APIRouter],
    infra: InfraTables,
    event_types: dict[str, str],
    migrations_dir: Path,
    startup_hooks: Iterable[Hook] = (),
    shutdown_hooks: Iterable[Hook] = (),
    openapi_tags: list[dict[str, Any]] | None = None,
    form_paths: Iterable[str] = (),
    with_events: bool = True,
    clock: Clock | None = None,
    extra_readiness: ExtraReadiness | None = None,
    tracing: Tracing | None = None,
) -> FastAPI:
    """The service's app. `tracing` replaces the tracing its settings describe (a test's in-memory
    exporter, or the gateway's, which also traces its forwarding)."""
    tracing = tracing or Tracing.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, settings.log_level)
        await start_runtime(app)
        try:
            yield
        finally:
            await stop_runtime(app)

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        openapi_tags=openapi_tags,
        docs_url="/docs",
        redoc_url=None,
        telemetry={
            "tracing": settings.opentelemetry,
            "metrics": settings.opentelemetry,
            "logs": settings.opentelemetry,
        },
    )
    app.state.settings = settings
    app.state.clock = clock or Clock()
    app.state.infra = infra
    app.state.migrations_dir = migrations_dir
    app.state.startup_hooks = list(startup_hooks)
    if with_events:
        # A revoked API key's subscriptions stop: first, so a service's own hook may extend the consumer.
        app.state.startup_hooks.insert(0, _follow_key_revocations)
    # Run first when the app stops, while what start_runtime made is still open.
    app.state.shutdown_hooks = list(shutdown_hooks)
    app.state.background = []
    app.state.metrics = Metrics(settings.service_name)
    # Pool, outbox, webhooks, feed consumers and background tasks, read when /metrics is scraped.
    app.state.runtime_metrics = RuntimeCollector(settings.service_name, app.state)
    app.state.metrics.registry.register(app.state.runtime_metrics)
    app.state.engine = None
    app.state.sessionmaker = None
    app.state.http = None
    app.state.tracing = tracing
    if tracing is not None:
        tracing.instrument_app(app)
    install_problem_handlers(app)
    app.openapi = lambda: problem_openapi(app)  # type: ignore[method-assign]

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, exc: BodyTooLarge) -> JSONResponse:
        return problem_response(request, 413, str(exc))

    app.include_router(make_health_router(extra_readiness))
    if with_events:
        app.include_router(make_events_router(infra, settings.service_name, event_types))
    for router in routers:
        app.include_router(router)
    app.add_middleware(IdempotencyMiddleware, state=app.state, infra=infra)
    app.add_middleware(
        RequestContextMiddleware,
        metrics=app.state.metrics,
        max_body_bytes=settings.max_body_bytes,
        form_paths=tuple(form_paths),
    )
    return app
