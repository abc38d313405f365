"""The gateway: one FastAPI app with one ordered middleware stack.

Its own routes (identity, API keys, privacy, its event feed, the merged OpenAPI and its docs
page, the SPA) sit behind these middlewares, outermost first:

1. security headers on every answer (:mod:`gateway.security`), the refusals below included;
2. the edge (:mod:`gateway.edge`): sign-in throttle, API keys to bearer tokens, withdrawn tokens;
3. the proxy (:mod:`gateway.proxy`): per-client rate limit, then what a service owns is forwarded
   there (aiohttp) and goes no further;
4. the kit's request context (request id, logs, metrics, body limits) and idempotency keys, for
   the gateway's own routes.

The routing table is read from the services' OpenAPI documents at start-up.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from opentelemetry.instrumentation.aiohttp_client import create_trace_config
from opentelemetry.sdk.trace.export import SpanExporter

from gateway import models  # noqa: F401  (every table on the metadata)
from gateway.aggregate.openapi import MergedOpenAPI
from gateway.aggregate.readiness import services_readiness
from gateway.aggregate.router import router as aggregate_router
from gateway.apikeys.router import router as apikeys_router
from gateway.apikeys.service import ApiKeyExchange
from gateway.db import infra
from gateway.docs import router as docs_router
from gateway.edge import GatewayEdge
from gateway.events import EVENT_TYPES, FEED_PREFIX, SOURCE
from gateway.identity.revocation import AccessRevocations
from gateway.identity.router import router as identity_router
from gateway.privacy.router import router as privacy_router
from gateway.proxy import Proxy, ProxyMetrics, ProxySettings, RateLimit, ServiceRoutes, Upstreams, per_minute
from gateway.proxy.balancer import replica_urls
from gateway.proxy.routing import API_PREFIX
from gateway.security import SecurityHeaders, tile_sources
from gateway.settings import Settings
from gateway.spa import make_spa_router
from service_kit.app import create_service_app
from service_kit.events.router import make_events_router
from service_kit.tracing import Tracing

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def upstreams_of(settings: Settings) -> dict[str, tuple[str, ...]]:
    """Each service's base URLs (one, or several replicas)."""
    return {
        "facilities": replica_urls(settings.facilities_url),
        "operators": replica_urls(settings.operators_url),
        "feedback": replica_urls(settings.feedback_url),
    }


def own_resources(routers: Iterable[APIRouter]) -> set[str]:
    """The first segments under /api/v1 the gateway serves itself (never a service's)."""
    prefix = API_PREFIX + "/"
    paths = [getattr(route, "path", "") for router in routers for route in router.routes]
    return {path[len(prefix) :].split("/", 1)[0] for path in paths if path.startswith(prefix)}


def create_app(settings: Settings | None = None, *, span_exporter: SpanExporter | None = None) -> FastAPI:
    """The gateway. `span_exporter` turns tracing on with that exporter (tests); otherwise the settings say."""
    settings = settings or Settings()
    urls = upstreams_of(settings)
    tracing = Tracing.from_settings(settings, exporter=span_exporter)
    upstreams = Upstreams(
        urls,
        ProxySettings(
            max_body_bytes=settings.max_body_bytes,
            connect_timeout=settings.upstream_connect_timeout_s,
            timeout=settings.upstream_timeout_s,
            trust_forwarded=settings.trust_forwarded,
            rate_limit_own=True,
            out_base_s=settings.upstream_out_base_s,
            out_max_s=settings.upstream_out_max_s,
        ),
        # Tracing: a client span for each forward, its traceparent sent upstream.
        trace_configs=[create_trace_config(tracer_provider=tracing.provider)] if tracing is not None else (),
    )
    limiter = RateLimit.from_url(settings.redis_url, per_minute(settings.rate_limit_per_minute), namespace="gateway:rl")
    auth_limiter = RateLimit.from_url(
        settings.redis_url, per_minute(settings.auth_rate_limit_per_minute), namespace="gateway:rl-auth"
    )

    async def fetch_document(service: str) -> dict[str, Any] | None:
        merged: MergedOpenAPI = app.state.merged_openapi
        return await merged.fetch(service)

    async def on_startup(app: FastAPI) -> None:
        app.state.merged_openapi = MergedOpenAPI(app.state.http, upstreams.replicas)
        app.state.apikeys = ApiKeyExchange(settings, app.state.sessionmaker)
        app.state.revocations = AccessRevocations(
            app.state.sessionmaker,
            access_ttl_s=settings.access_token_ttl_s,
            refresh_s=settings.access_revocation_refresh_s,
        )
        app.state.upstreams = upstreams.base_urls  # service → a replica's base URL (the privacy export asks each)
        await upstreams.start()
        await routes.start()
        if settings.environment != "test":  # tests start many apps in one process
            # What start-up built (the app, its routes and schemas, the clients) lives as long as the
            # process: the collector's full passes need not walk it. Without this, one full pass
            # over the gateway's heap took ~90 ms of the request path every few thousand requests.
            gc.collect()
            gc.freeze()

    async def on_shutdown(app: FastAPI) -> None:
        await routes.close()
        await upstreams.close()
        await limiter.aclose()
        await auth_limiter.aclose()

    async def readiness(app: FastAPI) -> dict[str, Any]:
        ready = await services_readiness(app.state.http, upstreams.replicas)
        if routes.missing:
            ready["platform"] = "degraded"
            ready["routes_waiting_for"] = sorted(upstreams.label(name) for name in routes.missing)
        return ready

    routers = [
        identity_router,
        privacy_router,
        apikeys_router,
        # The gateway's own feed (account.deleted), under a name no service has.
        make_events_router(infra, SOURCE, EVENT_TYPES, prefix=FEED_PREFIX),
        aggregate_router,
        docs_router,
        make_spa_router(settings.spa_path()),
    ]
    app = create_service_app(
        settings=settings,
        title="culture-ops gateway",
        description="Identity (sign-up, sign-in, tokens), API keys, and the platform's merged API.",
        version="0.1.0",
        routers=routers,
        infra=infra,
        event_types=EVENT_TYPES,
        migrations_dir=MIGRATIONS_DIR,
        startup_hooks=[on_startup],
        shutdown_hooks=[on_shutdown],
        form_paths=("/api/v1/auth/token",),
        with_events=False,
        extra_readiness=readiness,
        tracing=tracing,
    )
    routes = ServiceRoutes(
        urls, fetch_document, reserved=own_resources(routers), retry_s=settings.route_discovery_retry_s
    )
    app.state.routes = routes
    # add_middleware puts each in front of the ones before it: these three run, outermost first,
    # security headers → edge → proxy, before the kit's request context and idempotency.
    metrics = ProxyMetrics(app.state.metrics.registry, upstreams)
    app.add_middleware(Proxy, routes=routes, upstreams=upstreams, limiter=limiter, metrics=metrics)
    app.add_middleware(
        GatewayEdge, state=app.state, auth_limiter=auth_limiter, trust_forwarded=settings.trust_forwarded
    )
    app.add_middleware(
        SecurityHeaders,
        img_sources=[*tile_sources(settings.spa_path()), *settings.csp_img_sources.split()],
        hsts=settings.hsts,
        trust_forwarded=settings.trust_forwarded,
    )
    return app
