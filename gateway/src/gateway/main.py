"""The gateway: its own FastAPI app (identity, API keys, merged OpenAPI, the SPA) behind the lean
proxy that forwards `/api/v1/<resource>` to the owning service, behind the edge (API keys, sign-in
throttle)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI

from gateway import models  # noqa: F401  (every table on the metadata)
from gateway.aggregate.openapi import MergedOpenAPI
from gateway.aggregate.readiness import services_readiness
from gateway.aggregate.router import router as aggregate_router
from gateway.apikeys.router import router as apikeys_router
from gateway.apikeys.service import ApiKeyExchange
from gateway.db import infra
from gateway.docs import router as docs_router
from gateway.edge import GatewayEdge
from gateway.identity.revocation import AccessRevocations
from gateway.identity.router import router as identity_router
from gateway.privacy.events import EVENT_TYPES, FEED_PREFIX, SOURCE
from gateway.privacy.router import router as privacy_router
from gateway.proxy import MemoryRateLimiter, ProxyApp, ProxySettings, RedisRateLimiter
from gateway.security import SecurityHeaders, tile_sources
from gateway.settings import Settings
from gateway.spa import make_spa_router
from service_kit.app import create_service_app
from service_kit.events.router import make_events_router

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def upstreams_of(settings: Settings) -> dict[str, str]:
    return {
        "facilities": settings.facilities_url.rstrip("/"),
        "operators": settings.operators_url.rstrip("/"),
        "feedback": settings.feedback_url.rstrip("/"),
    }


def _limiter(settings: Settings, per_minute: int, prefix: str):
    rate = per_minute / 60.0
    burst = max(per_minute // 4, 5)
    if settings.redis_url:
        return RedisRateLimiter.from_url(settings.redis_url, rate, burst, prefix=prefix)
    return MemoryRateLimiter(rate, burst)


def create_inner_app(settings: Settings) -> FastAPI:
    upstreams = upstreams_of(settings)

    async def on_startup(app: FastAPI) -> None:
        app.state.merged_openapi = MergedOpenAPI(app.state.http, upstreams)
        app.state.apikeys = ApiKeyExchange(settings, app.state.sessionmaker)
        app.state.revocations = AccessRevocations(
            app.state.sessionmaker,
            access_ttl_s=settings.access_token_ttl_s,
            refresh_s=settings.access_revocation_refresh_s,
        )
        app.state.upstreams = upstreams

    async def readiness(app: FastAPI) -> dict[str, Any]:
        return await services_readiness(app.state.http, upstreams)

    return create_service_app(
        settings=settings,
        title="culture-ops gateway",
        description="Identity (sign-up, sign-in, tokens), API keys, and the platform's merged API.",
        version="0.1.0",
        routers=[
            identity_router,
            privacy_router,
            apikeys_router,
            # The gateway's own feed (account.deleted), under a name no service has.
            make_events_router(infra, SOURCE, EVENT_TYPES, prefix=FEED_PREFIX),
            aggregate_router,
            docs_router,
            make_spa_router(settings.spa_path()),
        ],
        infra=infra,
        event_types=EVENT_TYPES,
        migrations_dir=MIGRATIONS_DIR,
        startup_hooks=[on_startup],
        form_paths=("/api/v1/auth/token",),
        with_events=False,
        extra_readiness=readiness,
    )


def create_app(settings: Settings | None = None) -> SecurityHeaders:
    settings = settings or Settings()
    inner = create_inner_app(settings)
    proxy = ProxyApp(
        inner,
        upstreams_of(settings),
        settings=ProxySettings(
            max_body_bytes=settings.max_body_bytes,
            timeout=settings.upstream_timeout_s,
            trust_forwarded=settings.trust_forwarded,
            rate_limit_inner=True,
        ),
        limiter=_limiter(settings, settings.rate_limit_per_minute, "gateway:rl:"),
    )
    edge = GatewayEdge(
        proxy,
        state=inner.state,
        auth_limiter=_limiter(settings, settings.auth_rate_limit_per_minute, "gateway:rl-auth:"),
        trust_forwarded=settings.trust_forwarded,
    )
    edge.inner_app = inner  # type: ignore[attr-defined]  (tests reach the FastAPI app through it)
    # Outermost: every answer carries the security headers, the edge's and the proxy's refusals too.
    return SecurityHeaders(
        edge,
        img_sources=[*tile_sources(settings.spa_path()), *settings.csp_img_sources.split()],
        hsts=settings.hsts,
        trust_forwarded=settings.trust_forwarded,
    )
